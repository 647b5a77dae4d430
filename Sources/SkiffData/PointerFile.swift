import SkiffJSON
import Yams

/// A `NAME.skiff` file: the small, committable record of which content a tracked file or directory has.
///
/// ```yaml
/// outs:
/// - path: "raw.csv"
///   sha256: 8f43…
///   size: 1234
/// ```
/// A directory adds `type: directory` and `nfiles`; its `sha256` names the directory's manifest object.
/// `path` is the tracked name, in the pointer's own directory: one component, so a pointer can never point
/// outside where it sits.
public struct PointerFile: Equatable, Sendable {
    public enum Kind: String, Sendable { case file, directory }

    public var path: String
    public var kind: Kind
    public var id: ObjectID
    /// Bytes of the file, or of every file in the directory.
    public var size: Int64
    /// Files in the directory (1 for a file).
    public var fileCount: Int

    public init(path: String, kind: Kind, id: ObjectID, size: Int64, fileCount: Int) {
        self.path = path
        self.kind = kind
        self.id = id
        self.size = size
        self.fileCount = fileCount
    }

    public static let suffix = ".skiff"
    static let sizeLimit = 64 << 10

    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.string(path)
        var text = "outs:\n- path: \(String(decoding: writer.bytes, as: UTF8.self))\n"
        if kind == .directory { text += "  type: directory\n" }
        text += "  sha256: \(id.hex)\n  size: \(size)\n"
        if kind == .directory { text += "  nfiles: \(fileCount)\n" }
        return Array(text.utf8)
    }

    /// Parses a pointer file's bytes; `location` names it in errors.
    public static func decode(_ bytes: [UInt8], location: String) throws(DataError) -> PointerFile {
        func invalid(_ reason: String) -> DataError {
            DataError(.invalidMetadata, "\(location) is not a valid Skiff pointer file: \(reason).")
        }
        guard bytes.count <= sizeLimit else { throw invalid("it is larger than \(sizeLimit) bytes") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw invalid("it is not UTF-8") }
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch { throw invalid("it is not YAML (\(error))") }
        guard let root = document as? [String: Any], let outs = root["outs"] as? [Any] else {
            throw invalid("it has no `outs` list")
        }
        guard outs.count == 1, let entry = outs[0] as? [String: Any] else {
            throw invalid("`outs` must hold exactly one entry")
        }
        guard let path = entry["path"] as? String else { throw invalid("the entry has no `path`") }
        guard isSingleName(path) else {
            throw invalid("`path` must be one file or directory name beside the pointer, not '\(path)'")
        }
        guard let hex = entry["sha256"] as? String, let id = ObjectID(hex: hex) else {
            throw invalid("`sha256` must be 64 lowercase hex digits")
        }
        let kindText = entry["type"] as? String ?? "file"
        guard let kind = Kind(rawValue: kindText) else { throw invalid("`type` must be file or directory") }
        guard let size = integer(entry["size"]), size >= 0 else { throw invalid("`size` must be a whole number ≥ 0") }
        var fileCount = 1
        if kind == .directory {
            guard let count = integer(entry["nfiles"]), count >= 0, count <= Int64(Int32.max) else {
                throw invalid("`nfiles` must be a whole number ≥ 0")
            }
            fileCount = Int(count)
        }
        return PointerFile(path: path, kind: kind, id: id, size: size, fileCount: fileCount)
    }

    private static func integer(_ value: Any?) -> Int64? {
        if let value = value as? Int { return Int64(value) }
        return nil
    }

    /// One path component that names something inside its directory.
    static func isSingleName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(0x2F) && !name.utf8.contains(0)
    }
}
