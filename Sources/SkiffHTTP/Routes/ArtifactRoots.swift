import SkiffCore

/// The artifact directories the server itself reads and writes for MLflow's UI calls: the proxy's store, for
/// `mlflow-artifacts:` roots, and, when `--default-artifact-root` is a local directory, that directory, for
/// plain paths and `file:` URIs inside it. Any other root (another directory, an object store the clients write
/// to themselves) is refused: a run's artifact location is user input, and reading it would be a local file read.
struct ArtifactRoots: Sendable {
    let proxy: any ArtifactStore
    let local: SkiffRouter.LocalArtifactRoot?

    /// A directory in one of the stores.
    struct Location {
        let store: any ArtifactStore
        let path: ArtifactPath

        func appending(_ other: ArtifactPath) -> Location { Location(store: store, path: path.appending(other)) }
    }

    /// Where the artifact root `uri` lives.
    /// - Throws: `invalidParameterValue` when the server does not hold that root, or its path is not safe.
    func location(of uri: String) throws(SkiffError) -> Location {
        if uri.lowercased().hasPrefix("mlflow-artifacts:") {
            return Location(store: proxy, path: try ArtifactPath(validating: ModelSourceValidator.proxyPath(uri)))
        }
        if let local {
            var path = Substring(uri)
            if path.lowercased().hasPrefix("file://") { path = path.dropFirst("file://".count) }
            var root = Substring(local.path)
            while root.count > 1, root.hasSuffix("/") { root = root.dropLast() }
            if path == root { return Location(store: local.store, path: .root) }
            if path.hasPrefix(root + "/") {
                let rest = String(path.dropFirst(root.count + 1))
                return Location(store: local.store, path: try ArtifactPath(validating: rest))
            }
        }
        throw .invalid(
            "The artifact root '\(uri)' is not served by this server; read it with the client's artifact repository.")
    }
}
