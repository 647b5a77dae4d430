import Foundation
import NIOCore
import SkiffCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Artifacts in a local directory.
///
/// Paths arrive as validated `ArtifactPath`s; on top of that, every resolved file is checked against
/// symlinks that point outside the root (a symlink planted inside the root must not become a way out).
/// Uploads go to a hidden temporary file next to the target and are renamed into place, so a reader
/// never sees a partial file and a failed upload leaves nothing behind.
public struct LocalArtifactStore: ArtifactStore {
    /// The root directory, absolute and with symlinks resolved.
    public let root: String

    /// Opens (creating if needed) a local artifact root.
    /// - Throws: `SkiffError` `internalError` when the directory cannot be created.
    public init(root: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw SkiffError(.internalError, "The artifact directory could not be created.", detail: "\(error)")
        }
        guard let resolved = realpath(root, nil) else {
            throw SkiffError(.internalError, "The artifact directory could not be resolved.", detail: root)
        }
        self.root = String(cString: resolved)
        free(resolved)
    }

    /// The file-system path for `path`, refusing any location whose existing part resolves outside the root.
    func location(_ path: ArtifactPath) throws(SkiffError) -> String {
        let full = path.isRoot ? root : root + "/" + path.description
        // Resolve the longest existing prefix; it must stay under the root.
        var probe = full
        while true {
            if let resolved = realpath(probe, nil) {
                let text = String(cString: resolved)
                free(resolved)
                guard text == root || text.hasPrefix(root + "/") else { throw .invalid("Invalid path") }
                return full
            }
            guard let slash = probe.lastIndex(of: "/"), probe.count > root.count else { return full }
            probe = String(probe[..<slash])
        }
    }

    public func list(_ path: ArtifactPath) async throws -> [ArtifactEntry]? {
        let dir = try location(path)
        var info = stat()
        guard lstat(dir, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        var entries: [ArtifactEntry] = []
        for name in names.sorted() where !name.hasPrefix(".skiff-upload-") {
            var s = stat()
            guard lstat(dir + "/" + name, &s) == 0 else { continue }
            let kind = s.st_mode & S_IFMT
            if kind == S_IFDIR {
                entries.append(ArtifactEntry(name: name, isDirectory: true, size: nil))
            } else if kind == S_IFREG {
                entries.append(ArtifactEntry(name: name, isDirectory: false, size: Int64(s.st_size)))
            }
        }
        return entries
    }

    public func beginUpload(_ path: ArtifactPath) async throws -> any ArtifactUpload {
        guard !path.isRoot else { throw SkiffError.invalid("Invalid path") }
        let target = try location(path)
        let parent = String(target[..<target.lastIndex(of: "/")!])
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw SkiffError.invalid("Cannot create a file under '\(path)': a file is in the way.")
        }
        // Re-check after creating directories: a racing symlink must not redirect the write.
        _ = try location(path)
        var s = stat()
        if lstat(target, &s) == 0, (s.st_mode & S_IFMT) == S_IFDIR {
            throw SkiffError.invalid("Cannot write a file over the directory '\(path)'.")
        }
        let temp = parent + "/.skiff-upload-" + UUID().uuidString
        let fd = Glibc.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw SkiffError(.internalError, "The artifact could not be written.", detail: "open \(temp): \(errno)")
        }
        return LocalUpload(fd: fd, temp: temp, target: target)
    }

    public func open(_ path: ArtifactPath) async throws -> any ArtifactDownload {
        let file = try location(path)
        let fd = Glibc.open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        var s = stat()
        guard fd >= 0, fstat(fd, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else {
            if fd >= 0 { close(fd) }
            throw SkiffError.notFound("No such artifact: '\(path)'")
        }
        return LocalDownload(fd: fd, size: Int64(s.st_size), modificationTime: Int64(s.st_mtim.tv_sec))
    }

    public func delete(_ path: ArtifactPath) async throws {
        let target = try location(path)
        var s = stat()
        guard lstat(target, &s) == 0 else { return }
        do {
            if path.isRoot {
                for name in try FileManager.default.contentsOfDirectory(atPath: target) {
                    try FileManager.default.removeItem(atPath: target + "/" + name)
                }
            } else {
                try FileManager.default.removeItem(atPath: target)
            }
        } catch {
            throw SkiffError(.internalError, "The artifact could not be deleted.", detail: "\(error)")
        }
    }
}

/// An upload to a temporary file, renamed into place on commit.
/// `@unchecked Sendable`: one request task owns it from creation to commit or abort.
final class LocalUpload: ArtifactUpload, @unchecked Sendable {
    private var fd: Int32
    private let temp: String
    private let target: String

    init(fd: Int32, temp: String, target: String) {
        self.fd = fd
        self.temp = temp
        self.target = target
    }

    func write(_ buffer: ByteBuffer) async throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    discard()
                    throw SkiffError(.internalError, "The artifact could not be written.", detail: "write: \(code)")
                }
                offset += n
            }
        }
    }

    func commit() async throws {
        guard fd >= 0 else { throw SkiffError(.internalError, "The upload was already closed.") }
        let closed = close(fd)
        fd = -1
        guard closed == 0, rename(temp, target) == 0 else {
            let code = errno
            unlink(temp)
            throw SkiffError(.internalError, "The artifact could not be stored.", detail: "rename: \(code)")
        }
    }

    func abort() async { discard() }

    private func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temp)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temp)
        }
    }
}

/// A file opened for streaming.
/// `@unchecked Sendable`: one response writer owns it until close.
final class LocalDownload: ArtifactDownload, @unchecked Sendable {
    private var fd: Int32
    let size: Int64
    let modificationTime: Int64

    init(fd: Int32, size: Int64, modificationTime: Int64) {
        self.fd = fd
        self.size = size
        self.modificationTime = modificationTime
    }

    /// Bytes per chunk: large enough that syscalls do not dominate, small enough to keep memory flat, and at
    /// `skiff server`'s mmap threshold so each freed chunk goes back to the system.
    static let chunkSize = 256 * 1024

    func next() async throws -> ByteBuffer? {
        guard fd >= 0 else { return nil }
        var buffer = ByteBufferAllocator().buffer(capacity: Self.chunkSize)
        let fd = self.fd
        let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.chunkSize) { target in
            while true {
                let n = Glibc.read(fd, target.baseAddress!, Self.chunkSize)
                if n >= 0 { return n }
                if errno != EINTR {
                    throw SkiffError(.internalError, "The artifact could not be read.", detail: "read: \(errno)")
                }
            }
        }
        if count == 0 {
            release()
            return nil
        }
        return buffer
    }

    func close() async { release() }

    private func release() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
