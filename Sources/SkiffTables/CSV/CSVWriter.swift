#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes CSV rows to a file (or standard output) through a 1 MiB buffer, without Foundation: numbers print in
/// Swift's shortest round-trip form, text is quoted only when it holds the delimiter, a quote or a line break.
public final class CSVWriter {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let name: String
    private let delimiter: UInt8
    // A writer is used by one thread at a time, so dynamic exclusivity checks are skipped.
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    @exclusivity(unchecked) private var atRowStart = true
    private var closed = false

    /// Creates (or truncates) the file at `path`; `-` is standard output.
    public init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(TableError) {
        self.delimiter = delimiter
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
        buffer.reserveCapacity(1 << 20 + 4096)
    }

    deinit {
        if !closed {
            try? flush()
            if ownsDescriptor { closeDescriptor(descriptor) }
        }
    }

    @inline(__always)
    private func separate() {
        if !atRowStart { buffer.append(delimiter) }
        atRowStart = false
    }

    /// Appends a text field, quoted when needed.
    public func field(_ text: String) {
        separate()
        var text = text
        text.withUTF8 { bytes in
            let needsQuotes = bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            guard needsQuotes else {
                buffer.append(contentsOf: bytes)
                return
            }
            buffer.append(0x22)
            for b in bytes {
                buffer.append(b)
                if b == 0x22 { buffer.append(0x22) }
            }
            buffer.append(0x22)
        }
    }

    /// Appends a number (`nan`, `inf` and `-inf` as Swift prints them).
    public func field(_ value: Double) {
        separate()
        var text = value.description
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    public func field(_ value: Float) {
        separate()
        var text = value.description
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    public func field(_ value: Int64) {
        separate()
        var text = String(value)
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// Ends the current row, writing the buffer out once it holds 1 MiB.
    public func endRow() throws(TableError) {
        buffer.append(0x0A)
        atRowStart = true
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes out what is buffered.
    public func flush() throws(TableError) {
        var written = 0
        let count = buffer.count
        let failure: Int32? = buffer.withUnsafeBytes { raw in
            while written < count {
                let n = write(descriptor, raw.baseAddress! + written, count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return nil
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure {
            throw TableError(.unreadableFile, "cannot write '\(name)': \(String(cString: strerror(failure)))")
        }
    }

    /// Flushes and closes the file.
    public func close() throws(TableError) {
        guard !closed else { return }
        closed = true
        defer { if ownsDescriptor { closeDescriptor(descriptor) } }
        try flush()
    }
}

/// The C library's `close`, out of reach of `CSVWriter.close()`'s name.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
