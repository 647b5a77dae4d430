#if !_endian(little)
    #error("Parquet's PLAIN values are copied as they lie in memory: a little-endian machine is assumed")
#endif

/// A column chunk's dictionary page, decoded once, in the column's file type.
enum ParquetDictionary {
    case int64([Int64])
    case float64([Double])
    case float32([Float])
    case boolean([Bool])
    case string([String])

    var count: Int {
        switch self {
        case .int64(let v): v.count
        case .float64(let v): v.count
        case .float32(let v): v.count
        case .boolean(let v): v.count
        case .string(let v): v.count
        }
    }
}

/// Decodes the values section of one data page (or a dictionary page) into a ``ParquetColumnBuilder``, a
/// requested number of values at a time. Each encoding checks its reads against the section's end.
struct ParquetValueDecoder {
    private enum State {
        case plain
        case dictionary(RLEHybridDecoder, ParquetDictionary)
        case rle(RLEHybridDecoder)
        case delta(DeltaBinaryPackedDecoder)
        case deltaLength(DeltaBinaryPackedDecoder)
        case deltaByteArray(prefixes: DeltaBinaryPackedDecoder, suffixes: DeltaBinaryPackedDecoder, last: [UInt8])
        case byteStreamSplit(values: Int, next: Int)
    }

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    /// PLAIN booleans are bits; this is the next one.
    private var bit: Int
    private var state: State
    private let column: ParquetColumn

