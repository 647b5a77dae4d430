import Foundation

/// Reads durations as people write them on a command line or in YAML: `500us`, `2ms`, `1.5s`, `10m`; a bare
/// number is milliseconds.
public enum DurationText {
    /// Parses a duration.
    /// - Returns: nil for text that is not a non-negative number with an optional unit (us, µs, ms, s, m).
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            return .nanoseconds(Int64((value * scale * 1e9).rounded()))
        }
        guard let value = Double(trimmed), value >= 0, value.isFinite else { return nil }
        return .nanoseconds(Int64((value * 1e6).rounded()))
    }
}
