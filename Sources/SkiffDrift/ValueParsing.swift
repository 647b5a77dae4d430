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
        // Plain numbers (digits, sign, point) are never markers: answer without building a String.
        var plain = true
        for c in field
        where
            !((c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "+"))
        {
            plain = false
            break
        }
        if plain { return false }
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

    static let powersOfTen: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// Parses a decimal or scientific number the way `strtod` does; nil unless the whole field is consumed.
    /// Leading/trailing blanks and hexadecimal forms are rejected.
    ///
    /// Plain decimals with at most 15 significant digits take Clinger's fast path (an exact integer divided
    /// by an exact power of ten, one correctly rounded IEEE operation, so the result equals `strtod`'s);
    /// everything else goes to `strtod`.
    static func number(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        if let fast = fastDecimal(field) { return fast }
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

    static func fastDecimal(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = field.count
        var i = 0
        var negative = false
        if n > 0 && (field[0] == UInt8(ascii: "-") || field[0] == UInt8(ascii: "+")) {
            negative = field[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var fraction = 0
        var seenPoint = false
        while i < n {
            let c = field[i]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                mantissa = mantissa &* 10 &+ UInt64(c &- UInt8(ascii: "0"))
                digits += 1
                if mantissa != 0 { significant += 1 }
                if seenPoint { fraction += 1 }
                if significant > 15 { return nil }
            } else if c == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else {
                return nil
            }
            i += 1
        }
        if digits == 0 || fraction > 22 { return nil }
        var value = Double(mantissa)
        if fraction > 0 { value /= powersOfTen[fraction] }
        return negative ? -value : value
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
