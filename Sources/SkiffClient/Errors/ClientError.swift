/// The one error type thrown by SkiffClient.
///
/// `description` is safe to show a user and says what to do next: it names the model reference, the registered model
/// or the flavor at fault, never a local file system path or a credential. Detail for logs is in `debugDescription`.
/// New codes can be added without breaking callers that compare against the static members.
public struct ClientError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, as a value callers can compare against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case invalidReference
            case invalidTrackingURI
            case notFound
            case noNativeArtifact
            case unsupportedLocation
            case unreachable
            case serverError
            case io
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The model reference text is malformed or names something Skiff cannot fetch.
        public static let invalidReference = Code(.invalidReference)
        /// A registry or run reference was given without a usable `http(s)://` tracking URI.
        public static let invalidTrackingURI = Code(.invalidTrackingURI)
        /// The registered model, version, alias, run or artifact does not exist.
        public static let notFound = Code(.notFound)
        /// The model exists but has no ONNX, XGBoost or LightGBM artifact (for example only a `sklearn` flavor).
        public static let noNativeArtifact = Code(.noNativeArtifact)
        /// The model's artifacts live where Skiff cannot download them (not behind the server's artifact proxy).
        public static let unsupportedLocation = Code(.unsupportedLocation)
        /// The tracking server did not answer (connection refused, timeout, DNS failure).
        public static let unreachable = Code(.unreachable)
        /// The tracking server answered with an error or with a body Skiff cannot read.
        public static let serverError = Code(.serverError)
        /// A local file or the cache directory could not be read or written.
        public static let io = Code(.io)

        /// The code's name, such as `notFound`.
        public var description: String {
            switch base {
            case .invalidReference: "invalidReference"
            case .invalidTrackingURI: "invalidTrackingURI"
            case .notFound: "notFound"
            case .noNativeArtifact: "noNativeArtifact"
            case .unsupportedLocation: "unsupportedLocation"
            case .unreachable: "unreachable"
            case .serverError: "serverError"
            case .io: "io"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// A message a user can act on.
    public let message: String
    /// Detail for logs (a server's error body, an underlying system error); never shown to users by Skiff.
    public let detail: String?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: A message safe to show a user.
    ///   - detail: Extra detail for logs.
    public init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    /// The user-facing message.
    public var description: String { message }

    /// The message, its code and any detail, for logs.
    public var debugDescription: String {
        "ClientError(\(code)): \(message)" + (detail.map { " [\($0)]" } ?? "")
    }
}
