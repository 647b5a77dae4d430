import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `lstat` says about a path, reduced to what versioning needs.
struct FileInfo: Equatable, Sendable {
    enum Kind: Sendable { case file, directory, symlink, other }
    var kind: Kind
    var size: Int64
    var inode: UInt64
    var device: UInt64
    /// Modification time in nanoseconds since the epoch.
    var modified: Int64
}

/// Thin, throwing wrappers over the POSIX calls the data commands use, so that every failure names its path.
enum FileSystem {
    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> DataError {
        DataError(.io, "Could not \(operation) \(path): \(String(cString: strerror(code))).")
    }

    /// `lstat`, or nil when nothing is there.
    static func info(_ path: String) throws(DataError) -> FileInfo? {
        var raw = stat()
        guard lstat(path, &raw) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw error("inspect", path)
        }
        return FileInfo(raw)
    }

    /// The entries of a directory (not `.` and `..`), as raw names; a name that is not UTF-8 is an error
    /// because a pointer, a manifest and a remote could not name it faithfully.
    static func list(_ path: String) throws(DataError) -> [(name: String, kind: FileInfo.Kind?)] {
        guard let dir = opendir(path) else { throw error("list", path) }
        defer { closedir(dir) }
        var entries: [(name: String, kind: FileInfo.Kind?)] = []
        while let entry = readdir(dir) {
            let (name, valid) = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: UInt8.self, capacity: 256) { bytes in
                    let length = strlen(UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self))
                    let buffer = UnsafeBufferPointer(start: bytes, count: length)
                    return (String(decoding: buffer, as: UTF8.self), String(validating: buffer, as: UTF8.self) != nil)
                }
            }
            if name == "." || name == ".." { continue }
            guard valid else { throw DataError(.invalidPath, "\(path)/\(name) has a name that is not valid UTF-8.") }
            let kind: FileInfo.Kind?
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symlink
            case Int32(DT_UNKNOWN): kind = nil
            default: kind = .other
            }
            entries.append((name, kind))
        }
        return entries
    }

    static func makeDirectory(_ path: String) throws(DataError) {
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw error("create the directory", path) }
    }

    /// Creates `path` and its missing parents; an existing non-directory (or a symlink) on the way is an error,
    /// so a planted symlink cannot redirect a write outside the repository.
    static func makeDirectories(_ path: String) throws(DataError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            switch try info(prefix)?.kind {
            case .directory: continue
            case nil: try makeDirectory(prefix)
            case .some:
                throw DataError(.wouldLoseData, "\(prefix) is in the way of a directory Skiff needs to create.")
            }
        }
    }

    static func remove(_ path: String) throws(DataError) {
        if unlink(path) != 0, errno != ENOENT { throw error("remove", path) }
    }

    static func removeDirectory(_ path: String) throws(DataError) {
        if rmdir(path) != 0, errno != ENOENT { throw error("remove the directory", path) }
    }

    static func rename(_ from: String, _ to: String) throws(DataError) {
        if systemRename(from, to) != 0 { throw error("move \(from) to", to) }
    }

    static func readAll(_ path: String, limit: Int) throws(DataError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw DataError(.missing, "\(path) does not exist.") }
            throw error("open", path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
            guard bytes.count <= limit else {
                throw DataError(.invalidMetadata, "\(path) is larger than \(limit) bytes.")
            }
        }
    }

    /// Writes `bytes` to a temporary file beside `path`, syncs it and renames it into place, so a reader sees
    /// the old file or the new one, never a part.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(DataError) {
        let temporary = temporaryName(beside: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw error("create", temporary) }
        do {
            try writeFully(fd, bytes, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        do { try rename(temporary, path) } catch {
            unlink(temporary)
            throw error
        }
    }

    static func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(DataError) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            offset += n
        }
    }

    static func writeFully(_ fd: Int32, _ bytes: [UInt8], path: String) throws(DataError) {
        var failure: DataError?
        bytes.withUnsafeBytes { buffer in
            do throws(DataError) { try writeFully(fd, buffer, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private static let processID = getpid()

    /// A hidden name in the same directory as `path` (so the final rename stays on one file system).
    static func temporaryName(beside path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).skiff-tmp-\(processID)-\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// The C `rename`, which `FileSystem.rename` shadows inside the enum.
private func systemRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }

extension FileInfo {
    init(_ raw: stat) {
        switch raw.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        size = Int64(raw.st_size)
        inode = UInt64(raw.st_ino)
        device = UInt64(raw.st_dev)
        modified = Int64(raw.st_mtim.tv_sec) * 1_000_000_000 + Int64(raw.st_mtim.tv_nsec)
    }
}

/// A reusable I/O buffer for streaming a file through SHA-256, one per worker thread.
final class StreamBuffer {
    static let size = 1 << 20
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: StreamBuffer.size, alignment: 64)
    deinit { bytes.deallocate() }

    /// The whole content of `path` when it is smaller than the buffer (nil when it is not, so the caller streams).
    func readWhole(_ path: String) throws(DataError) -> UnsafeRawBufferPointer? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw DataError(.missing, "\(path) does not exist.") }
            throw FileSystem.error("open", path)
        }
        defer { close(fd) }
        var total = 0
        while total < bytes.count {
            let n = read(fd, bytes.baseAddress! + total, bytes.count - total)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystem.error("read", path)
            }
            if n == 0 { return UnsafeRawBufferPointer(start: bytes.baseAddress, count: total) }
            total += n
        }
        return nil
    }

    /// Hashes the file at `path`, and (when `copyTo` is a file descriptor) writes the same bytes there, so a
    /// copy is hashed from exactly what was written. Returns the hash and the number of bytes read.
    func stream(_ path: String, copyTo output: Int32? = nil, outputPath: String = "") throws(DataError) -> FileVersion {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw DataError(.missing, "\(path) does not exist.") }
            throw FileSystem.error("open", path)
        }
        defer { close(fd) }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        var hasher = SHA256()
        var total: Int64 = 0
        while true {
            let n = read(fd, bytes.baseAddress, bytes.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystem.error("read", path)
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(start: bytes.baseAddress, count: n)
            hasher.update(bufferPointer: chunk)
            if let output { try FileSystem.writeFully(output, chunk, path: outputPath) }
            total += Int64(n)
        }
        return FileVersion(id: ObjectID(digest: hasher.finalize()), size: total)
    }
}
