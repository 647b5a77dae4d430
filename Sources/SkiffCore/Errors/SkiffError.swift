/// The error every Skiff store and service throws across a module boundary.
///
/// `description` is safe to show a user: it never carries SQL, file-system paths or secrets.
/// Detail for operators goes to `debugDescription`. New codes can be added without breaking callers.
public struct SkiffError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; the HTTP layer maps it to a status and an MLflow `error_code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidParameterValue
            case resourceDoesNotExist
            case resourceAlreadyExists
            case badRequest
            case notImplemented
            case temporarilyUnavailable
            case internalError
            case permissionDenied
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request carried a value that breaks a rule (MLflow `INVALID_PARAMETER_VALUE`, HTTP 400).
        public static let invalidParameterValue = Code(.invalidParameterValue)
        /// The named entity does not exist (MLflow `RESOURCE_DOES_NOT_EXIST`, HTTP 404).
        public static let resourceDoesNotExist = Code(.resourceDoesNotExist)
        /// The entity exists already (MLflow `RESOURCE_ALREADY_EXISTS`, HTTP 400 as MLflow does).
        public static let resourceAlreadyExists = Code(.resourceAlreadyExists)
        /// The request is malformed as a whole (MLflow `BAD_REQUEST`, HTTP 400).
        public static let badRequest = Code(.badRequest)
        /// The feature exists in the protocol but not in this server (HTTP 501).
        public static let notImplemented = Code(.notImplemented)
        /// A transient failure; the client may retry (HTTP 503).
        public static let temporarilyUnavailable = Code(.temporarilyUnavailable)
        /// A failure of Skiff itself, never of the request (HTTP 500).
        public static let internalError = Code(.internalError)
        /// The caller may not do this (HTTP 403).
        public static let permissionDenied = Code(.permissionDenied)

        /// The MLflow `error_code` name.
        public var description: String {
            switch base {
            case .invalidParameterValue: "INVALID_PARAMETER_VALUE"
            case .resourceDoesNotExist: "RESOURCE_DOES_NOT_EXIST"
            case .resourceAlreadyExists: "RESOURCE_ALREADY_EXISTS"
            case .badRequest: "BAD_REQUEST"
            case .notImplemented: "NOT_IMPLEMENTED"
            case .temporarilyUnavailable: "TEMPORARILY_UNAVAILABLE"
            case .internalError: "INTERNAL_ERROR"
            case .permissionDenied: "PERMISSION_DENIED"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A message safe to show the user.
    public var message: String
    /// Detail for logs only (may hold SQL or paths).
    public var detail: String?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: a message safe to show a user.
    ///   - detail: operator-only detail, never shown to clients.
    public init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { message }
    public var debugDescription: String {
        detail.map { "\(code): \(message) [\($0)]" } ?? "\(code): \(message)"
    }

    /// A bad value in a request parameter.
    public static func invalid(_ message: String) -> SkiffError { SkiffError(.invalidParameterValue, message) }
    /// A missing entity.
    public static func notFound(_ message: String) -> SkiffError { SkiffError(.resourceDoesNotExist, message) }
    /// An entity that already exists.
    public static func alreadyExists(_ message: String) -> SkiffError { SkiffError(.resourceAlreadyExists, message) }
    /// A required parameter that was not given, worded as MLflow words it.
    public static func missingParameter(_ name: String) -> SkiffError {
        .invalid(
            "Missing value for required parameter '\(name)'. See the API docs for more information about request parameters."
        )
    }
}
