#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Remembers the hash of each workspace file against its (inode, size, mtime), so a file that has not changed
/// since it was last hashed is not read again. Kept in `.skiff/tmp/stat-cache`, private to one checkout.
///
/// A file whose mtime is within `racyWindow` of the moment it was hashed is not remembered: the file system's
/// clock is coarse, and a write in the same tick would leave the mtime unchanged (git's "racily clean" case).
struct StatCache: Sendable {
    struct Entry: Equatable, Sendable {
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var id: ObjectID
    }

    private(set) var entries: [String: Entry] = [:]
    private(set) var isDirty = false
    static let racyWindow: Int64 = 100_000_000

    private static let magic = Array("SKIFFSTAT1\n".utf8)

    func version(of path: String, info: FileInfo) -> FileVersion? {
        guard let entry = entries[path], entry.inode == info.inode, entry.size == info.size,
            entry.modified == info.modified
        else { return nil }
        return FileVersion(id: entry.id, size: entry.size)
    }

    mutating func record(_ path: String, info: FileInfo, id: ObjectID, hashedAt now: Int64) {
        guard now - info.modified > Self.racyWindow else {
            if entries.removeValue(forKey: path) != nil { isDirty = true }
            return
        }
        let entry = Entry(inode: info.inode, size: info.size, modified: info.modified, id: id)
        if entries[path] != entry {
            entries[path] = entry
            isDirty = true
        }
    }

    mutating func forget(_ path: String) {
        if entries.removeValue(forKey: path) != nil { isDirty = true }
    }

    /// Loads the cache; a missing, foreign or damaged file is an empty cache (it only saves work).
    static func load(from path: String) -> StatCache {
        guard let bytes = try? FileSystem.readAll(path, limit: 1 << 31), bytes.starts(with: magic) else {
            return StatCache()
        }
        var cache = StatCache()
        var reader = ByteReader(bytes: bytes, offset: magic.count)
        while reader.offset < bytes.count {
            guard let length = reader.integer(UInt16.self), let name = reader.string(Int(length)),
                let inode = reader.integer(UInt64.self), let size = reader.integer(UInt64.self),
                let modified = reader.integer(UInt64.self), let hex = reader.string(64), let id = ObjectID(hex: hex)
            else { return StatCache() }
            cache.entries[name] = Entry(
                inode: inode, size: Int64(bitPattern: size), modified: Int64(bitPattern: modified), id: id)
        }
        return cache
    }

    func save(to path: String) throws(DataError) {
        var bytes = Self.magic
        bytes.reserveCapacity(entries.count * 128)
        for (name, entry) in entries where name.utf8.count <= Int(UInt16.max) {
            append(UInt16(name.utf8.count), to: &bytes)
            bytes.append(contentsOf: name.utf8)
            append(entry.inode, to: &bytes)
            append(UInt64(bitPattern: entry.size), to: &bytes)
            append(UInt64(bitPattern: entry.modified), to: &bytes)
            bytes.append(contentsOf: entry.id.hex.utf8)
        }
        try FileSystem.writeAtomically(bytes, to: path)
    }

    private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        let width = MemoryLayout<T>.size
        guard offset + width <= bytes.count else { return nil }
        var value: T = 0
        for index in 0..<width { value |= T(bytes[offset + index]) << (8 * index) }
        offset += width
        return value
    }

    mutating func string(_ length: Int) -> String? {
        guard offset + length <= bytes.count else { return nil }
        defer { offset += length }
        return String(validating: bytes[offset..<offset + length], as: UTF8.self)
    }
}

/// Wall-clock nanoseconds, the clock file mtimes are on.
func wallClockNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}
