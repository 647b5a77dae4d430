/// Decides whether a model version's `source` is safe to register, and where clients will download it from.
///
/// The rules of MLflow's registry hardening (reference §3 and the CVEs of §8): `models:/m-…` must match the
/// given model id; `runs:/<id>/…` must match the given run id; proxied `mlflow-artifacts:` and
/// `http(s)://…/mlflow-artifacts/artifacts/…` sources must lie inside the run's or model's artifact root;
/// local paths and `file:` only inside a local artifact root; object-store URIs without `..`, NUL or
/// non-canonical segments after repeated decoding; `models:/<name>/<version>` is resolved. Everything else
/// (other hosts, other schemes, traversal in any encoding) is refused with "Invalid model version source".
public struct ModelSourceValidator: Sendable {
    /// What the validator needs to know about the entities a source may point into.
    public struct Context: Sendable {
        public var runArtifactURI: String?
        public var modelArtifactURI: String?

        /// Creates a context.
        public init(runArtifactURI: String?, modelArtifactURI: String?) {
            self.runArtifactURI = runArtifactURI
            self.modelArtifactURI = modelArtifactURI
        }
    }

    static let objectStoreSchemes = ["s3", "s3a", "gs", "wasbs", "abfss", "hdfs", "oss", "dbfs", "viewfs"]

    /// Checks a source that is not a `models:/` or `runs:/` URI against the artifact roots in `context`.
    /// - Throws: `invalidParameterValue` "Invalid model version source".
    public static func validateStorageSource(_ source: String, context: Context) throws(SkiffError) {
        let decoded = PathDecoding.fullyDecoded(source)
        guard !decoded.unicodeScalars.contains(where: { $0.value < 0x20 }), !decoded.contains("\\"),
            !decoded.contains("#")
        else { throw invalid(source) }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains("..") else { throw invalid(source) }
        let lower = decoded.lowercased()
        let roots = [context.runArtifactURI, context.modelArtifactURI].compactMap { $0 }

        if lower.hasPrefix("mlflow-artifacts:") {
            guard roots.contains(where: { isInside(proxyPath(decoded), proxyPath($0)) }) else { throw invalid(source) }
            return
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            // Only this server's own artifact proxy, inside the run's or model's root.
            guard let range = decoded.range(of: "/api/2.0/mlflow-artifacts/artifacts/") else { throw invalid(source) }
            let path = String(decoded[range.upperBound...])
            guard roots.contains(where: { isInside(path, proxyPath($0)) }) else { throw invalid(source) }
            return
        }
        if let colon = decoded.firstIndex(of: ":"), decoded[colon...].hasPrefix("://"), !lower.hasPrefix("file:") {
            let scheme = decoded[..<colon].lowercased()
            guard objectStoreSchemes.contains(scheme) else { throw invalid(source) }
            let rest = decoded[decoded.index(colon, offsetBy: 3)...]
            guard !rest.isEmpty, !rest.hasPrefix("/"), !rest.contains("//"),
                !rest.split(separator: "/").contains(".")
            else { throw invalid(source) }
            return
        }
        // A local path or file: URI: only inside a local artifact root.
        let local = localPath(decoded)
        guard let local, roots.compactMap(localPath).contains(where: { isInside(local, $0) }) else {
            throw invalid(source)
        }
    }

    /// The path part of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/abc` → `1/abc`).
    public static func proxyPath(_ uri: String) -> String {
        var rest = Substring(uri)
        if let colon = rest.firstIndex(of: ":") { rest = rest[rest.index(after: colon)...] }
        if rest.hasPrefix("//") {
            // mlflow-artifacts://host:port/path
            rest = rest.dropFirst(2)
            if let slash = rest.firstIndex(of: "/") { rest = rest[slash...] } else { rest = "" }
        }
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        return String(rest)
    }

    static func localPath(_ source: String) -> String? {
        if source.lowercased().hasPrefix("file://") {
            let rest = source.dropFirst(7)
            guard rest.hasPrefix("/") else { return nil }
            return String(rest)
        }
        if source.hasPrefix("/") { return source }
        return nil
    }

    /// Whether `path` is `root` or below it, comparing whole segments.
    static func isInside(_ path: String, _ root: String) -> Bool {
        let p = path.split(separator: "/").filter { $0 != "." }
        let r = root.split(separator: "/").filter { $0 != "." }
        return !r.isEmpty && p.count >= r.count && Array(p.prefix(r.count)) == r
    }

    static func invalid(_ source: String) -> SkiffError {
        .invalid("Invalid model version source: '\(source.prefix(300))'.")
    }
}
