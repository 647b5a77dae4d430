/// Validation rules shared by every entry point, with MLflow's wording where clients show it.
public enum Validate {
    /// Checks a metric, param or tag key: `[/\w.\- :]`, at most 250 characters, and a path that does not
    /// normalise to something else (`..`, a leading `/`, `a//b`, a trailing `/`), because keys become file names.
    /// - Throws: `invalidParameterValue`.
    public static func entityKey(_ key: String, kind: String) throws(SkiffError) {
        guard !key.isEmpty else { throw .missingParameter("key") }
        guard key.count <= Limits.maxEntityKeyLength else {
            throw .invalid("'\(kind) key' exceeds the maximum length of \(Limits.maxEntityKeyLength) characters")
        }
        for c in key {
            guard c.isLetter || c.isNumber || c == "_" || c == "/" || c == "." || c == "-" || c == " " || c == ":"
            else {
                throw .invalid(
                    "Invalid \(kind.lowercased()) name: '\(key.prefix(250))'. Names may only contain alphanumerics, "
                        + "underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
                )
            }
        }
        guard isNormalPath(key) else {
            throw .invalid(
                "Invalid \(kind.lowercased()) name: '\(key.prefix(250))'. Names may be treated as files in certain "
                    + "cases, and must not resolve to other names when treated as such. This name would resolve to "
                    + "'\(normalise(key))'"
            )
        }
    }

    /// Whether a relative slash-separated path is already in normal form and stays below its root.
    static func isNormalPath(_ path: String) -> Bool {
        let norm = normalise(path)
        return norm == path && norm != "." && !norm.hasPrefix("..") && !norm.hasPrefix("/")
    }

    /// POSIX path normalisation without touching the file system (like `posixpath.normpath`).
    static func normalise(_ path: String) -> String {
        if path.isEmpty { return "." }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Checks a run id: `^[a-zA-Z0-9][\w\-]{0,255}$`.
    /// - Throws: `invalidParameterValue`.
    public static func runID(_ id: String) throws(SkiffError) {
        let scalars = Array(id.unicodeScalars)
        guard let first = scalars.first, scalars.count <= 256, first.isASCIIAlphanumeric,
            scalars.allSatisfy({ $0.isASCIIAlphanumeric || $0 == "_" || $0 == "-" })
        else {
            throw .invalid("Invalid value \"\(id.prefix(300))\" for parameter 'run_id' supplied.")
        }
    }

    /// Checks an experiment id: a non-negative decimal integer.
    /// - Throws: `invalidParameterValue` "Experiment ID must be a valid integer".
    public static func experimentID(_ id: String) throws(SkiffError) {
        guard !id.isEmpty, id.utf8.count <= 18, id.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw .invalid("Experiment ID '\(id.prefix(100))' must be a valid integer")
        }
    }

    /// Checks an experiment name: non-empty, at most 500 characters.
    /// - Throws: `invalidParameterValue`.
    public static func experimentName(_ name: String) throws(SkiffError) {
        guard !name.trimmingWhitespace.isEmpty else { throw .invalid("Invalid experiment name: '\(name)'") }
        guard name.count <= Limits.maxExperimentNameLength else {
            throw .invalid(
                "'name' exceeds the maximum length of \(Limits.maxExperimentNameLength) characters"
            )
        }
        guard !name.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw .invalid("Invalid experiment name: it contains a NUL character")
        }
    }

    /// Checks an experiment's artifact location. Local paths, `file:`, `mlflow-artifacts:` and object-store
    /// URIs are accepted; `runs:` and host-addressed schemes such as `http:` (an SSRF vector) are not,
    /// nor fragments, NUL bytes or `..` segments.
    /// - Throws: `invalidParameterValue`.
    public static func artifactLocation(_ location: String) throws(SkiffError) {
        guard location.utf8.count <= Limits.maxArtifactLocationLength else {
            throw .invalid("Artifact location exceeds the maximum length of \(Limits.maxArtifactLocationLength)")
        }
        let lower = location.lowercased()
        if lower.hasPrefix("runs:") {
            throw .invalid("Artifact location cannot be a runs:/ URI: '\(location.prefix(200))'")
        }
        for scheme in ["http:", "https:", "ftp:", "sftp:", "gopher:", "ldap:", "dict:"] where lower.hasPrefix(scheme) {
            throw .invalid(
                "Artifact location with a host-addressed scheme is not allowed: '\(location.prefix(200))'"
            )
        }
        let decoded = PathDecoding.fullyDecoded(location)
        if decoded.contains("#") || decoded.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw .invalid("Invalid artifact location: '\(location.prefix(200))'")
        }
        if decoded.split(separator: "/").contains("..") || decoded.contains("\\") {
            throw .invalid("Invalid artifact location: '\(location.prefix(200))'")
        }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        (value >= 48 && value <= 57) || (value >= 65 && value <= 90) || (value >= 97 && value <= 122)
    }
}

extension String {
    var trimmingWhitespace: Substring {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
