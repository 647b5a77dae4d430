/// Converts JSON number literals to `Double` quickly and exactly.
///
/// Most numbers clients send (Python's `repr`, pandas' `to_json`) have at most 16 significant digits and a small
/// exponent. For those, Clinger's fast path is exact: when the digits form an integer `w ≤ 2^53` and the decimal
/// exponent `e` satisfies `|e| ≤ 22`, both `w` and `10^|e|` are exact doubles, so one IEEE multiplication or
/// division gives the correctly rounded result. Anything else falls back to the standard library's
/// correctly rounded conversion, so the answer is always the one `Double(String)` gives.
///
/// On x86-64 a second fast path covers the 17–19-digit literals of round-tripped doubles: with `w < 2^64` and
/// `|e| ≤ 27`, `w` and `10^|e|` are exact in `Float80`, so one `Float80` operation is correctly rounded to 64 bits;
/// converting that to `Double` rounds the same way as the exact value unless the 11 dropped bits sit within one unit
/// of the halfway point, which is left to the full conversion.
public enum DecimalParsing {
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    #if arch(x86_64) && !os(Windows)
        private static let extendedPowersOfTen: [Float80] = (0...27).map { exponent in
            var value: Float80 = 1
            for _ in 0..<exponent { value *= 10 }
            return value
        }

        /// `w · 10^e` through `Float80`, or nil when the result might round differently from the exact value.
        static func extendedPath(_ mantissa: UInt64, _ exponent: Int) -> Double? {
            guard (-27...27).contains(exponent) else { return nil }
            let w = Float80(mantissa)
            let scaled = exponent < 0 ? w / extendedPowersOfTen[-exponent] : w * extendedPowersOfTen[exponent]
            let dropped = scaled.significandBitPattern & 0x7FF
            guard dropped < 0x3FF || dropped > 0x401 else { return nil }
            return Double(scaled)
        }
    #else
        static func extendedPath(_ mantissa: UInt64, _ exponent: Int) -> Double? { nil }
    #endif

    /// The double nearest to a JSON number literal (`-? int frac? exp?`), or nil when the text is not one.
    public static func double(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes in fastPath(bytes) } ?? Double(text)
    }

    /// The value of eight ASCII digits at `p`, or nil when any of them is not a digit: SWAR, combining digit
    /// pairs, then pairs of pairs, then the two halves, each step one multiply-and-shift.
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let word = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian
        // Every byte is 0x30...0x39: its high nibble is 3, and adding 6 does not carry into the high nibble.
        let all: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard word & all == 0x3030_3030_3030_3030,
            (word &+ 0x0606_0606_0606_0606) & all == 0x3030_3030_3030_3030
        else { return nil }
        var v = word & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* (1 + (10 << 8))) >> 8  // pairs: 10·a + b in every other byte
        v = ((v & 0x00FF_00FF_00FF_00FF) &* (1 + (100 << 16))) >> 16  // quads in every other 16-bit lane
        v = ((v & 0x0000_FFFF_0000_FFFF) &* (1 + (10_000 << 32))) >> 32  // the eight digits
        return v
    }

    /// Clinger's fast path over a literal's bytes; nil when the literal needs the full conversion (or is not a
    /// JSON number). Callers fall back to a correctly rounded conversion such as `strtod`.
    public static func fastPath(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let count = bytes.count
        guard count > 0, count <= 64 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while index < count, bytes[index] &- 0x30 < 10 {
            sawDigit = true
            if mantissa != 0 || bytes[index] != 0x30 { digits += 1 }
            guard digits <= 19 else { return nil }
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
            index += 1
        }
        guard sawDigit else { return nil }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fractionDigits = false
            while index < count, bytes[index] &- 0x30 < 10 {
                // Once a significant digit is in, long fractions go eight digits at a time.
                if mantissa != 0, index + 8 <= count, let eight = eightDigits(bytes.baseAddress! + index) {
                    fractionDigits = true
                    digits += 8
                    guard digits <= 19 else { return nil }
                    mantissa = mantissa &* 100_000_000 &+ eight
                    exponent -= 8
                    index += 8
                    continue
                }
                fractionDigits = true
                if mantissa != 0 || bytes[index] != 0x30 { digits += 1 }
                guard digits <= 19 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
                exponent -= 1
                index += 1
            }
            guard fractionDigits else { return nil }
        }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            var sawExponentDigit = false
            while index < count, bytes[index] &- 0x30 < 10 {
                sawExponentDigit = true
                written = min(written * 10 + Int(bytes[index] &- 0x30), 10_000)
                index += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == count else { return nil }
        var value: Double
        if mantissa <= 1 << 53, (-22...22).contains(exponent) {
            value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
        } else if mantissa != 0, let extended = extendedPath(mantissa, exponent) {
            value = extended
        } else {
            return nil
        }
        return negative ? -value : value
    }
}
