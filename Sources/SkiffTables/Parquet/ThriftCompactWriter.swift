/// Encodes Apache Thrift's compact protocol, for the page headers and footer a Parquet writer emits.
///
/// Fields are written in increasing id order within a struct (`field` keeps the last id per nesting level),
/// which is how every Thrift implementation writes them and lets each header use the short delta form.
struct ThriftCompactWriter {
    private(set) var bytes: [UInt8] = []
    private var lastIDs: [Int] = [0]

    typealias WireType = ThriftCompactReader.WireType

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    private mutating func header(_ id: Int, _ type: WireType) {
        let delta = id - lastIDs[lastIDs.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastIDs[lastIDs.count - 1] = id
    }

    mutating func i32(_ id: Int, _ value: Int32) {
        header(id, .i32)
        zigzag(Int64(value))
    }

    mutating func i64(_ id: Int, _ value: Int64) {
        header(id, .i64)
        zigzag(value)
    }

    mutating func bool(_ id: Int, _ value: Bool) {
        header(id, value ? .boolTrue : .boolFalse)
    }

    mutating func string(_ id: Int, _ value: String) {
        header(id, .binary)
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A struct field whose members `body` writes.
    mutating func structure(_ id: Int, _ body: (inout ThriftCompactWriter) -> Void) {
        header(id, .structure)
        structBody(body)
    }

    /// A struct's members and its stop byte (a top-level struct, or a list element).
    mutating func structBody(_ body: (inout ThriftCompactWriter) -> Void) {
        lastIDs.append(0)
        body(&self)
        lastIDs.removeLast()
        bytes.append(0)
    }

    private mutating func listHeader(_ id: Int, count: Int, of type: WireType) {
        header(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func list(_ id: Int, i32 values: [Int32]) {
        listHeader(id, count: values.count, of: .i32)
        for v in values { zigzag(Int64(v)) }
    }

    mutating func list(_ id: Int, strings values: [String]) {
        listHeader(id, count: values.count, of: .binary)
        for v in values {
            let utf8 = Array(v.utf8)
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A list of `count` structs, element `i` written by `element`.
    mutating func list(_ id: Int, structs count: Int, _ element: (inout ThriftCompactWriter, Int) -> Void) {
        listHeader(id, count: count, of: .structure)
        for i in 0..<count { structBody { element(&$0, i) } }
    }
}
