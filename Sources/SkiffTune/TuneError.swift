/// The one error type thrown by SkiffTune.
///
/// `description` is written for the person who wrote the search space or configured the study: it names the
/// parameter and the problem. New codes can be added without breaking callers that switch on ``code``.
public struct TuneError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value callers can compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case invalidSearchSpace
            case invalidConfiguration
            case searchSpaceExhausted
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The search space (YAML or parameters) is malformed or contradictory.
        public static let invalidSearchSpace = Code(.invalidSearchSpace)
        /// A sampler or pruner was configured with values it cannot work with.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A finite sampler (the grid) has already proposed every point of its space.
        public static let searchSpaceExhausted = Code(.searchSpaceExhausted)

        /// The code's name.
        public var description: String {
            switch base {
            case .invalidSearchSpace: "invalid search space"
            case .invalidConfiguration: "invalid configuration"
            case .searchSpaceExhausted: "search space exhausted"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// The parameter the problem concerns, when there is one.
    public var parameter: String?
    /// A sentence a user can act on.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - parameter: The parameter concerned, if any.
    ///   - message: What is wrong and, where possible, how to fix it.
    public init(_ code: Code, parameter: String? = nil, _ message: String) {
        self.code = code
        self.parameter = parameter
        self.message = message
    }

    /// The message, prefixed with the parameter's name when there is one.
    public var description: String {
        if let parameter {
            return "parameter '\(parameter)': \(message)"
        }
        return message
    }
}
