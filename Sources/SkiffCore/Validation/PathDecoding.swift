/// Repeated percent-decoding, so double-encoded traversal (`%252e%252e%252f`) is seen for what it is.
public enum PathDecoding {
    /// Decodes `%XX` sequences until the text stops changing, at most 10 rounds (as MLflow does).
    /// Invalid escapes are left as they are.
    public static func fullyDecoded(_ text: String) -> String {
        var current = text
        for _ in 0..<10 {
            let next = decodeOnce(current)
            if next == current { return next }
            current = next
        }
        return current
    }

    /// One round of percent-decoding; invalid UTF-8 results are replaced with U+FFFD.
    public static func decodeOnce(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count, let h = hex(utf8[i + 1]), let l = hex(utf8[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}
