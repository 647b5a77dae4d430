import Foundation
import SkiffInference

/// Fetches models named by a `ModelReference` onto local disk, ready for `ModelLoader.load(path:)`.
///
/// Registry references are resolved through the tracking server's REST API (aliases to versions, versions to their
/// artifact location, which may be a logged model, a run artifact or an `mlflow-artifacts:/` path). The model's
/// `MLmodel` file and its native data file are downloaded through the artifact proxy into a per-version cache
/// directory, atomically (a temporary directory renamed into place), and reused on the next fetch.
public struct ModelFetcher: Sendable {
    /// The tracking server, or nil when only files can be fetched.
    public let trackingURI: String?
    /// The directory that holds downloaded models.
    public let cacheDirectory: String
    /// The timeout of one HTTP request, in seconds.
    let timeout: TimeInterval

    /// The model cache `skiff` commands use: `SKIFF_MODEL_CACHE`, else `$XDG_CACHE_HOME/skiff/models`, else
    /// `~/.cache/skiff/models`.
    public static func defaultCacheDirectory(environment: [String: String]) -> String {
        if let cache = environment["SKIFF_MODEL_CACHE"], !cache.isEmpty { return cache }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/skiff/models" }
        return (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/skiff/models"
    }

    /// Creates a fetcher.
    /// - Parameters:
    ///   - trackingURI: The tracking server, such as `http://127.0.0.1:5000`; nil lets only files be fetched.
    ///   - cacheDirectory: The directory that holds downloaded models; created when needed.
    public init(trackingURI: String?, cacheDirectory: String) {
        self.init(trackingURI: trackingURI, cacheDirectory: cacheDirectory, timeout: 30)
    }

    /// Creates a fetcher with a request timeout.
    /// - Parameters:
    ///   - trackingURI: The tracking server, or nil.
    ///   - cacheDirectory: The directory that holds downloaded models.
    ///   - timeout: The timeout of one HTTP request, in seconds.
    package init(trackingURI: String?, cacheDirectory: String, timeout: TimeInterval) {
        self.trackingURI = trackingURI
        self.cacheDirectory = cacheDirectory
        self.timeout = timeout
    }

    /// Fetches a model onto local disk, or finds it in the cache.
    ///
    /// - Parameter reference: The model to fetch.
    /// - Returns: The local native model file with its format, name and resolved version.
    /// - Throws: `ClientError`: `notFound` for a missing file, model, version, alias, run or artifact;
    ///   `noNativeArtifact` when the model has only non-native flavors such as `sklearn`; `invalidTrackingURI`
    ///   for a registry or run reference without a usable tracking URI; `unreachable` / `serverError` for server
    ///   trouble; `unsupportedLocation` for artifacts outside the artifact proxy; `io` for cache trouble.
    public func fetch(_ reference: ModelReference) async throws(ClientError) -> FetchedModel {
        if case .file(let path) = reference.kind {
            return try fetchFile(path, reference: reference)
        }
        let client = try client(for: reference)
        let location = try await locate(reference, client: client)
        let (path, format) = try await cachedModel(location, reference: reference, client: client)
        return FetchedModel(
            reference: reference, localPath: path, format: format, name: location.name, version: location.version)
    }

    /// The version an alias points at now, for polling an alias.
    /// - Parameters:
    ///   - name: The registered model name.
    ///   - alias: The alias, such as `champion`.
    /// - Returns: The version number as text.
    /// - Throws: `ClientError`: `notFound` when the model or alias does not exist, `invalidTrackingURI`,
    ///   `unreachable` or `serverError`.
    public func aliasVersion(name: String, alias: String) async throws(ClientError) -> String {
        let reference = ModelReference(kind: .registryAlias(name: name, alias: alias))
        return try await aliasVersion(name: name, alias: alias, client: client(for: reference))
    }

    // MARK: - Resolution

    /// A client for the tracking server.
    /// - Parameter reference: The reference that needs the server, for the error message.
    package func client(for reference: ModelReference) throws(ClientError) -> TrackingClient {
        guard let trackingURI, !trackingURI.isEmpty else {
            throw ClientError(
                .invalidTrackingURI,
                "\(reference) needs a tracking server: pass --tracking-uri http://HOST:PORT (or set "
                    + "MLFLOW_TRACKING_URI).")
        }
        return try TrackingClient(trackingURI: trackingURI, timeout: timeout)
    }

    /// Finds where a registry or run reference's model lives behind the artifact proxy.
    /// - Parameters:
    ///   - reference: A registry or run reference.
    ///   - client: The tracking server's client.
    package func locate(_ reference: ModelReference, client: TrackingClient) async throws(ClientError)
        -> ModelLocation
    {
        switch reference.kind {
        case .file:
            throw ClientError(.invalidReference, "\(reference) is a local file, not a registry model.")
        case .registryAlias(let name, let alias):
            let version = try await aliasVersion(name: name, alias: alias, client: client)
            return try await locateVersion(name: name, version: version, reference: reference, client: client)
        case .registryVersion(let name, let version):
            return try await locateVersion(name: name, version: version, reference: reference, client: client)
        case .run(let runID, let path):
            let name = String(path.split(separator: "/").last ?? Substring(path))
            return try await locateRunArtifact(runID: runID, path: path, name: name, version: nil, client: client)
        }
    }

    private func aliasVersion(name: String, alias: String, client: TrackingClient) async throws(ClientError)
        -> String
    {
        let answer = try await client.get(
            "/api/2.0/mlflow/registered-models/alias", query: [("name", name), ("alias", alias)])
        // MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE, not 404.
        if answer.status == 404 || answer.errorCode == "RESOURCE_DOES_NOT_EXIST"
            || (answer.status == 400 && answer.errorCode == "INVALID_PARAMETER_VALUE")
        {
            throw ClientError(
                .notFound,
                "The tracking server at \(client.displayName) has no alias '\(alias)' for a registered model "
                    + "'\(name)'.", detail: "HTTP \(answer.status)")
        }
        let object = try client.expectObject(answer, what: "look up the alias models:/\(name)@\(alias)")
        guard let version = Self.versionText((object["model_version"] as? [String: Any])?["version"]) else {
            throw ClientError(
                .serverError, "The tracking server at \(client.displayName) sent an alias answer without a version.")
        }
        return version
    }

    private func locateVersion(name: String, version: String, reference: ModelReference, client: TrackingClient)
        async throws(ClientError) -> ModelLocation
    {
        let query = [("name", name), ("version", version)]
        let answer = try await client.get("/api/2.0/mlflow/model-versions/get", query: query)
        if answer.status == 404 || answer.errorCode == "RESOURCE_DOES_NOT_EXIST" {
            throw ClientError(
                .notFound,
                "The tracking server at \(client.displayName) has no version \(version) of a registered model "
                    + "'\(name)'.", detail: "HTTP \(answer.status)")
        }
        let modelVersion =
            try client.expectObject(answer, what: "read models:/\(name)/\(version)")["model_version"] as? [String: Any]
        let runID = (modelVersion?["run_id"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let uriAnswer = try await client.get("/api/2.0/mlflow/model-versions/get-download-uri", query: query)
        let object = try client.expectObject(uriAnswer, what: "find where models:/\(name)/\(version) is stored")
        guard let uri = (object["artifact_uri"] as? String) ?? (modelVersion?["source"] as? String), !uri.isEmpty
        else {
            throw ClientError(
                .serverError, "The tracking server at \(client.displayName) gave no artifact location for \(reference)."
            )
        }
        var location = try await locateURI(uri, name: name, version: version, runID: runID, client: client, depth: 0)
        location.version = version
        location.name = name
        return location
    }

    /// Turns an artifact URI into a location behind the proxy, following `models:/` and `runs:/` indirections a
    /// bounded number of times.
    private func locateURI(
        _ uri: String, name: String, version: String?, runID: String?, client: TrackingClient, depth: Int
    ) async throws(ClientError) -> ModelLocation {
        guard depth < 4 else {
            throw ClientError(.serverError, "The artifact location of models:/\(name) refers to itself in a loop.")
        }
        if let path = Self.proxyPath(uri) {
            try Self.validateArtifactPath(path, name: name)
            return ModelLocation(name: name, version: version, runID: runID, artifactPath: path, isFile: false)
        }
        if uri.hasPrefix("runs:/") {
            let rest = uri.dropFirst("runs:/".count)
            let run = String(rest.prefix { $0 != "/" })
            let path = String(rest.dropFirst(run.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard !run.isEmpty, !path.isEmpty else {
                throw ClientError(.serverError, "models:/\(name) has a malformed run source.")
            }
            return try await locateRunArtifact(runID: run, path: path, name: name, version: version, client: client)
        }
        if uri.hasPrefix("models:/") {
            let rest = String(uri.dropFirst("models:/".count))
            if rest.hasPrefix("m-"), !rest.contains("/") {
                let answer = try await client.get(
                    "/api/2.0/mlflow/logged-models/\(TrackingClient.percentEncoded(rest))")
                let object = try client.expectObject(answer, what: "read the logged model of models:/\(name)")
                let info = (object["model"] as? [String: Any])?["info"] as? [String: Any]
                guard let artifactURI = info?["artifact_uri"] as? String else {
                    throw ClientError(.serverError, "The logged model of models:/\(name) has no artifact location.")
                }
                return try await locateURI(
                    artifactURI, name: name, version: version, runID: runID ?? (info?["source_run_id"] as? String),
                    client: client, depth: depth + 1)
            }
            let parts = rest.split(separator: "/")
            if parts.count == 2 {
                let query = [("name", String(parts[0])), ("version", String(parts[1]))]
                let answer = try await client.get("/api/2.0/mlflow/model-versions/get-download-uri", query: query)
                let object = try client.expectObject(answer, what: "find where \(uri) is stored")
                if let next = object["artifact_uri"] as? String, next != uri {
                    return try await locateURI(
                        next, name: name, version: version, runID: runID, client: client, depth: depth + 1)
                }
            }
        }
        let scheme = uri.prefix { $0 != ":" }
        throw ClientError(
            .unsupportedLocation,
            "The artifacts of models:/\(name) are stored at a '\(scheme.prefix(20))' location, which Skiff fetches "
                + "only through the tracking server's artifact proxy (mlflow-artifacts:/). Log the model to a "
                + "`skiff server` that serves artifacts.")
    }

    /// Locates `runs:/<id>/<path>`: the run's own artifacts, else (MLflow 3) the logged model of that name that
    /// the run produced.
    private func locateRunArtifact(runID: String, path: String, name: String, version: String?, client: TrackingClient)
        async throws(ClientError) -> ModelLocation
    {
        let answer = try await client.get("/api/2.0/mlflow/runs/get", query: [("run_id", runID)])
        if answer.status == 404 || answer.errorCode == "RESOURCE_DOES_NOT_EXIST" {
            throw ClientError(
                .notFound, "The tracking server at \(client.displayName) has no run \(runID).",
                detail: "HTTP \(answer.status)")
        }
        let info =
            (try client.expectObject(answer, what: "read run \(runID)")["run"] as? [String: Any])?["info"]
            as? [String: Any]
        guard let artifactURI = info?["artifact_uri"] as? String, let root = Self.proxyPath(artifactURI) else {
            throw ClientError(
                .unsupportedLocation,
                "The artifacts of run \(runID) are not behind the tracking server's artifact proxy; Skiff cannot "
                    + "download them.")
        }
        let full = root.isEmpty ? path : root + "/" + path
        try Self.validateArtifactPath(full, name: name)
        let listing = try await client.get("/api/2.0/mlflow-artifacts/artifacts", query: [("path", full)])
        let files =
            (try client.expectObject(listing, what: "list the artifacts of run \(runID)")["files"]
                as? [[String: Any]]) ?? []
        let names = Set(files.compactMap { $0["path"] as? String })
        if names.contains("MLmodel") {
            return ModelLocation(name: name, version: version, runID: runID, artifactPath: full, isFile: false)
        }
        if files.count == 1, let only = files.first, only["is_dir"] as? Bool != true,
            let onlyName = only["path"] as? String, full.hasSuffix(onlyName), ModelFormat(path: path) != nil
        {
            return ModelLocation(name: name, version: version, runID: runID, artifactPath: full, isFile: true)
        }
        if files.isEmpty, ModelFormat(path: path) != nil {
            return ModelLocation(name: name, version: version, runID: runID, artifactPath: full, isFile: true)
        }
        // MLflow 3 stores `log_model` output as a logged model named after the path, not under the run.
        if let experimentID = info?["experiment_id"] as? String, !path.contains("/"), !path.contains("'") {
            let search = try await client.call(
                "POST", "/api/2.0/mlflow/logged-models/search",
                json: ["experiment_ids": [experimentID], "filter": "name = '\(path)'", "max_results": 50],
                what: "search the logged models of run \(runID)")
            for model in (search["models"] as? [[String: Any]]) ?? [] {
                let modelInfo = model["info"] as? [String: Any]
                guard modelInfo?["source_run_id"] as? String == runID, modelInfo?["name"] as? String == path,
                    let uri = modelInfo?["artifact_uri"] as? String, let modelPath = Self.proxyPath(uri)
                else { continue }
                try Self.validateArtifactPath(modelPath, name: name)
                return ModelLocation(name: name, version: version, runID: runID, artifactPath: modelPath, isFile: false)
            }
        }
        throw ClientError(
            .notFound,
            "Run \(runID) on the tracking server at \(client.displayName) has no model at '\(path.prefix(200))'.")
    }

    /// The path below the artifact proxy root for `mlflow-artifacts:` and proxied `http(s)://` URIs; nil otherwise.
    static func proxyPath(_ uri: String) -> String? {
        var rest: Substring
        if uri.hasPrefix("mlflow-artifacts:") {
            rest = uri.dropFirst("mlflow-artifacts:".count)
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                rest = rest.drop { $0 != "/" }
            }
        } else if uri.hasPrefix("http://") || uri.hasPrefix("https://"),
            let range = uri.range(of: "/api/2.0/mlflow-artifacts/artifacts")
        {
            rest = uri[range.upperBound...]
        } else {
            return nil
        }
        return rest.split(separator: "/").joined(separator: "/")
    }

    /// Refuses artifact paths that could leave the proxy root.
    static func validateArtifactPath(_ path: String, name: String) throws(ClientError) {
        let decoded = ModelReference.fullyDecoded(path)
        guard !decoded.contains("\\"), !decoded.contains("\u{0}"),
            decoded.split(separator: "/").allSatisfy({ $0 != "." && $0 != ".." })
        else {
            throw ClientError(
                .unsupportedLocation, "The artifact location of \(name) escapes the artifact store; Skiff refuses it.")
        }
    }

    static func versionText(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        return nil
    }

    // MARK: - Files

    private func fetchFile(_ path: String, reference: ModelReference) throws(ClientError) -> FetchedModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ClientError(.notFound, "The model file '\(reference)' does not exist.")
        }
        guard !isDirectory.boolValue, FileManager.default.isReadableFile(atPath: path) else {
            throw ClientError(.io, "The model file '\(reference)' is a directory or cannot be read.")
        }
        guard let format = ModelFormat(path: path) else {
            throw ClientError(.invalidReference, "Cannot tell the model format of '\(reference)' from its extension.")
        }
        let file = (path as NSString).lastPathComponent
        let stem = (file as NSString).deletingPathExtension
        return FetchedModel(reference: reference, localPath: path, format: format, name: stem, version: nil)
    }
}
