/// An error raised while loading a model or predicting with it.
///
/// `description` is safe to show a user: it names the model part, operator, column or row at fault and never
/// contains file system paths. New codes can be added without breaking callers.
public struct InferenceError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure, extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: Hashable, Sendable {
            case unsupportedFormat
            case corruptModel
            case unsupportedModel
            case unsupportedOperator
            case missingColumn
            case invalidValue
            case invalidInput
        }

        fileprivate let base: Base

        /// The file is not a model of the kind its name or the caller says.
        public static let unsupportedFormat = Code(base: .unsupportedFormat)
        /// The model file is truncated, malformed or internally inconsistent.
        public static let corruptModel = Code(base: .corruptModel)
        /// The model is well formed but uses a feature Skiff does not implement (an objective, a tree kind…).
        public static let unsupportedModel = Code(base: .unsupportedModel)
        /// An ONNX graph contains an operator (or an operator setting) Skiff does not implement.
        public static let unsupportedOperator = Code(base: .unsupportedOperator)
        /// A column the model needs is missing from the input.
        public static let missingColumn = Code(base: .missingColumn)
        /// An input value cannot be read as the type the model needs.
        public static let invalidValue = Code(base: .invalidValue)
        /// The input batch does not have the shape or type the model needs.
        public static let invalidInput = Code(base: .invalidInput)

        /// A short name of the code, such as `corruptModel`.
        public var description: String {
            switch base {
            case .unsupportedFormat: "unsupportedFormat"
            case .corruptModel: "corruptModel"
            case .unsupportedModel: "unsupportedModel"
            case .unsupportedOperator: "unsupportedOperator"
            case .missingColumn: "missingColumn"
            case .invalidValue: "invalidValue"
            case .invalidInput: "invalidInput"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// A message a user can act on.
    public let message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: A message safe to show a user.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The user-facing message.
    public var description: String { message }

    /// The message together with its code, for logs.
    public var debugDescription: String { "InferenceError(\(code)): \(message)" }

    static func corrupt(_ message: String) -> InferenceError { InferenceError(.corruptModel, message) }
}
