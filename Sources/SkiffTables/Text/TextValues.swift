import SkiffJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a text field reads as a value: pandas' missing markers, numbers, integers, booleans.
public enum TextValues {
    /// pandas' default missing-value markers (`read_csv`'s `na_values`), plus the empty field.
    public static let missingMarkers: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
        "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// True when the field is a missing marker. No allocation for numbers or for fields longer than 8 bytes.
    @inline(__always)
    public static func isMissing(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.isEmpty { return true }
        if field.count > 8 { return false }
        // Every marker starts with one of these bytes; "1.#IND" and "-NaN" are the only ones starting with a
        // number's first byte, and both contain '#' or 'N'/'n'.
        switch field[0] {
        case UInt8(ascii: "#"), UInt8(ascii: "<"), UInt8(ascii: "N"), UInt8(ascii: "n"):
            return missingMarkers.contains(String(decoding: field, as: UTF8.self))
        case UInt8(ascii: "-"), UInt8(ascii: "1"):
            guard field.count >= 4, field.contains(where: { $0 == UInt8(ascii: "#") || $0 | 0x20 == 0x6E }) else {
                return false
            }
            return missingMarkers.contains(String(decoding: field, as: UTF8.self))
        default:
            return false
        }
    }

    /// The double a decimal or scientific literal denotes, correctly rounded (as `strtod` gives it); `inf`,
    /// `-inf` and `infinity` are infinities. nil unless the whole field is a number: blanks around it,
    /// hexadecimal forms and `nan` are not numbers here.
    @inline(__always)
    public static func double(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        if let fast = DecimalParsing.fastPath(field) { return fast }
        return slowDouble(trimmed(field))
    }

    /// The field without leading and trailing spaces and tabs: pandas reads ` 7 ` in a number column as 7.
    @inline(__always)
    static func trimmed(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0
        var upper = field.count
        while lower < upper && (field[lower] == 0x20 || field[lower] == 0x09) { lower += 1 }
        while upper > lower && (field[upper - 1] == 0x20 || field[upper - 1] == 0x09) { upper -= 1 }
        return lower == 0 && upper == field.count ? field : UnsafeBufferPointer(rebasing: field[lower..<upper])
    }

    @inline(never)
    static func slowDouble(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = field.count
        guard n > 0, n <= 400 else { return nil }
        for c in field {
            // Digits, sign, point, exponent and the letters of "inf"/"infinity" only.
            switch c | 0x20 {
            case 0x30...0x39, UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "f"),
                UInt8(ascii: "t"), UInt8(ascii: "y"):
                continue
            default:
                if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") { continue }
                return nil
            }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer -> Double? in
            for i in 0..<n { buffer[i] = CChar(bitPattern: field[i]) }
            buffer[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + n else { return nil }
            return value
        }
    }

    /// The integer an optional sign and decimal digits denote; nil for anything else or beyond Int64.
    @inline(__always)
    public static func int64(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        let field = trimmed(field)
        let n = field.count
        var i = 0
        var negative = false
        if n > 0 && (field[0] == UInt8(ascii: "-") || field[0] == UInt8(ascii: "+")) {
            negative = field[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < n, n - i <= 19 else { return nil }
        var magnitude: UInt64 = 0
        while i < n {
            let digit = field[i] &- 0x30
            guard digit < 10 else { return nil }
            magnitude = magnitude * 10 + UInt64(digit)
            i += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// `True`/`False` in any letter case (pandas' boolean literals); with `numeric`, also `1` and `0`.
    public static func boolean(_ field: UnsafeBufferPointer<UInt8>, numeric: Bool = false) -> Bool? {
        let field = trimmed(field)
        if numeric && field.count == 1 {
            if field[0] == UInt8(ascii: "1") { return true }
            if field[0] == UInt8(ascii: "0") { return false }
        }
        guard field.count == 4 || field.count == 5 else { return nil }
        var lower: [UInt8] = []
        for c in field { lower.append(c | 0x20) }
        if lower == Array("true".utf8) { return true }
        if lower == Array("false".utf8) { return false }
        return nil
    }
}
