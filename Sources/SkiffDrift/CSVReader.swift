#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A streaming reader of RFC 4180 CSV: comma-separated, `"`-quoted fields with `""` escapes, LF or CRLF
/// line ends, quoted fields may span lines.
///
/// The file is read in 4 MiB blocks (a block grows only for a record longer than that); memory use is
/// independent of the file's size. Unquoted fields are handed over in place, without copying; quoted fields
/// are unquoted in place. Each record is given to the caller as a ``Record`` whose bytes are valid only
/// during the call. O(bytes) time.
public struct CSVReader: Sendable {
    /// The file being read.
    public let path: String

    /// A reader of the file at `path` (nothing is opened until ``forEachRecord(_:)``).
    public init(path: String) {
        self.path = path
    }

    /// The fields of one record.
    public struct Record {
        let base: UnsafeMutablePointer<UInt8>
        let starts: UnsafeBufferPointer<Int>
        let ends: UnsafeBufferPointer<Int>
        /// Number of fields.
        public let count: Int
        /// 1-based record number, counting the header as 1.
        public let number: Int

        /// The bytes of field `i` (unquoted).
        @inline(__always)
        public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: base + starts[i], count: ends[i] - starts[i])
        }

        /// Field `i` as a string.
        public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }
    }

    /// Calls `body` for every record, header included; `body` returns false to stop early.
    ///
    /// - Throws: `DriftError.unreadableFile` when the file cannot be opened or read; rethrows from `body`.
    public func forEachRecord(_ body: (Record) throws -> Bool) throws {
        guard let file = fopen(path, "rb") else {
            throw DriftError(.unreadableFile, "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var capacity = 4 << 20
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var starts: [Int] = []
        var ends: [Int] = []
        starts.reserveCapacity(256)
        ends.reserveCapacity(256)
        var filled = 0  // bytes in buffer
        var recordNumber = 0
        var atEOF = false

        while true {
            if !atEOF {
                if filled == capacity {
                    // One record is longer than the buffer: grow it.
                    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                    bigger.update(from: buffer, count: filled)
                    buffer.deallocate()
                    buffer = bigger
                    capacity *= 2
                }
                let n = fread(buffer + filled, 1, capacity - filled, file)
                if n == 0 {
                    if ferror(file) != 0 { throw DriftError(.unreadableFile, "cannot read '\(path)'") }
                    atEOF = true
                }
                filled += n
            }
            // Parse every complete record in buffer[0..<filled].
            var position = 0
            while position < filled {
                // Find the end of the record: a newline outside quotes. Record field separators on the way.
                starts.removeAll(keepingCapacity: true)
                ends.removeAll(keepingCapacity: true)
                var i = position
                var fieldStart = position
                var inQuotes = false
                var quoted = false
                var complete = false
                while i < filled {
                    let c = buffer[i]
                    if inQuotes {
                        if c == 0x22 { inQuotes = false }
                    } else if c == 0x2C {
                        starts.append(fieldStart)
                        ends.append(i)
                        fieldStart = i + 1
                    } else if c == 0x0A {
                        complete = true
                        break
                    } else if c == 0x22 && i == fieldStart {
                        inQuotes = true
                        quoted = true
                    }
                    i += 1
                }
                if !complete && !atEOF { break }  // wait for more bytes
                var lineEnd = i
                if lineEnd > fieldStart && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                starts.append(fieldStart)
                ends.append(lineEnd)
                let next = complete ? i + 1 : filled
                let blank = starts.count == 1 && ends[0] == starts[0]
                if !blank {
                    if quoted { unquote(buffer) }
                    recordNumber += 1
                    let keepGoing = try starts.withUnsafeBufferPointer { s in
                        try ends.withUnsafeBufferPointer { e in
                            try body(Record(base: buffer, starts: s, ends: e, count: s.count, number: recordNumber))
                        }
                    }
                    if !keepGoing { return }
                }
                position = next
            }
            if atEOF { return }
            // Move the incomplete record to the front.
            let rest = filled - position
            if rest > 0 && position > 0 { (buffer).update(from: buffer + position, count: rest) }
            filled = rest
        }

        /// Unquotes the fields of the current record in place (content only moves left).
        func unquote(_ base: UnsafeMutablePointer<UInt8>) {
            for f in starts.indices {
                let s = starts[f]
                let e = ends[f]
                guard s < e, base[s] == 0x22 else { continue }
                var read = s + 1
                var write = s
                while read < e {
                    let c = base[read]
                    if c == 0x22 {
                        if read + 1 < e && base[read + 1] == 0x22 {
                            base[write] = 0x22
                            write += 1
                            read += 2
                            continue
                        }
                        read += 1  // closing quote; anything after it is kept as text
                        continue
                    }
                    base[write] = c
                    write += 1
                    read += 1
                }
                ends[f] = write
            }
        }
    }
}
