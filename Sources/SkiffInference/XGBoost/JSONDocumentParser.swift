/// A strict, bounded JSON parser producing `DocumentValue`s.
///
/// Arrays whose elements are all numbers are stored as `.doubles`. Nesting deeper than `maximumDepth` and any
/// malformed or truncated input throw `corruptModel`; the parser never traps on hostile bytes.
struct JSONDocumentParser {
    static let maximumDepth = 128

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a whole document.
    /// - Throws: `InferenceError.corruptModel` when the bytes are not one well-formed JSON value.
    static func parse(_ bytes: [UInt8]) throws -> DocumentValue {
        var parser = JSONDocumentParser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected data after the end") }
        return value
    }

    private func failure(_ what: String) -> InferenceError {
        InferenceError.corrupt("The JSON model file is malformed: \(what) at byte \(index).")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D
                || bytes[index] == 0x09
        {
            index += 1
        }
    }

    private mutating func expect(_ literal: String) throws {
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw failure("invalid literal") }
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws -> DocumentValue {
        guard depth < Self.maximumDepth else { throw failure("nesting too deep") }
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of file") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "N"), UInt8(ascii: "I"):
            return try parseNumber()
        default:
            throw failure("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws -> DocumentValue {
        index += 1
        var members = [String: DocumentValue]()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            index += 1
            members[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of file") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            } else {
                throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> DocumentValue {
        index += 1
        var values = [DocumentValue]()
        var numbers = [Double]()
        var allNumbers = true
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        while true {
            let value = try parseValue(depth: depth + 1)
            var number: Double?
            if case .integer(let integer) = value { number = Double(integer) }
            if case .double(let double) = value { number = double }
            if allNumbers, let number {
                numbers.append(number)
            } else {
                if allNumbers {
                    allNumbers = false
                    values = numbers.map { .double($0) }
                    numbers = []
                }
                values.append(value)
            }
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of file") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return allNumbers ? .doubles(numbers) : .array(values)
            } else {
                throw failure("expected ',' or ']'")
            }
        }
    }

    private mutating func parseString() throws -> String {
        index += 1
        var scalars = [UInt8]()
        while true {
            guard index < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count,
                        let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                    else { throw failure("invalid unicode escape") }
                    index += 4
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: scalars.append(escape)
                }
            default:
                scalars.append(byte)
            }
        }
    }

    private mutating func parseNumber() throws -> DocumentValue {
        let start = index
        var isInteger = true
        while index < bytes.count {
            let byte = bytes[index]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") {
                index += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+")
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        switch text {
        case "NaN": return .double(.nan)
        case "Infinity", "inf": return .double(.infinity)
        case "-Infinity", "-inf": return .double(-.infinity)
        default:
            guard let double = Double(text) else { throw failure("invalid number") }
            return .double(double)
        }
    }
}
