/// Decodes Apache Thrift's compact protocol, the encoding of Parquet's footer and page headers.
///
/// Every length and count is checked against the bytes that remain, so no input makes it read out of bounds
/// or allocate more than the input could describe; containers nest at most ``maxDepth`` deep.
struct ThriftCompactReader {
    /// The wire types of the compact protocol.
    enum WireType: UInt8 {
        case boolTrue = 1
        case boolFalse = 2
        case byte = 3
        case i16 = 4
        case i32 = 5
        case i64 = 6
        case double = 7
        case binary = 8
        case list = 9
        case set = 10
        case map = 11
        case structure = 12
    }

    /// A field's header: its id and wire type (a boolean field's value is its wire type).
    struct Field {
        var id: Int
        var type: WireType
    }

    /// Parquet's structs nest about six deep; anything far deeper is hostile.
    static let maxDepth = 32

    private let bytes: [UInt8]
    /// The next byte to read.
    private(set) var position: Int
    private let end: Int
    private var depth = 0

    /// Reads `bytes[range]`.
    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    var remaining: Int { end - position }

    mutating func byte() throws(ParquetFault) -> UInt8 {
        guard position < end else { throw .corrupt("Thrift metadata ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws(ParquetFault) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64, shift < 63 || b <= 1 else { throw .corrupt("a Thrift varint is too long") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws(ParquetFault) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Calls `handle` with each field of a struct; a field it does not read (it returns false) is skipped.
    mutating func readStruct(
        _ handle: (inout ThriftCompactReader, Field) throws(ParquetFault) -> Bool
    ) throws(ParquetFault) {
        depth += 1
        guard depth <= Self.maxDepth else { throw .corrupt("Thrift structs nest too deeply") }
        var lastID = 0
        while true {
            let header = try byte()
            if header == 0 { break }
            guard let type = WireType(rawValue: header & 0x0F) else {
                throw .corrupt("unknown Thrift field type \(header & 0x0F)")
            }
            let delta = Int(header >> 4)
            let id: Int
            if delta == 0 {
                let wide = try zigzag()
                guard wide >= Int64(Int16.min), wide <= Int64(Int16.max) else {
                    throw .corrupt("a Thrift field id is out of range")
                }
                id = Int(wide)
            } else {
                id = lastID + delta
            }
            lastID = id
            if try !handle(&self, Field(id: id, type: type)) { try skip(type) }
        }
        depth -= 1
    }

    /// An integer field of any width, checked to fit `Int32`.
    mutating func int32(_ field: Field) throws(ParquetFault) -> Int32 {
        let value = try int64(field)
        guard let narrow = Int32(exactly: value) else { throw .corrupt("a Thrift i32 is out of range") }
        return narrow
    }

    /// An integer field of any width.
    mutating func int64(_ field: Field) throws(ParquetFault) -> Int64 {
        switch field.type {
        case .byte: return Int64(Int8(bitPattern: try byte()))
        case .i16, .i32, .i64: return try zigzag()
        default: throw .corrupt("Thrift field \(field.id) is not an integer")
        }
    }

    /// A boolean field, whose value is its wire type.
    func bool(_ field: Field) throws(ParquetFault) -> Bool {
        switch field.type {
        case .boolTrue: return true
        case .boolFalse: return false
        default: throw .corrupt("Thrift field \(field.id) is not a boolean")
        }
    }

    /// A binary or string field's bytes, as a range of the input.
    mutating func binary(_ field: Field) throws(ParquetFault) -> Range<Int> {
        guard field.type == .binary else { throw .corrupt("Thrift field \(field.id) is not binary") }
        return try binaryValue()
    }

    private mutating func binaryValue() throws(ParquetFault) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(remaining) else { throw .corrupt("a Thrift string runs past its metadata") }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// A string field, as UTF-8 (invalid bytes replaced).
    mutating func string(_ field: Field) throws(ParquetFault) -> String {
        let range = try binary(field)
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// Reads a list field, calling `element` once per element.
    mutating func list(
        _ field: Field, _ element: (inout ThriftCompactReader, WireType) throws(ParquetFault) -> Void
    ) throws(ParquetFault) {
        guard field.type == .list || field.type == .set else {
            throw .corrupt("Thrift field \(field.id) is not a list")
        }
        let (count, type) = try listHeader()
        depth += 1
        guard depth <= Self.maxDepth else { throw .corrupt("Thrift structs nest too deeply") }
        for _ in 0..<count { try element(&self, type) }
        depth -= 1
    }

    /// A list's element count (each element takes at least a byte, so it is at most what remains) and type.
    private mutating func listHeader() throws(ParquetFault) -> (Int, WireType) {
        let header = try byte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try varint() }
        guard count <= UInt64(remaining) else { throw .corrupt("a Thrift list is longer than its metadata") }
        guard let type = WireType(rawValue: header & 0x0F) else {
            throw .corrupt("unknown Thrift list element type \(header & 0x0F)")
        }
        return (Int(count), type)
    }

    /// Reads a struct element of a list.
    mutating func structElement(
        _ type: WireType, _ handle: (inout ThriftCompactReader, Field) throws(ParquetFault) -> Bool
    ) throws(ParquetFault) {
        guard type == .structure else { throw .corrupt("a Thrift list holds \(type), not structs") }
        try readStruct(handle)
    }

    /// Reads a string element of a list.
    mutating func stringElement(_ type: WireType) throws(ParquetFault) -> String {
        guard type == .binary else { throw .corrupt("a Thrift list holds \(type), not strings") }
        return String(decoding: bytes[try binaryValue()], as: UTF8.self)
    }

    /// Skips a value of `type` (a field's, where a boolean has no payload).
    mutating func skip(_ type: WireType) throws(ParquetFault) {
        switch type {
        case .boolTrue, .boolFalse: return
        case .byte: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double:
            guard remaining >= 8 else { throw .corrupt("Thrift metadata ends early") }
            position += 8
        case .binary: _ = try binaryValue()
        case .list, .set:
            let (count, element) = try listHeader()
            try skipElements(count, element)
        case .map:
            let count = try varint()
            guard count <= UInt64(remaining) else { throw .corrupt("a Thrift map is longer than its metadata") }
            if count == 0 { return }
            let types = try byte()
            guard let key = WireType(rawValue: types >> 4), let value = WireType(rawValue: types & 0x0F) else {
                throw .corrupt("unknown Thrift map types")
            }
            depth += 1
            guard depth <= Self.maxDepth else { throw .corrupt("Thrift structs nest too deeply") }
            for _ in 0..<count {
                try skipElement(key)
                try skipElement(value)
            }
            depth -= 1
        case .structure:
            try readStruct { _, _ in false }
        }
    }

    private mutating func skipElements(_ count: Int, _ type: WireType) throws(ParquetFault) {
        depth += 1
        guard depth <= Self.maxDepth else { throw .corrupt("Thrift structs nest too deeply") }
        for _ in 0..<count { try skipElement(type) }
        depth -= 1
    }

    /// Skips a container element, where a boolean takes a byte.
    private mutating func skipElement(_ type: WireType) throws(ParquetFault) {
        if type == .boolTrue || type == .boolFalse {
            _ = try byte()
        } else {
            try skip(type)
        }
    }
}
