/// Whether a study looks for the smallest or the largest objective value.
public enum StudyDirection: String, Sendable, Hashable, Codable {
    /// Smaller values are better.
    case minimize
    /// Larger values are better.
    case maximize

    /// Whether `a` is strictly better than `b`; NaN is never better than anything.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        switch self {
        case .minimize: a < b
        case .maximize: a > b
        }
    }

    /// The value mapped so that smaller is always better (negated for ``maximize``).
    func loss(_ value: Double) -> Double {
        self == .minimize ? value : -value
    }
}
