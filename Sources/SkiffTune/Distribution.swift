/// The set of values a parameter may take and how a sampler without a model draws from it.
///
/// Floats and ints are uniform on `[low, high]`, or log-uniform when `log` is set; with a `step`, values lie on
/// the grid `low + k·step` and `high` is rounded down onto that grid. Categorical choices are unordered.
public enum Distribution: Sendable, Hashable {
    /// A real value in `[low, high]`; `step` and `log` are mutually exclusive.
    case float(low: Double, high: Double, step: Double?, log: Bool)
    /// An integer in `[low, high]` on the grid `low + k·step`; `log` requires `step == 1` and `low >= 1`.
    case int(low: Int, high: Int, step: Int, log: Bool)
    /// One of a non-empty list of distinct choices.
    case categorical([ParameterValue])

    /// Checks the constraints above.
    /// - Parameter name: The parameter's name, used in the error.
    /// - Throws: ``TuneError`` with code ``TuneError/Code/invalidSearchSpace`` naming the violated constraint.
    public func validate(name: String) throws {
        func fail(_ message: String) -> TuneError {
            TuneError(.invalidSearchSpace, parameter: name, message)
        }
        switch self {
        case .float(let low, let high, let step, let log):
            guard low.isFinite, high.isFinite else { throw fail("low and high must be finite numbers") }
            guard low <= high else { throw fail("low (\(low)) must not be greater than high (\(high))") }
            if log {
                guard step == nil else { throw fail("step and log cannot be used together; remove one of them") }
                guard low > 0 else { throw fail("log scale needs low > 0 (got \(low))") }
            }
            if let step {
                guard step.isFinite, step > 0 else { throw fail("step must be a positive number (got \(step))") }
            }
        case .int(let low, let high, let step, let log):
            guard low <= high else { throw fail("low (\(low)) must not be greater than high (\(high))") }
            guard step > 0 else { throw fail("step must be a positive integer (got \(step))") }
            if log {
                guard step == 1 else { throw fail("log scale cannot be combined with a step other than 1") }
                guard low >= 1 else { throw fail("log scale needs low >= 1 (got \(low))") }
            }
        case .categorical(let choices):
            guard !choices.isEmpty else { throw fail("choices must not be empty") }
            var seen = Set<ParameterValue>()
            for choice in choices where !seen.insert(choice).inserted {
                throw fail("choice '\(choice)' is listed twice")
            }
        }
    }

    /// Whether `value` is a value of this distribution (type, bounds and grid), within a relative tolerance of
    /// 1e-9 of the range for stepped floats.
    public func contains(_ value: ParameterValue) -> Bool {
        switch (self, value) {
        case (.float(let low, let high, let step, _), .float(let x)):
            guard x >= low, x <= high else { return false }
            guard let step else { return true }
            let k = ((x - low) / step).rounded()
            return abs(low + k * step - x) <= 1e-9 * max(1, abs(high - low))
        case (.int(let low, let high, let step, _), .int(let x)):
            return x >= low && x <= high && (x - low) % step == 0
        case (.categorical(let choices), _):
            return choices.contains(value)
        default:
            return false
        }
    }

    /// The number of grid points of a stepped float (`floor((high - low) / step) + 1`), or `nil` without a step.
    var floatGridCount: Int? {
        guard case .float(let low, let high, let step?, _) = self else { return nil }
        return Int(((high - low) / step + 1e-9).rounded(.down)) + 1
    }

    /// Every value of a finite distribution in increasing (or declared) order, or `nil` for a continuous float.
    public var allValues: [ParameterValue]? {
        switch self {
        case .float(let low, _, let step?, _):
            return (0..<floatGridCount!).map { .float(low + Double($0) * step) }
        case .float:
            return nil
        case .int(let low, let high, let step, _):
            return stride(from: low, through: high, by: step).map { .int($0) }
        case .categorical(let choices):
            return choices
        }
    }
}