    /// Decodes `bytes[range]` in the encoding `encoding` (a Parquet `Encoding` value).
    init(
        _ bytes: [UInt8], range: Range<Int>, encoding: Int32, column: ParquetColumn, dictionary: ParquetDictionary?
    ) throws(ParquetFault) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
        bit = range.lowerBound * 8
        self.column = column
        let physical = column.physicalType
        switch encoding {
        case 0:
            state = .plain
        case 2, 8:
            guard let dictionary else { throw .corrupt("a dictionary-encoded page has no dictionary page before it") }
            guard !range.isEmpty else { throw .corrupt("a dictionary-encoded page lacks its index bit width") }
            let width = Int(bytes[range.lowerBound])
            position += 1
            state = .dictionary(try RLEHybridDecoder(bytes, range: position..<end, bitWidth: width), dictionary)
        case 3:
            guard physical == .boolean else { throw .corrupt("RLE encodes only BOOLEAN values, not \(physical.name)") }
            let (decoder, after) = try RLEHybridDecoder.lengthPrefixed(bytes, range: range, bitWidth: 1)
            position = after
            state = .rle(decoder)
        case 5:
            guard physical == .int32 || physical == .int64 else {
                throw .corrupt("DELTA_BINARY_PACKED does not encode \(physical.name) values")
            }
            state = .delta(try DeltaBinaryPackedDecoder(bytes, range: range))
        case 6:
            guard physical == .byteArray else {
                throw .corrupt("DELTA_LENGTH_BYTE_ARRAY does not encode \(physical.name) values")
            }
            let lengths = try DeltaBinaryPackedDecoder(bytes, range: range)
            position = try lengths.endOfData()
            state = .deltaLength(lengths)
        case 7:
            guard physical == .byteArray else {
                throw .corrupt("DELTA_BYTE_ARRAY does not encode \(physical.name) values")
            }
            let prefixes = try DeltaBinaryPackedDecoder(bytes, range: range)
            let suffixStart = try prefixes.endOfData()
            let suffixes = try DeltaBinaryPackedDecoder(bytes, range: suffixStart..<end)
            position = try suffixes.endOfData()
            state = .deltaByteArray(prefixes: prefixes, suffixes: suffixes, last: [])
        case 9:
            guard let width = physical.byteWidth, physical != .boolean else {
                throw .corrupt("BYTE_STREAM_SPLIT does not encode \(physical.name) values")
            }
            guard range.count % width == 0 else {
                throw .corrupt("BYTE_STREAM_SPLIT data of \(range.count) bytes is not whole \(width)-byte values")
            }
            state = .byteStreamSplit(values: range.count / width, next: 0)
        case 4:
            throw .unsupported("the deprecated BIT_PACKED encoding of values is not read")
        default:
            throw .unsupported("encoding \(encoding) is not read")
        }
    }

    /// Appends the next `count` values to `builder`.
    mutating func decode(_ count: Int, into builder: ParquetColumnBuilder) throws(ParquetFault) {
        if count == 0 { return }
        switch state {
        case .plain:
            try decodePlain(count, into: builder)
        case .dictionary(var indices, let dictionary):
            try Self.lookUp(count, &indices, dictionary, into: builder)
            state = .dictionary(indices, dictionary)
        case .rle(var decoder):
            for _ in 0..<count { builder.bools.append(try decoder.next() != 0) }
            state = .rle(decoder)
        case .delta(var decoder):
            for _ in 0..<count { builder.ints.append(column.integer(try decoder.next())) }
            state = .delta(decoder)
        case .deltaLength(var lengths):
            for _ in 0..<count {
                let length = Int64(bitPattern: try lengths.next())
                guard length >= 0, length <= Int64(end - position) else {
                    throw .corrupt("a DELTA_LENGTH_BYTE_ARRAY value's length \(length) runs past its page")
                }
                appendString(position..<(position + Int(length)), to: builder)
                position += Int(length)
            }
            state = .deltaLength(lengths)
        case .deltaByteArray(var prefixes, var suffixes, var last):
            state = .plain
            for _ in 0..<count {
                let prefix = Int64(bitPattern: try prefixes.next())
                let length = Int64(bitPattern: try suffixes.next())
                guard prefix >= 0, prefix <= Int64(last.count), length >= 0, length <= Int64(end - position) else {
                    throw .corrupt("a DELTA_BYTE_ARRAY value's prefix or suffix length is out of range")
                }
                last.removeSubrange(Int(prefix)...)
                last.append(contentsOf: bytes[position..<(position + Int(length))])
                position += Int(length)
                last.withUnsafeBufferPointer { builder.strings.append(bytes: $0) }
            }
            state = .deltaByteArray(prefixes: prefixes, suffixes: suffixes, last: last)
        case .byteStreamSplit(let values, let next):
            guard count <= values - next else {
                throw .corrupt("BYTE_STREAM_SPLIT data has fewer values than its page")
            }
            decodeByteStreamSplit(count, values: values, next: next, into: builder)
            state = .byteStreamSplit(values: values, next: next + count)
        }
    }

    /// Decodes a dictionary page's `count` PLAIN values.
    mutating func dictionary(count: Int) throws(ParquetFault) -> ParquetDictionary {
        guard case .plain = state else { throw .corrupt("a dictionary page is not PLAIN encoded") }
        if column.physicalType == .byteArray {
            guard count <= (end - position) / 4 else {
                throw .corrupt("a dictionary page says it has \(count) values but has \(end - position) bytes")
            }
            var strings: [String] = []
            strings.reserveCapacity(count)
            for _ in 0..<count {
                let range = try nextByteArray()
                strings.append(String(decoding: bytes[range], as: UTF8.self))
            }
            return .string(strings)
        }
        let builder = ParquetColumnBuilder(type: column.fileType, capacity: 0)
        try decodePlain(count, into: builder)
        switch builder.finish() {
        case .int64(let v): return .int64(v)
        case .float64(let v): return .float64(v)
        case .float32(let v): return .float32(v)
        case .boolean(let v): return .boolean(v)
        case .string: return .string([])
        }
    }

    private static func lookUp(
        _ count: Int, _ indices: inout RLEHybridDecoder, _ dictionary: ParquetDictionary,
        into builder: ParquetColumnBuilder
    ) throws(ParquetFault) {
        var positions: [UInt32] = []
        try indices.read(count, into: &positions)
        let size = dictionary.count
        if let largest = positions.max(), Int(largest) >= size {
            throw .corrupt("dictionary index \(largest) is out of range: the dictionary has \(size) values")
        }
        switch dictionary {
        case .int64(let v): Self.gather(v, positions, into: &builder.ints)
        case .float64(let v): Self.gather(v, positions, into: &builder.doubles)
        case .float32(let v): Self.gather(v, positions, into: &builder.floats)
        case .boolean(let v): Self.gather(v, positions, into: &builder.bools)
        case .string(let v): builder.strings.append(indices: positions, of: v)
        }
    }

    /// Appends `dictionary[p]` for each of `positions`, which the caller checked are in range.
    private static func gather<T>(_ dictionary: [T], _ positions: [UInt32], into values: inout [T]) {
        let picked = dictionary.withUnsafeBufferPointer { d in
            positions.withUnsafeBufferPointer { p in
                [T](unsafeUninitializedCapacity: p.count) { buffer, initialized in
                    for i in 0..<p.count { (buffer.baseAddress! + i).initialize(to: d[Int(p[i])]) }
                    initialized = p.count
                }
            }
        }
        if values.isEmpty { values = picked } else { values.append(contentsOf: picked) }
    }

    private mutating func decodePlain(_ count: Int, into builder: ParquetColumnBuilder) throws(ParquetFault) {
        let physical = column.physicalType
        if physical == .boolean {
            guard count <= end * 8 - bit else { throw .corrupt("a page has fewer PLAIN booleans than values") }
            for _ in 0..<count {
                builder.bools.append(bytes[bit >> 3] >> UInt8(bit & 7) & 1 != 0)
                bit += 1
            }
            return
        }
        if physical == .byteArray {
            for _ in 0..<count { appendString(try nextByteArray(), to: builder) }
            return
        }
        guard let width = physical.byteWidth, count <= (end - position) / width else {
            throw .corrupt("a page has fewer PLAIN \(physical.name) values than it says")
        }
        let start = position
        position += count * width
        switch physical {
        case .int32:
            bytes.withUnsafeBytes { raw in
                for k in 0..<count {
                    let v = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * k, as: UInt32.self))
                    builder.ints.append(column.integer(UInt64(v)))
                }
            }
        case .int64: Self.copy(bytes, start, count, to: &builder.ints)
        case .float: Self.copy(bytes, start, count, to: &builder.floats)
        case .double: Self.copy(bytes, start, count, to: &builder.doubles)
        default: break
        }
    }

    /// Appends `count` PLAIN values of `T` from `bytes[start...]`, which the caller checked are there: PLAIN is
    /// little-endian, as this machine stores them, so it is one copy.
    private static func copy<T: BitwiseCopyable>(_ bytes: [UInt8], _ start: Int, _ count: Int, to values: inout [T]) {
        let decoded = bytes.withUnsafeBytes { source in
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[start..<(start + MemoryLayout<T>.stride * count)]))
                initialized = count
            }
        }
        if values.isEmpty { values = decoded } else { values.append(contentsOf: decoded) }
    }

    /// The next PLAIN byte array: a 4-byte little-endian length, then the bytes.
    private mutating func nextByteArray() throws(ParquetFault) -> Range<Int> {
        guard end - position >= 4 else { throw .corrupt("a page has fewer PLAIN BYTE_ARRAY values than it says") }
        let p = position
        let length = Int(bytes[p]) | Int(bytes[p + 1]) << 8 | Int(bytes[p + 2]) << 16 | Int(bytes[p + 3]) << 24
        guard length <= end - p - 4 else {
            throw .corrupt("a BYTE_ARRAY value's length \(length) runs past its page")
        }
        position = p + 4 + length
        return (p + 4)..<position
    }

    private func appendString(_ range: Range<Int>, to builder: ParquetColumnBuilder) {
        bytes.withUnsafeBufferPointer { builder.strings.append(bytes: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Value `i` of a BYTE_STREAM_SPLIT section of `values` values has byte `k` at `k * values + i`.
    private func decodeByteStreamSplit(_ count: Int, values: Int, next: Int, into builder: ParquetColumnBuilder) {
        let physical = column.physicalType
        let width = physical.byteWidth ?? 8
        for i in next..<(next + count) {
            var raw: UInt64 = 0
            for k in 0..<width { raw |= UInt64(bytes[position + k * values + i]) << UInt64(8 * k) }
            switch physical {
            case .float: builder.floats.append(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
            case .double: builder.doubles.append(Double(bitPattern: raw))
            default: builder.ints.append(column.integer(raw))
            }
        }
    }
}

extension ParquetPhysicalType {
    /// Bytes per PLAIN value of a fixed-width type; nil for BOOLEAN (bits) and byte arrays.
    var byteWidth: Int? {
        switch self {
        case .int32, .float: 4
        case .int64, .double: 8
        case .int96: 12
        case .boolean, .byteArray, .fixedLenByteArray: nil
        }
    }
}
