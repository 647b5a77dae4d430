#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes CSV rows to a file (or standard output) through a 1 MiB buffer, without Foundation: numbers print in
/// Swift's shortest round-trip form, text is quoted only when it holds the delimiter, a quote or a line break.
public final class CSVWriter {
    private let sink: ByteSink
    private let delimiter: UInt8
    // A writer is used by one thread at a time, so dynamic exclusivity checks are skipped.
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    @exclusivity(unchecked) private var atRowStart = true
    private var closed = false

    /// Creates (or truncates) the file at `path`; `-` is standard output.
    public init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(TableError) {
        self.delimiter = delimiter
        sink = try ByteSink(path: path)
        buffer.reserveCapacity(1 << 20 + 4096)
    }

    deinit {
        if !closed {
            try? flush()
            try? sink.close()
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
        defer { buffer.removeAll(keepingCapacity: true) }
        try sink.write(buffer)
    }

    /// Flushes and closes the file.
    public func close() throws(TableError) {
        guard !closed else { return }
        closed = true
        do {
            try flush()
        } catch {
            try? sink.close()
            throw error
        }
        try sink.close()
    }
}
