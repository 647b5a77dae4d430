/// Splits RFC 4180 CSV into records, pulled one at a time: `delimiter`-separated fields, `"`-quoted fields with
/// `""` escapes that may span lines, LF or CRLF line ends, a leading UTF-8 byte order mark skipped, blank lines
/// skipped (as pandas does).
///
/// Input is read in 1 MiB blocks (a block grows only for a longer record), so memory does not depend on the
/// file's size. Unquoted fields are handed over in place; quoted ones are unquoted in place. A field's bytes stay
/// valid until the next call to ``next()``. O(bytes).
struct CSVScanner: ~Copyable {
    private var window: ByteWindow
    private let delimiter: UInt8
    /// Field `i` of the current record is `window.base[starts[i]..<ends[i]]`; room for `boundsCapacity` fields.
    private var starts: UnsafeMutablePointer<Int>
    private var ends: UnsafeMutablePointer<Int>
    private var boundsCapacity = 64
    /// Fields in the current record.
    private(set) var fieldCount = 0
    private var checkedBOM = false
    /// The line the next record starts on.
    private var nextLine = 1
    /// The 1-based line the current record starts on.
    private(set) var line = 0

    init(source: ByteSource, delimiter: UInt8) {
        window = ByteWindow(source: source)
        self.delimiter = delimiter
        starts = .allocate(capacity: boundsCapacity)
        ends = .allocate(capacity: boundsCapacity)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
    }

    var name: String { window.name }

    /// The bytes of field `i` of the current record (unquoted).
    @inline(__always)
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: window.base + starts[i], count: ends[i] - starts[i])
    }

    @inline(__always)
    private mutating func addField(_ start: Int, _ end: Int) {
        if fieldCount == boundsCapacity { growBounds() }
        starts[fieldCount] = start
        ends[fieldCount] = end
        fieldCount += 1
    }

    private mutating func growBounds() {
        let bigger = boundsCapacity * 2
        let newStarts = UnsafeMutablePointer<Int>.allocate(capacity: bigger)
        let newEnds = UnsafeMutablePointer<Int>.allocate(capacity: bigger)
        newStarts.update(from: starts, count: fieldCount)
        newEnds.update(from: ends, count: fieldCount)
        starts.deallocate()
        ends.deallocate()
        starts = newStarts
        ends = newEnds
        boundsCapacity = bigger
    }

    /// Moves to the next record; false at the end of the input.
    /// - Throws: `TableError.malformedRecord` for a quote left open at the end of the input.
    mutating func next() throws(TableError) -> Bool {
        while true {
            if !checkedBOM {
                while window.end - window.start < 3, try window.refill() {}
                let b = window.base + window.start
                if window.end - window.start >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { window.start += 3 }
                checkedBOM = true
            }
            switch scanRecord() {
            case .record:
                return true
            case .blank:
                continue
            case .incomplete:
                if try !window.refill() {
                    // The rest of the input is the last record, without a line end.
                    if window.start == window.end { return false }
                    if case .openQuote = scanRecord(final: true) {
                        throw TableError(
                            .malformedRecord,
                            "\(name), line \(nextLine): a quoted field is not closed before the end of the file")
                    }
                    return true
                }
            case .openQuote:
                preconditionFailure("only a final scan reports an open quote")
            }
        }
    }

    private enum Scan { case record, blank, incomplete, openQuote }

    /// Scans one record from the window's start. With `final`, the end of the window ends the record.
    ///
    /// Unquoted stretches are skipped eight bytes at a time: a byte equal to the delimiter, a line feed or a quote
    /// is found with the SWAR zero-byte test, whose lowest flagged byte is always a true match.
    private mutating func scanRecord(final: Bool = false) -> Scan {
        fieldCount = 0
        let base = window.base
        let end = window.end
        var i = window.start
        var fieldStart = i
        var inQuotes = false
        var quoted = false
        var newlinesInQuotes = 0
        let delimiter = self.delimiter
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let delimiters = ones &* UInt64(delimiter)
        let newlines = ones &* 0x0A
        let quotes = ones &* 0x22
        scan: while i < end {
            if !inQuotes {
                // Skip ordinary bytes a word at a time.
                while i + 8 <= end {
                    let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self).littleEndian
                    let d = word ^ delimiters
                    let n = word ^ newlines
                    let q = word ^ quotes
                    let hits =
                        ((d &- ones) & ~d & highs) | ((n &- ones) & ~n & highs) | ((q &- ones) & ~q & highs)
                    if hits != 0 {
                        i += hits.trailingZeroBitCount >> 3
                        break
                    }
                    i += 8
                }
                guard i < end else { break scan }
            }
            let c = base[i]
            if inQuotes {
                if c == 0x22 {
                    // `""` is an escaped quote; a lone quote closes the section.
                    if i + 1 == end && !final { return .incomplete }
                    if i + 1 < end && base[i + 1] == 0x22 {
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else if c == 0x0A {
                    newlinesInQuotes += 1
                }
            } else if c == delimiter {
                addField(fieldStart, i)
                fieldStart = i + 1
            } else if c == 0x0A {
                break scan
            } else if c == 0x22 && i == fieldStart {
                // Only a quote that starts a field opens a quoted section; elsewhere it is text (`5'10"`).
                inQuotes = true
                quoted = true
            }
            i += 1
        }
        if i >= end && !final { return .incomplete }
        if inQuotes && final { return .openQuote }
        i = min(i, end)
        var fieldEnd = i
        if fieldEnd > fieldStart && base[fieldEnd - 1] == 0x0D { fieldEnd -= 1 }
        addField(fieldStart, fieldEnd)
        window.start = i < end ? i + 1 : end
        line = nextLine
        nextLine += 1 + newlinesInQuotes
        if fieldCount == 1 && ends[0] == starts[0] { return .blank }
        if quoted { unquote() }
        return .record
    }

    /// Unquotes the current record's quoted fields in place (content only moves left): `""` inside the quotes is
    /// one quote, and text after the closing quote is kept as it is, as pandas does.
    private mutating func unquote() {
        let base = window.base
        for f in 0..<fieldCount {
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
                    read += 1
                    break
                }
                base[write] = c
                write += 1
                read += 1
            }
            while read < e {
                base[write] = base[read]
                write += 1
                read += 1
            }
            ends[f] = write
        }
    }
}
