/// Where a registry version's or run's model directory lives behind the tracking server's artifact proxy.
package struct ModelLocation: Sendable, Hashable {
    /// The registered model name, or the artifact's last path segment for a run.
    package var name: String
    /// The registry version, for registry references.
    package var version: String?
    /// The run the model was logged in, when known.
    package var runID: String?
    /// The model directory's (or, for a bare file, the file's) path relative to the artifact proxy root.
    package var artifactPath: String
    /// Whether `artifactPath` is a single model file rather than an MLflow model directory.
    package var isFile: Bool
}
