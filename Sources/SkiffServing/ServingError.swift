/// An error answered to a scoring client or raised while loading a served model.
///
/// `description` is safe to show a client: it names the request field at fault and never contains file system
/// paths. New codes can be added without breaking callers.
public struct ServingError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: Hashable, Sendable {
            case badRequest
            case unsupportedMediaType
            case notFound
            case overloaded
            case deadlineExceeded
            case unavailable
            case modelLoad
            case configuration
            case internalError
            case payloadTooLarge
        }

        fileprivate let base: Base

        /// The request body does not fit the protocol or the model's inputs.
        public static let badRequest = Code(base: .badRequest)
        /// The request's content type is not JSON or CSV.
        public static let unsupportedMediaType = Code(base: .unsupportedMediaType)
        /// No model or route by that name.
        public static let notFound = Code(base: .notFound)
        /// The model's queue is full; the client should retry later.
        public static let overloaded = Code(base: .overloaded)
        /// The request's deadline passed before the model ran it.
        public static let deadlineExceeded = Code(base: .deadlineExceeded)
        /// The model is not loaded or the server is shutting down.
        public static let unavailable = Code(base: .unavailable)
        /// A model could not be found, fetched or loaded.
        public static let modelLoad = Code(base: .modelLoad)
        /// The serving configuration is invalid.
        public static let configuration = Code(base: .configuration)
        /// The request body is larger than the server accepts.
        public static let payloadTooLarge = Code(base: .payloadTooLarge)
        /// The model failed in a way the request did not cause.
        public static let internalError = Code(base: .internalError)

        /// A short name of the code.
        public var description: String {
            switch base {
            case .badRequest: "badRequest"
            case .unsupportedMediaType: "unsupportedMediaType"
            case .notFound: "notFound"
            case .overloaded: "overloaded"
            case .deadlineExceeded: "deadlineExceeded"
            case .unavailable: "unavailable"
            case .modelLoad: "modelLoad"
            case .configuration: "configuration"
            case .internalError: "internalError"
            case .payloadTooLarge: "payloadTooLarge"
            }
        }

        /// The HTTP status a client gets for this code.
        public var httpStatus: Int {
            switch base {
            case .badRequest, .configuration: 400
            case .unsupportedMediaType: 415
            case .notFound: 404
            case .overloaded: 429
            case .deadlineExceeded: 504
            case .unavailable, .modelLoad: 503
            case .internalError: 500
            case .payloadTooLarge: 413
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// A message a client can act on.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The client-facing message.
    public var description: String { message }

    static func badRequest(_ message: String) -> ServingError { ServingError(.badRequest, message) }
}
