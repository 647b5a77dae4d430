import Foundation
import SkiffStats

/// Loads the committed fixtures written by scripts/fixtures/make_drift_fixtures.py.
enum Fixtures {
    static func url(_ path: String) throws -> URL {
        guard let base = Bundle.module.resourceURL else { throw FixtureError.missing(path) }
        return base.appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.malformed(path)
        }
        return object
    }

    /// A fixture CSV (unquoted, comma-separated, header row) as columns of raw strings.
    static func csvColumns(_ path: String) throws -> [String: [String]] {
        let text = try String(contentsOf: url(path), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var columns = [String: [String]]()
        for name in header { columns[name] = [] }
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for (i, name) in header.enumerated() { columns[name]!.append(fields[i]) }
        }
        return columns
    }

    static let scenarios = ["small", "large", "large_methods", "asymptotic", "mostly_drifted"]
}

enum FixtureError: Error {
    case missing(String)
    case malformed(String)
}

/// Relative closeness with an absolute floor for values near zero.
func close(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-300) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= max(relative * max(abs(a), abs(b)), absolute)
}

/// A numeric value from a fixture JSON field (numbers, null for NaN, "inf" strings).
func fixtureNumber(_ value: Any?) -> Double {
    if let d = value as? Double { return d }
    if let i = value as? Int { return Double(i) }
    if let s = value as? String { return s == "inf" ? .infinity : (s == "-inf" ? -.infinity : .nan) }
    return .nan
}
