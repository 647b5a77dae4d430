/// A bounded Universal Binary JSON (UBJSON draft 12) parser producing `DocumentValue`s.
///
/// XGBoost writes model files in this form: big-endian numbers, length-prefixed strings and keys, and optimised
/// containers (`[$d#L<count>` followed by raw float32 values). Strongly typed numeric arrays are kept typed. Every
/// count is checked against the bytes that remain before anything is allocated, so truncated or hostile files throw
/// `corruptModel` instead of trapping or allocating without bound.
struct UBJSONDocumentParser {
    static let maximumDepth = 128

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a whole document.
    /// - Throws: `InferenceError.corruptModel` when the bytes are not one well-formed UBJSON value.
    static func parse(_ bytes: [UInt8]) throws -> DocumentValue {
        var parser = UBJSONDocumentParser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        return value
    }

    private func failure(_ what: String) -> InferenceError {
        InferenceError.corrupt("The UBJSON model file is malformed: \(what) at byte \(index).")
    }

    private mutating func readByte() throws -> UInt8 {
        guard index < bytes.count else { throw failure("unexpected end of file") }
        defer { index += 1 }
        return bytes[index]
    }

    private mutating func readBigEndian(_ width: Int) throws -> UInt64 {
        guard width <= bytes.count - index else { throw failure("unexpected end of file") }
        var value: UInt64 = 0
        for offset in 0..<width {
            value = value << 8 | UInt64(bytes[index + offset])
        }
        index += width
        return value
    }

    private mutating func readInteger(marker: UInt8) throws -> Int64 {
        switch marker {
        case UInt8(ascii: "i"): return Int64(Int8(truncatingIfNeeded: try readBigEndian(1)))
        case UInt8(ascii: "U"): return Int64(try readBigEndian(1))
        case UInt8(ascii: "I"): return Int64(Int16(truncatingIfNeeded: try readBigEndian(2)))
        case UInt8(ascii: "l"): return Int64(Int32(truncatingIfNeeded: try readBigEndian(4)))
        case UInt8(ascii: "L"): return Int64(bitPattern: try readBigEndian(8))
        default: throw failure("expected an integer")
        }
    }

    private mutating func readLength() throws -> Int {
        let length = try readInteger(marker: try readByte())
        guard length >= 0, length <= Int64(bytes.count - index) else { throw failure("invalid length") }
        return Int(length)
    }

    private mutating func readString() throws -> String {
        let length = try readLength()
        defer { index += length }
        return String(decoding: bytes[index..<index + length], as: UTF8.self)
    }

    private mutating func parseValue(depth: Int) throws -> DocumentValue {
        var marker = try readByte()
        while marker == UInt8(ascii: "N") { marker = try readByte() }
        return try parseValue(marker: marker, depth: depth)
    }

    private mutating func parseValue(marker: UInt8, depth: Int) throws -> DocumentValue {
        guard depth < Self.maximumDepth else { throw failure("nesting too deep") }
        switch marker {
        case UInt8(ascii: "Z"): return .null
        case UInt8(ascii: "T"): return .bool(true)
        case UInt8(ascii: "F"): return .bool(false)
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
            return .integer(try readInteger(marker: marker))
        case UInt8(ascii: "d"): return .double(Double(Float(bitPattern: UInt32(try readBigEndian(4)))))
        case UInt8(ascii: "D"): return .double(Double(bitPattern: try readBigEndian(8)))
        case UInt8(ascii: "C"): return .string(String(UnicodeScalar(try readByte())))
        case UInt8(ascii: "S"): return .string(try readString())
        case UInt8(ascii: "H"):
            let text = try readString()
            guard let number = Double(text) else { throw failure("invalid high-precision number") }
            return .double(number)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        default: throw failure("unknown type marker")
        }
    }

    /// Reads the optional `$type` and `#count` of an optimised container.
    private mutating func readContainerHeader() throws -> (type: UInt8?, count: Int?) {
        var type: UInt8?
        var count: Int?
        if index < bytes.count, bytes[index] == UInt8(ascii: "$") {
            index += 1
            type = try readByte()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "#") else {
                throw failure("a typed container needs a count")
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "#") {
            index += 1
            let value = try readInteger(marker: try readByte())
            // Every element takes at least one byte unless its type carries no payload.
            let payloadless =
                type.map { [UInt8(ascii: "Z"), UInt8(ascii: "T"), UInt8(ascii: "F")].contains($0) } ?? false
            guard value >= 0, payloadless ? value <= 1 << 16 : value <= Int64(bytes.count - index) else {
                throw failure("invalid container count")
            }
            count = Int(value)
        }
        return (type, count)
    }

    private mutating func parseArray(depth: Int) throws -> DocumentValue {
        let (type, count) = try readContainerHeader()
        if let type, let count {
            switch type {
            case UInt8(ascii: "d"):
                guard count <= (bytes.count - index) / 4 else { throw failure("array runs past the end") }
                var values = [Float](repeating: 0, count: count)
                for position in 0..<count {
                    values[position] = Float(bitPattern: UInt32(try readBigEndian(4)))
                }
                return .floats(values)
            case UInt8(ascii: "D"):
                guard count <= (bytes.count - index) / 8 else { throw failure("array runs past the end") }
                var values = [Double](repeating: 0, count: count)
                for position in 0..<count { values[position] = Double(bitPattern: try readBigEndian(8)) }
                return .doubles(values)
            case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
                var values = [Int64]()
                values.reserveCapacity(count)
                for _ in 0..<count { values.append(try readInteger(marker: type)) }
                return .integers(values)
            default:
                var values = [DocumentValue]()
                for _ in 0..<count { values.append(try parseValue(marker: type, depth: depth + 1)) }
                return .array(values)
            }
        }
        var values = [DocumentValue]()
        if let count {
            for _ in 0..<count { values.append(try parseValue(depth: depth + 1)) }
            return .array(values)
        }
        while true {
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            values.append(try parseValue(depth: depth + 1))
        }
    }

    private mutating func parseObject(depth: Int) throws -> DocumentValue {
        let (type, count) = try readContainerHeader()
        var members = [String: DocumentValue]()
        func member(_ parser: inout UBJSONDocumentParser) throws {
            let key = try parser.readString()
            if let type {
                members[key] = try parser.parseValue(marker: type, depth: depth + 1)
            } else {
                members[key] = try parser.parseValue(depth: depth + 1)
            }
        }
        if let count {
            for _ in 0..<count { try member(&self) }
            return .object(members)
        }
        while true {
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            try member(&self)
        }
    }
}
