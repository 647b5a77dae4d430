/// Reads `width` bits (0...64) that start `bit` bits into `bytes`, least significant bit first: the packing of
/// Parquet's bit-packed runs and DELTA_BINARY_PACKED miniblocks. The caller has checked that the bits lie
/// within `bytes`.
@inline(__always)
func unpackBits(_ bytes: [UInt8], bit: Int, width: Int) -> UInt64 {
    if width == 0 { return 0 }
    if width > 56 {
        return unpackBits(bytes, bit: bit, width: 32) | unpackBits(bytes, bit: bit + 32, width: width - 32) << 32
    }
    var index = bit >> 3
    let last = (bit + width - 1) >> 3
    var accumulator: UInt64 = 0
    var shift: UInt64 = 0
    while index <= last {
        accumulator |= UInt64(bytes[index]) << shift
        shift += 8
        index += 1
    }
    return (accumulator >> UInt64(bit & 7)) & ((1 << UInt64(width)) - 1)
}

/// Decodes Parquet's RLE / bit-packing hybrid (definition levels, dictionary indices, RLE booleans) one value
/// at a time, so a run of a billion values costs no memory.
///
/// A run's header, repeated value and packed bytes are checked against the data's end; a bit-packed run cut
/// short by the end of the data yields the values it holds in full, and asking for more is a `ParquetFault`.
struct RLEHybridDecoder {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    /// Bits per value, at most 32.
    let bitWidth: Int
    private var repeatsLeft = 0
    private var repeated: UInt32 = 0
    private var packedLeft = 0
    private var packedBit = 0

    /// Decodes `bytes[range]` as values of `bitWidth` bits.
    init(_ bytes: [UInt8], range: Range<Int>, bitWidth: Int) throws(ParquetFault) {
        guard (0...32).contains(bitWidth) else { throw .corrupt("an RLE bit width of \(bitWidth) is over 32") }
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
        self.bitWidth = bitWidth
    }

    /// Decodes data that starts with its 4-byte little-endian length (RLE levels of data page v1, RLE booleans);
    /// `after` is where the data ends.
    static func lengthPrefixed(_ bytes: [UInt8], range: Range<Int>, bitWidth: Int) throws(ParquetFault)
        -> (decoder: RLEHybridDecoder, after: Int)
    {
        guard range.count >= 4 else { throw .corrupt("RLE data lacks its length") }
        let s = range.lowerBound
        let length =
            Int(bytes[s]) | Int(bytes[s + 1]) << 8 | Int(bytes[s + 2]) << 16 | Int(bytes[s + 3]) << 24
        guard length <= range.count - 4 else {
            throw .corrupt("RLE data says it has \(length) bytes but \(range.count - 4) remain")
        }
        let data = (s + 4)..<(s + 4 + length)
        return (try RLEHybridDecoder(bytes, range: data, bitWidth: bitWidth), data.upperBound)
    }

    /// The next value.
    @inline(__always)
    mutating func next() throws(ParquetFault) -> UInt32 {
        while true {
            if repeatsLeft > 0 {
                repeatsLeft -= 1
                return repeated
            }
            if packedLeft > 0 {
                packedLeft -= 1
                let value = UInt32(truncatingIfNeeded: unpackBits(bytes, bit: packedBit, width: bitWidth))
                packedBit += bitWidth
                return value
            }
            try startRun()
        }
    }

    /// Appends the next `count` values to `out`, a run at a time.
    mutating func read(_ count: Int, into out: inout [UInt32]) throws(ParquetFault) {
        var left = count
        out.reserveCapacity(out.count + count)
        while left > 0 {
            if repeatsLeft > 0 {
                let n = min(left, repeatsLeft)
                out.append(contentsOf: repeatElement(repeated, count: n))
                repeatsLeft -= n
                left -= n
            } else if packedLeft > 0 {
                let n = min(left, packedLeft)
                let width = bitWidth
                let mask: UInt64 = (1 << UInt64(width)) - 1
                var bit = packedBit
                bytes.withUnsafeBytes { raw in
                    // A value of at most 32 bits lies within the 8 bytes from its first: one load, until the
                    // last 8 bytes of the data, which are read byte by byte.
                    let lastWholeLoad = raw.count - 8
                    for _ in 0..<n {
                        let byte = bit >> 3
                        let value =
                            byte <= lastWholeLoad
                            ? (UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
                                >> UInt64(bit & 7)) & mask
                            : unpackBits(bytes, bit: bit, width: width)
                        out.append(UInt32(truncatingIfNeeded: value))
                        bit += width
                    }
                }
                packedBit = bit
                packedLeft -= n
                left -= n
            } else {
                try startRun()
            }
        }
    }

    private mutating func startRun() throws(ParquetFault) {
        guard position < end else { throw .corrupt("RLE data ends before its values do") }
        var header: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 35 else { throw .corrupt("an RLE run header is malformed") }
            let b = bytes[position]
            position += 1
            header |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard header <= UInt64(UInt32.max) else { throw .corrupt("an RLE run header is out of range") }
        let count = Int(header >> 1)
        if header & 1 == 1 {
            // `count` groups of 8 values, packed in `count * bitWidth` bytes.
            let wanted = count * bitWidth
            let available = min(wanted, end - position)
            packedBit = position * 8
            packedLeft = bitWidth == 0 ? count * 8 : min(count * 8, available * 8 / bitWidth)
            position += available
            if packedLeft == 0 && count > 0 { throw .corrupt("a bit-packed run runs past its data") }
        } else {
            let width = (bitWidth + 7) / 8
            guard end - position >= width else { throw .corrupt("an RLE run's value runs past its data") }
            var value: UInt32 = 0
            for i in 0..<width { value |= UInt32(bytes[position + i]) << UInt32(8 * i) }
            position += width
            guard bitWidth == 32 || value >> UInt32(bitWidth) == 0 else {
                throw .corrupt("an RLE run's value \(value) does not fit in \(bitWidth) bits")
            }
            repeated = value
            repeatsLeft = count
        }
    }
}
