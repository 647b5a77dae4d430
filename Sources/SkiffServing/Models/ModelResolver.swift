import SkiffInference

/// A model file on local disk that a reference resolved to.
public struct ResolvedModel: Sendable {
    /// The native model file, ready for `ModelLoader.load(path:)`.
    public var localPath: String
    /// Its format.
    public var format: ModelFormat
    /// The model's name: the registered model name, or the file's stem.
    public var name: String
    /// The registry version it resolved to; nil for a file.
    public var version: String?

    /// Creates a resolved model.
    public init(localPath: String, format: ModelFormat, name: String, version: String?) {
        self.localPath = localPath
        self.format = format
        self.name = name
        self.version = version
    }
}

/// Turns the model references of a serving configuration into local model files.
public protocol ModelResolver: Sendable {
    /// Resolves a reference (a file path, `models:/name/3`, `models:/name@alias`, `runs:/id/path`).
    /// - Throws: `ServingError` `modelLoad` with a message that says what to fix.
    func resolve(_ reference: String) async throws(ServingError) -> ResolvedModel

    /// The version a moving reference (an alias) points at now; nil for references that never move.
    func currentVersion(_ reference: String) async throws(ServingError) -> String?
}
