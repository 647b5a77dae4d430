import SkiffInference

/// A model on local disk in a format Skiff predicts natively, with where it came from.
public struct FetchedModel: Sendable {
    /// The reference that was fetched.
    public var reference: ModelReference
    /// The native model file on disk, ready for `ModelLoader.load(path:)`; its extension matches `format`.
    public var localPath: String
    /// The model file's format.
    public var format: ModelFormat
    /// The registered model name, the run artifact's last path segment for a run, or the file's stem for a file.
    public var name: String
    /// The registry version the reference resolved to; nil for files and runs.
    public var version: String?

    /// Creates a description of a fetched model.
    /// - Parameters:
    ///   - reference: The reference that was fetched.
    ///   - localPath: The native model file on disk.
    ///   - format: The model file's format.
    ///   - name: The model's name.
    ///   - version: The registry version, if any.
    public init(reference: ModelReference, localPath: String, format: ModelFormat, name: String, version: String?) {
        self.reference = reference
        self.localPath = localPath
        self.format = format
        self.name = name
        self.version = version
    }
}
