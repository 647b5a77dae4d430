/// A parsed JSON value. Numbers keep their literal text so int64 fields lose no precision.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, as it appeared on the wire.
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

/// A JSON object's members in document order.
///
/// Request objects are small (a metric has four fields), so a linear scan beats hashing every key into a
/// dictionary; a repeated key resolves to its last occurrence, as a dictionary would.
public struct JSONObject: Sendable, Equatable {
    public var members: [(key: String, value: JSON)] = []

    public init(_ members: [(key: String, value: JSON)] = []) {
        self.members = members
    }

    /// The value of the last member named `key`.
    public subscript(key: String) -> JSON? {
        var i = members.count
        while i > 0 {
            i -= 1
            if members[i].key == key { return members[i].value }
        }
        return nil
    }

    public var keys: some Sequence<String> { members.lazy.map(\.key) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// A strict, bounded recursive-descent JSON parser over UTF-8 bytes.
///
/// Nesting is limited (a hostile body cannot exhaust the stack); invalid UTF-8 in strings is replaced.
public struct JSONParser {
    /// Where and why a document is not valid JSON.
    public struct Failure: Error {
        public var position: Int
        public var reason: String
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// The deepest nesting of arrays and objects accepted.
    public static let maxDepth = 64

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON document; trailing non-space bytes are an error.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSON {
        var parser = JSONParser(bytes)
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == bytes.count else { throw Failure(position: parser.index, reason: "trailing characters") }
        return value
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func value() throws(Failure) -> JSON {
        guard index < bytes.count else { throw Failure(position: index, reason: "unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw Failure(position: index, reason: "invalid literal")
        }
        index += expected.count
    }

    private mutating func object() throws(Failure) -> JSON {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw Failure(position: index, reason: "nested too deeply") }
        index += 1
        var result = JSONObject()
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(result)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw Failure(position: index, reason: "expected a key")
            }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw Failure(position: index, reason: "expected ':'")
            }
            index += 1
            skipSpace()
            result.members.append((key, try value()))
            skipSpace()
            guard index < bytes.count else { throw Failure(position: index, reason: "unexpected end") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(result)
            }
            throw Failure(position: index, reason: "expected ',' or '}'")
        }
    }

    private mutating func array() throws(Failure) -> JSON {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw Failure(position: index, reason: "nested too deeply") }
        index += 1
        var result: [JSON] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(result)
        }
        while true {
            skipSpace()
            result.append(try value())
            skipSpace()
            guard index < bytes.count else { throw Failure(position: index, reason: "unexpected end") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(result)
            }
            throw Failure(position: index, reason: "expected ',' or ']'")
        }
    }

    /// Reads a number by RFC 8259's grammar (`-? int frac? exp?`) without converting it: callers convert the
    /// literal once, to the type they need.
    private mutating func number() throws(Failure) -> String {
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = index
        guard digits() > 0 else { throw Failure(position: start, reason: "invalid number") }
        if bytes[integer] == 0x30, index - integer > 1 { throw Failure(position: start, reason: "invalid number") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw Failure(position: start, reason: "invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { throw Failure(position: start, reason: "invalid number") }
        }
        guard index - start <= 64 else { throw Failure(position: start, reason: "invalid number") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func string() throws(Failure) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw Failure(position: index, reason: "control character in string") }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw Failure(position: index, reason: "control character in string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
            default:
                throw Failure(position: index - 1, reason: "invalid escape")
            }
        }
        throw Failure(position: index, reason: "unterminated string")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(position: index, reason: "invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x37)
            case 0x61...0x66: d = UInt32(c - 0x57)
            default: throw Failure(position: index, reason: "invalid \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }
}
