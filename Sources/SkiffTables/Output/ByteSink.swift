#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file (or standard output) written front to back with `write(2)`: the output end of every table writer.
final class ByteSink {
    /// The name shown in messages.
    let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var closed = false
    /// Bytes written so far: a Parquet writer's offsets.
    private(set) var offset = 0

    /// Creates (or truncates) the file at `path`; `-` is standard output.
    init(path: String) throws(TableError) {
        if path == "-" {
            descriptor = 1
            ownsDescriptor = false
            name = "standard output"
        } else {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw TableError(.unreadableFile, "cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            descriptor = fd
            ownsDescriptor = true
            name = path
        }
    }

    deinit {
        if !closed && ownsDescriptor { closeDescriptor(descriptor) }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(TableError) {
        var written = 0
        while written < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw TableError(.unreadableFile, "cannot write '\(name)': \(String(cString: strerror(errno)))")
            }
            written += n
        }
        offset += bytes.count
    }

    func write(_ bytes: [UInt8]) throws(TableError) {
        var failure: TableError?
        bytes.withUnsafeBytes { raw in
            do throws(TableError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Closes the file; a failure to close (a full disk on NFS) is an error, since data may be lost.
    func close() throws(TableError) {
        guard !closed else { return }
        closed = true
        guard ownsDescriptor else { return }
        if closeDescriptor(descriptor) != 0 {
            throw TableError(.unreadableFile, "cannot write '\(name)': \(String(cString: strerror(errno)))")
        }
    }
}

/// The C library's `close`, out of reach of the writers' own `close()`.
@discardableResult
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    Glibc.close(descriptor)
}
