/// Content types for artifact downloads, by file extension.
enum MediaTypes {
    static let byExtension: [String: String] = [
        "txt": "text/plain", "log": "text/plain", "md": "text/markdown", "json": "application/json",
        "yaml": "text/yaml", "yml": "text/yaml", "csv": "text/csv", "html": "text/html", "htm": "text/html",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "svg": "image/svg+xml", "pdf": "application/pdf", "py": "text/x-python", "xml": "application/xml",
        "parquet": "application/octet-stream", "pkl": "application/octet-stream",
    ]

    /// The media type for a file name; `application/octet-stream` when unknown.
    static func forFile(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        let ext = name[name.index(after: dot)...].lowercased()
        return byExtension[ext] ?? "application/octet-stream"
    }
}
