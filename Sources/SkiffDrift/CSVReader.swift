#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A streaming reader of RFC 4180 CSV: comma-separated, `"`-quoted fields with `""` escapes, LF or CRLF
/// line ends, quoted fields may span lines.
///
/// The file is read in 4 MiB blocks; memory use is independent of its size. Each record is handed to the
/// caller as a ``Record`` whose bytes are valid only during the call. O(bytes) time.
public struct CSVReader: Sendable {
    /// The file being read.
    public let path: String

    /// A reader of the file at `path` (nothing is opened until ``forEachRecord(_:)``).
    public init(path: String) {
        self.path = path
    }

    /// The fields of one record.
    public struct Record {
        let bytes: UnsafeBufferPointer<UInt8>
        let ends: UnsafeBufferPointer<Int>
        /// Number of fields.
        public let count: Int
        /// 1-based record number, counting the header as 1.
        public let number: Int

        /// The bytes of field `i` (unquoted).
        public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            let start = i == 0 ? 0 : ends[i - 1]
            return UnsafeBufferPointer(rebasing: bytes[start..<ends[i]])
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
        let blockSize = 4 << 20
        var block = [UInt8](repeating: 0, count: blockSize)
        var fieldBytes: [UInt8] = []
        fieldBytes.reserveCapacity(4096)
        var ends: [Int] = []
        ends.reserveCapacity(256)
        var inQuotes = false
        var quoteSeen = false  // a closing quote was just read inside a quoted field
        var recordNumber = 0
        var recordHasContent = false
        var stop = false

        func emitRecord() throws {
            recordNumber += 1
            let keepGoing = try fieldBytes.withUnsafeBufferPointer { bytes in
                try ends.withUnsafeBufferPointer { endsBuffer in
                    try body(Record(bytes: bytes, ends: endsBuffer, count: endsBuffer.count, number: recordNumber))
                }
            }
            if !keepGoing { stop = true }
            fieldBytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            recordHasContent = false
        }

        while !stop {
            let n = block.withUnsafeMutableBytes { fread($0.baseAddress, 1, blockSize, file) }
            if n == 0 {
                if ferror(file) != 0 { throw DriftError(.unreadableFile, "cannot read '\(path)'") }
                break
            }
            scan: for i in 0..<n {
                let c = block[i]
                if inQuotes {
                    if quoteSeen {
                        quoteSeen = false
                        if c == UInt8(ascii: "\"") {
                            fieldBytes.append(c)
                            continue
                        }
                        inQuotes = false
                        // fall through to the unquoted handling of `c`
                    } else if c == UInt8(ascii: "\"") {
                        quoteSeen = true
                        continue
                    } else {
                        fieldBytes.append(c)
                        continue
                    }
                }
                switch c {
                case UInt8(ascii: ","):
                    ends.append(fieldBytes.count)
                    recordHasContent = true
                case UInt8(ascii: "\n"):
                    if recordHasContent || !fieldBytes.isEmpty {
                        ends.append(fieldBytes.count)
                        try emitRecord()
                        if stop { break scan }
                    }
                case UInt8(ascii: "\r"):
                    continue
                case UInt8(ascii: "\""):
                    let fieldStart = ends.last ?? 0
                    if fieldBytes.count == fieldStart {
                        inQuotes = true
                        recordHasContent = true
                    } else {
                        fieldBytes.append(c)
                    }
                default:
                    fieldBytes.append(c)
                }
            }
        }
        if !stop && (recordHasContent || !fieldBytes.isEmpty || inQuotes) {
            ends.append(fieldBytes.count)
            try emitRecord()
        }
    }
}
