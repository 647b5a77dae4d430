#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file read at offsets with `pread`, as Parquet's footer-first layout needs (closed when released), or bytes
/// already in memory.
final class ParquetFile {
    /// The name shown in messages.
    let name: String
    /// Bytes in the file when it was opened.
    let size: Int
    private let descriptor: Int32
    private let bytes: [UInt8]?

    /// Opens `path` for reading.
    init(path: String) throws(TableError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TableError(.unreadableFile, "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw TableError(.unreadableFile, "cannot read '\(path)': \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw TableError(.unreadableFile, "cannot read '\(path)': it is not a regular file")
        }
        self.descriptor = descriptor
        size = Int(info.st_size)
        name = path
        bytes = nil
    }

    /// Reads `bytes`, named `name` in messages.
    init(bytes: [UInt8], name: String) {
        descriptor = -1
        size = bytes.count
        self.name = name
        self.bytes = bytes
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The bytes at `range`, which lies within the file.
    func read(_ range: Range<Int>) throws(TableError) -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= size)
        if range.isEmpty { return [] }
        if let bytes { return Array(bytes[range]) }
        var failure: TableError?
        let bytes = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            var done = 0
            while done < range.count {
                let n = pread(
                    descriptor, buffer.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
                if n > 0 {
                    done += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    let reason =
                        n == 0 ? "the file is shorter than when it was opened" : String(cString: strerror(errno))
                    failure = TableError(.unreadableFile, "cannot read '\(name)': \(reason)")
                    break
                }
            }
            initialized = failure == nil ? range.count : 0
        }
        if let failure { throw failure }
        return bytes
    }
}
