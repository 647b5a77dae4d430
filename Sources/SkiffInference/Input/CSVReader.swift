import Foundation

/// A small RFC 4180 CSV reader over bytes: comma-separated fields, optional double quotes (with `""` for a quote),
/// `\n` or `\r\n` line ends. Rows are read one at a time so a large input is scored batch by batch.
public struct CSVReader: Sendable {
    private let bytes: [UInt8]
    private var index = 0
    /// The 1-based line number of the row `nextRow()` returned last.
    public private(set) var line = 0

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        // Skip a UTF-8 byte order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    /// The next row's fields, or nil at the end of the input. Blank lines are skipped.
    public mutating func nextRow() -> [String]? {
        while index < bytes.count {
            line += 1
            if bytes[index] == UInt8(ascii: "\n") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                index += 2
                continue
            }
            return readFields()
        }
        return nil
    }

    private mutating func readFields() -> [String] {
        var fields = [String]()
        var field = [UInt8]()
        var quoted = false
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                quoted = true
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            case UInt8(ascii: "\n"):
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            case UInt8(ascii: "\r") where index < bytes.count && bytes[index] == UInt8(ascii: "\n"):
                index += 1
                fields.append(String(decoding: field, as: UTF8.self))
                return fields
            default:
                field.append(byte)
            }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    /// Quotes a field for output when it contains a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
