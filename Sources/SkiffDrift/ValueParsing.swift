#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a CSV field is read: missing markers, numbers, integers.
enum ValueParsing {
    /// pandas' default missing-value markers (`read_csv`'s `na_values`), plus the empty field.
    static let missingMarkers: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
        "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// True when the field is a missing marker. O(length) without allocation for fields longer than 8 bytes.
    static func isMissing(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.isEmpty { return true }
        if field.count > 8 { return false }
        let first = field[0]
        // Every marker starts with one of these bytes.
        switch first {
        case UInt8(ascii: "#"), UInt8(ascii: "-"), UInt8(ascii: "1"), UInt8(ascii: "<"), UInt8(ascii: "N"),
            UInt8(ascii: "n"):
            return missingMarkers.contains(String(decoding: field, as: UTF8.self))
        default:
            return false
        }
    }

    /// Parses a decimal or scientific number the way `strtod` does; nil unless the whole field is consumed.
    /// Leading/trailing blanks and hexadecimal forms are rejected.
    static func number(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = field.count
        if n == 0 || n > 300 { return nil }
        let first = field[0]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer -> Double? in
            for i in 0..<n {
                let c = field[i]
                if c == UInt8(ascii: "x") || c == UInt8(ascii: "X") { return nil }
                buffer[i] = CChar(bitPattern: c)
            }
            buffer[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + n else { return nil }
            return value
        }
    }

    /// True for an optional sign followed by digits only (an integer literal to pandas).
    static func isIntegerLiteral(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if field.count > 0 && (field[0] == UInt8(ascii: "-") || field[0] == UInt8(ascii: "+")) { i = 1 }
        if i >= field.count { return false }
        while i < field.count {
            let c = field[i]
            if c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { return false }
            i += 1
        }
        return true
    }
}
