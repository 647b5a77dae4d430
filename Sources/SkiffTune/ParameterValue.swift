/// One value of a hyperparameter: what a sampler suggests and what a trial records.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    /// A floating-point value (float parameters and numeric categorical choices).
    case float(Double)
    /// An integer value (int parameters and integer categorical choices).
    case int(Int)
    /// A string value (categorical choices).
    case string(String)
    /// A boolean value (categorical choices).
    case bool(Bool)

    /// The value as a `Double` when it is numeric, otherwise `nil`.
    public var doubleValue: Double? {
        switch self {
        case .float(let value): value
        case .int(let value): Double(value)
        case .string, .bool: nil
        }
    }

    /// The value as written in YAML or on a command line (`0.001`, `32`, `adam`, `true`).
    public var description: String {
        switch self {
        case .float(let value): "\(value)"
        case .int(let value): "\(value)"
        case .string(let value): value
        case .bool(let value): "\(value)"
        }
    }
}
