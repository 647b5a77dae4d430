/// One member of a flat JSON object, as byte ranges of its line.
struct FlatMember {
    enum Kind { case number, string, trueValue, falseValue, null }
    var keyStart: Int
    var keyEnd: Int
    var kind: Kind
    /// The value's bytes: a number's literal, or a string's content without its quotes.
    var valueStart: Int
    var valueEnd: Int
}

/// Splits the common JSON Lines record, a flat object of scalars with plain ASCII strings, into members without
/// building a tree or a `String` per value. Anything else (nesting, escapes, non-ASCII text, a syntax error)
/// answers false, and the caller parses the line in full, which also reports errors precisely.
enum FlatJSONLine {
    static func tokenize(_ line: UnsafeBufferPointer<UInt8>, into members: inout [FlatMember]) -> Bool {
        members.removeAll(keepingCapacity: true)
        let n = line.count
        var i = 0
        @inline(__always) func skipBlanks() {
            while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        }
        /// A plain string's content range, the index after its closing quote being `i`.
        @inline(__always) func plainString() -> (Int, Int)? {
            guard i < n, line[i] == 0x22 else { return nil }
            i += 1
            let start = i
            while i < n {
                let c = line[i]
                if c == 0x22 { break }
                // Escapes, control characters and non-ASCII text take the full parser.
                if c == 0x5C || c < 0x20 || c >= 0x80 { return nil }
                i += 1
            }
            guard i < n else { return nil }
            let end = i
            i += 1
            return (start, end)
        }
        skipBlanks()
        guard i < n, line[i] == 0x7B else { return false }
        i += 1
        skipBlanks()
        if i < n, line[i] == 0x7D {
            i += 1
            skipBlanks()
            return i == n
        }
        while true {
            skipBlanks()
            guard let (keyStart, keyEnd) = plainString() else { return false }
            skipBlanks()
            guard i < n, line[i] == 0x3A else { return false }
            i += 1
            skipBlanks()
            guard i < n else { return false }
            let c = line[i]
            var member = FlatMember(
                keyStart: keyStart, keyEnd: keyEnd, kind: .null, valueStart: i, valueEnd: i)
            if c == 0x22 {
                guard let (start, end) = plainString() else { return false }
                member.kind = .string
                member.valueStart = start
                member.valueEnd = end
            } else if c == 0x2D || (c >= 0x30 && c <= 0x39) {
                guard let end = numberEnd(line, from: i) else { return false }
                member.kind = .number
                member.valueEnd = end
                i = end
            } else if matches(line, at: i, "true") {
                member.kind = .trueValue
                i += 4
            } else if matches(line, at: i, "false") {
                member.kind = .falseValue
                i += 5
            } else if matches(line, at: i, "null") {
                i += 4
            } else {
                return false
            }
            members.append(member)
            skipBlanks()
            guard i < n else { return false }
            if line[i] == 0x2C {
                i += 1
                continue
            }
            guard line[i] == 0x7D else { return false }
            i += 1
            skipBlanks()
            return i == n
        }
    }

    @inline(__always)
    private static func matches(_ line: UnsafeBufferPointer<UInt8>, at i: Int, _ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard i + length <= line.count else { return false }
        let bytes = word.utf8Start
        for k in 0..<length where line[i + k] != bytes[k] { return false }
        return true
    }

    /// The end of a JSON number starting at `i` (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), or
    /// nil when the text there is not one.
    private static func numberEnd(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let n = line.count
        var i = start
        @inline(__always) func digits() -> Int {
            let from = i
            while i < n, line[i] &- 0x30 < 10 { i += 1 }
            return i - from
        }
        if i < n, line[i] == 0x2D { i += 1 }
        guard i < n else { return nil }
        if line[i] == 0x30 {
            i += 1
        } else if digits() == 0 {
            return nil
        }
        if i < n, line[i] == 0x2E {
            i += 1
            guard digits() > 0 else { return nil }
        }
        if i < n, line[i] | 0x20 == 0x65 {
            i += 1
            if i < n, line[i] == 0x2B || line[i] == 0x2D { i += 1 }
            guard digits() > 0 else { return nil }
        }
        return i
    }
}
