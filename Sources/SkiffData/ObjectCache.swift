#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The content-addressed object store of a repository: `<root>/sha256/<2 hex>/<62 hex>`.
///
/// Objects are written to a temporary file in the object's own directory and renamed into place, so a reader
/// (or a concurrent writer of the same content) only ever sees complete objects. Objects are read-only on disk
/// and their hash is checked every time they are copied out, so a corrupted object is found and set aside,
/// never handed to the workspace.
public struct ObjectCache: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func path(of id: ObjectID) -> String {
        let hex = id.hex
        let split = hex.index(hex.startIndex, offsetBy: 2)
        return "\(root)/sha256/\(hex[..<split])/\(hex[split...])"
    }

    public func contains(_ id: ObjectID) -> Bool {
        access(path(of: id), F_OK) == 0
    }

    private func prepareDirectory(for id: ObjectID) throws(DataError) -> String {
        let target = path(of: id)
        let directory = String(target[..<target.lastIndex(of: "/")!])
        if access(directory, F_OK) != 0 { try FileSystem.makeDirectories(directory) }
        return target
    }

    /// Stores `bytes` (a manifest) under their hash.
    @discardableResult
    public func insert(bytes: [UInt8]) throws(DataError) -> ObjectID {
        let id = ObjectID.of(bytes)
        if contains(id) { return id }
        let target = try prepareDirectory(for: id)
        try FileSystem.writeAtomically(bytes, to: target, mode: 0o444)
        return id
    }

    /// Copies the file at `source` into the cache, hashing exactly the bytes written, and returns its version.
    /// When the content is already cached the copy is discarded.
    func insert(fileAt source: String, buffer: StreamBuffer) throws(DataError) -> FileVersion {
        // A file that fits the buffer is read once, hashed, and written straight into its object directory, or
        // not at all when the content is cached: most files of a many-small-files dataset take this path.
        if let small = try buffer.readWhole(source) {
            let version = FileVersion(id: ObjectID.of(small), size: Int64(small.count))
            if contains(version.id) { return version }
            let target = try prepareDirectory(for: version.id)
            let temporary = FileSystem.temporaryName(beside: target)
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
            guard fd >= 0 else { throw FileSystem.error("create", temporary) }
            do {
                try FileSystem.writeFully(fd, small, path: temporary)
            } catch {
                close(fd)
                unlink(temporary)
                throw error
            }
            close(fd)
            do { try FileSystem.rename(temporary, target) } catch {
                unlink(temporary)
                throw error
            }
            return version
        }
        let staging = "\(root)/staging"
        if access(staging, F_OK) != 0 { try FileSystem.makeDirectories(staging) }
        let temporary = FileSystem.temporaryName(beside: "\(staging)/object")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw FileSystem.error("create", temporary) }
        let version: FileVersion
        do {
            version = try buffer.stream(source, copyTo: fd, outputPath: temporary)
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        if contains(version.id) {
            unlink(temporary)
            return version
        }
        do {
            try FileSystem.rename(temporary, try prepareDirectory(for: version.id))
        } catch {
            unlink(temporary)
            throw error
        }
        return version
    }

    /// Reads a small object (a manifest) and checks its hash.
    public func read(_ id: ObjectID, limit: Int = 1 << 30) throws(DataError) -> [UInt8] {
        let location = path(of: id)
        guard contains(id) else { throw DataError(.notInCache, "Object \(id) is not in the cache.") }
        let bytes = try FileSystem.readAll(location, limit: limit)
        let actual = ObjectID.of(bytes)
        guard actual == id else { throw try quarantine(id, actual: actual) }
        return bytes
    }

    /// Writes the object's bytes to `destination` (through a temporary file beside it) after checking that they
    /// hash to `id`; a mismatch sets the object aside and throws, leaving `destination` untouched.
    func materialize(_ id: ObjectID, to destination: String, buffer: StreamBuffer) throws(DataError) {
        let source = path(of: id)
        guard contains(id) else { throw DataError(.notInCache, "Object \(id) is not in the cache.") }
        let temporary = FileSystem.temporaryName(beside: destination)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystem.error("create", temporary) }
        let version: FileVersion
        do {
            version = try buffer.stream(source, copyTo: fd, outputPath: temporary)
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard version.id == id else {
            unlink(temporary)
            throw try quarantine(id, actual: version.id)
        }
        do {
            try FileSystem.rename(temporary, destination)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Moves a corrupt object to `<root>/corrupt/` (kept for inspection, out of every lookup) and returns the
    /// error to report.
    private func quarantine(_ id: ObjectID, actual: ObjectID) throws(DataError) -> DataError {
        let corrupt = "\(root)/corrupt"
        try FileSystem.makeDirectories(corrupt)
        try FileSystem.rename(path(of: id), "\(corrupt)/\(id.hex)")
        return DataError(
            .corruptObject,
            "Cache object \(id) is corrupt (its bytes hash to \(actual)); it was moved to \(corrupt)/\(id.hex). "
                + "Pull it again or re-add the data it belongs to.")
    }

    /// Every object in the cache, for garbage collection.
    public func allObjects() throws(DataError) -> [ObjectID] {
        let base = "\(root)/sha256"
        guard try FileSystem.info(base)?.kind == .directory else { return [] }
        var ids: [ObjectID] = []
        for (prefix, _) in try FileSystem.list(base) where prefix.utf8.count == 2 {
            for (rest, _) in try FileSystem.list("\(base)/\(prefix)") {
                if let id = ObjectID(hex: prefix + rest) { ids.append(id) }
            }
        }
        return ids
    }

    public func remove(_ id: ObjectID) throws(DataError) {
        try FileSystem.remove(path(of: id))
    }
}
