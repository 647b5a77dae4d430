/// A relative artifact path that has been checked to stay inside its artifact root.
///
/// Every path from a client is hostile until it passes here: it is percent-decoded repeatedly (so
/// `%252e%252e%252f` is seen as `../`), then refused if it holds a `..` or `.` segment, an empty segment,
/// an absolute or drive-letter start, a backslash, `#`, `;`, a NUL or any other control character, or a segment
/// longer than 255 bytes.
/// The empty path names the root itself.
public struct ArtifactPath: Sendable, Equatable, CustomStringConvertible {
    /// The longest path accepted, in Unicode scalars (and at most 4096 UTF-8 bytes, a common `PATH_MAX`).
    public static let maxLength = 1024

    /// The longest segment, in UTF-8 bytes: a file name longer than the file system's `NAME_MAX` could never be
    /// stored, so it is refused as a bad path rather than failing as a server error at write time.
    public static let maxSegmentBytes = 255

    /// The path segments, none empty, none `.` or `..`.
    public let components: [String]

    /// The path joined with `/`; empty for the root.
    public var description: String { components.joined(separator: "/") }

    /// The last segment, or "" for the root.
    public var basename: String { components.last ?? "" }

    /// Whether this is the root.
    public var isRoot: Bool { components.isEmpty }

    /// Validates a client-supplied path (raw or percent-encoded).
    /// - Throws: `invalidParameterValue` "Invalid path" for anything that could leave the root.
    public init(validating raw: String) throws(SkiffError) {
        let decoded = PathDecoding.fullyDecoded(raw)
        guard decoded.utf8.count <= 4096, decoded.unicodeScalars.count <= Self.maxLength else {
            throw Self.invalid(raw)
        }
        for scalar in decoded.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\\" || scalar == "#" || scalar == ";" {
                throw Self.invalid(raw)
            }
        }
        if decoded.hasPrefix("/") || decoded.hasPrefix("~") { throw Self.invalid(raw) }
        let bytes = Array(decoded.utf8)
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":"),
            (bytes[0] | 0x20) >= UInt8(ascii: "a"), (bytes[0] | 0x20) <= UInt8(ascii: "z")
        {
            throw Self.invalid(raw)
        }
        var parts: [String] = []
        if !decoded.isEmpty {
            for part in decoded.split(separator: "/", omittingEmptySubsequences: false) {
                // A single trailing slash ("dir/") is tolerated; any other empty segment is not.
                if part.isEmpty, parts.count > 0, part.endIndex == decoded.endIndex { continue }
                guard !part.isEmpty, part != ".", part != "..", part.utf8.count <= Self.maxSegmentBytes else {
                    throw Self.invalid(raw)
                }
                parts.append(String(part))
            }
        }
        self.components = parts
    }

    private init(components: [String]) {
        self.components = components
    }

    /// The root path.
    public static let root = ArtifactPath(components: [])

    /// This path with a validated relative path appended.
    public func appending(_ other: ArtifactPath) -> ArtifactPath {
        ArtifactPath(components: components + other.components)
    }

    /// This path with one more segment, validated.
    /// - Throws: `invalidParameterValue` when `segment` is not a plain name.
    public func appending(segment: String) throws(SkiffError) -> ArtifactPath {
        let extra = try ArtifactPath(validating: segment)
        return appending(extra)
    }

    private static func invalid(_ raw: String) -> SkiffError {
        .invalid("Invalid path")
    }
}
