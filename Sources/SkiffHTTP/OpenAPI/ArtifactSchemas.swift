import SkiffCore
import SkiffRouting

/// Schemas of artifact paths and listings, shared by the artifact proxy, `artifacts/list` and the UI's file calls.
enum ArtifactSchemas {
    /// A relative artifact path as `ArtifactPath` accepts it (after percent-decoding): no leading `/` or `~`, no
    /// drive letter, no empty, `.` or `..` segment, no control character, `\`, `#` or `;`, ≤ 1024 characters, no
    /// segment over 255. A `%` escape is left out because the server decodes repeatedly (`%2e%2e` is `..`); a lone
    /// `%` is plain text.
    static let relativePath = Schema.string(
        maxLength: ArtifactPath.maxLength,
        pattern:
            "^(?![/~])(?![A-Za-z]:)(?![\\s\\S]*[^/]{256})(?!(.*/)?\\.\\.?(/|$))(?!.*//)(?:[^\\u0000-\\u001f\\u007f\\\\#;%]|%(?![0-9A-Fa-f]{2}))*$(?![\\s\\S])"
    )

    /// A relative artifact path that names something (not the root).
    static let filePath = Schema.string(
        minLength: 1, maxLength: ArtifactPath.maxLength,
        pattern:
            "^(?![/~])(?![A-Za-z]:)(?![\\s\\S]*[^/]{256})(?!(.*/)?\\.\\.?(/|$))(?!.*//)(?:[^\\u0000-\\u001f\\u007f\\\\#;%]|%(?![0-9A-Fa-f]{2}))+$(?![\\s\\S])"
    )

    /// An artifact file's bytes, in any media type.
    static let fileContent = [Operation.Content("application/octet-stream", .string(format: "binary"))]

    /// A downloaded file: its type follows its extension; it is always an attachment.
    static let downloadHeaders: [(String, Schema)] = [
        ("Content-Disposition", .string(pattern: "^attachment; filename=")),
        ("X-Content-Type-Options", .oneOf(["nosniff"])),
    ]

    static let all: [(String, Schema)] = [
        (
            "FileInfo",
            .object([
                .required("path", .string()), .optional("is_dir", .boolean), .optional("file_size", .int64),
            ])
        )
    ]
}
