import SkiffJSON

/// The list of files in a tracked directory, stored as an object whose hash is the directory's version.
///
/// The bytes are a JSON array, one `{"relpath", "sha256", "size"}` object per line, sorted by the UTF-8 bytes of
/// `relpath`, so the same tree always gives the same bytes and the same hash (a Merkle tree of depth one).
/// Relative paths from a manifest are untrusted: each must stay inside its directory.
public struct DirectoryManifest: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var path: String
        public var version: FileVersion

        public init(path: String, version: FileVersion) {
            self.path = path
            self.version = version
        }
    }

    /// Sorted by the UTF-8 bytes of `path`, no duplicates.
    public private(set) var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    public var totalSize: Int64 { entries.reduce(0) { $0 + $1.version.size } }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(entries.count * 120 + 4)
        for (index, entry) in entries.enumerated() {
            bytes.append(contentsOf: index == 0 ? [0x0A] : [0x2C, 0x0A])
            var writer = JSONWriter(capacity: 128)
            writer.beginObject()
            writer.field("relpath", entry.path)
            writer.field("sha256", entry.version.id.hex)
            writer.field("size", entry.version.size)
            writer.endObject()
            bytes.append(contentsOf: writer.bytes)
        }
        bytes.append(contentsOf: Array("\n]\n".utf8))
        return bytes
    }

    public static func decode(_ bytes: [UInt8], id: ObjectID) throws(DataError) -> DirectoryManifest {
        func invalid(_ reason: String) -> DataError {
            DataError(.invalidMetadata, "Directory manifest \(id) is invalid: \(reason).")
        }
        let json: JSON
        do { json = try JSONParser.parse(bytes) } catch { throw invalid("it is not JSON (\(error.reason))") }
        guard case .array(let items) = json else { throw invalid("it is not a JSON array") }
        var entries: [Entry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard case .object(let object) = item,
                case .string(let path)? = object["relpath"],
                case .string(let hex)? = object["sha256"], let objectID = ObjectID(hex: hex),
                case .number(let sizeText)? = object["size"], let size = Int64(sizeText), size >= 0
            else { throw invalid("every entry needs a relpath, a sha256 and a size") }
            guard isSafeRelativePath(path) else { throw invalid("'\(path)' is not a path inside the directory") }
            if let previous = entries.last {
                guard previous.path.utf8.lexicographicallyPrecedes(path.utf8) else {
                    throw invalid("entries are not sorted and unique at '\(path)'")
                }
                guard !path.hasPrefix(previous.path + "/") else {
                    throw invalid("'\(previous.path)' is both a file and a directory")
                }
            }
            entries.append(Entry(path: path, version: FileVersion(id: objectID, size: size)))
        }
        var manifest = DirectoryManifest(entries: [])
        manifest.entries = entries
        return manifest
    }

    /// Relative, no empty, `.` or `..` components, no NUL: a path that cannot leave its directory.
    static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }
}
