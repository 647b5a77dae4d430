/// Decodes DELTA_BINARY_PACKED integers one at a time: a header (block size, miniblocks per block, value
/// count, first value), then blocks of a minimum delta, one bit width per miniblock and the packed miniblocks.
///
/// Arithmetic wraps, as the encoding's does; INT32 columns truncate the result to 32 bits. Every block and
/// miniblock is checked against the data's end, so hostile sizes give a `ParquetFault`, never a bad read.
struct DeltaBinaryPackedDecoder {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    private let miniblocks: Int
    private let valuesPerMiniblock: Int
    /// Values the header declares.
    let count: Int
    private var produced = 0
    private var last: UInt64
    private var minDelta: UInt64 = 0
    private var widths: [UInt8] = []
    /// The current miniblock: its index in the block, values left in it, its next bit and its end bit.
    private var miniblock = -1
    private var leftInMiniblock = 0
    private var bit = 0
    private var endBit = 0

    /// Reads the header at the start of `bytes[range]`.
    init(_ bytes: [UInt8], range: Range<Int>) throws(ParquetFault) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
        let blockSize = try Self.varint(bytes, &position, end)
        let miniblocks = try Self.varint(bytes, &position, end)
        let count = try Self.varint(bytes, &position, end)
        let first = try Self.varint(bytes, &position, end)
        guard blockSize > 0, blockSize <= 1 << 20, miniblocks > 0, miniblocks <= blockSize,
            blockSize % miniblocks == 0, (blockSize / miniblocks) % 8 == 0, count <= UInt64(Int32.max)
        else { throw .corrupt("a DELTA_BINARY_PACKED header is invalid") }
        self.miniblocks = Int(miniblocks)
        valuesPerMiniblock = Int(blockSize / miniblocks)
        self.count = Int(count)
        last = (first >> 1) ^ (0 &- (first & 1))
    }

    private static func varint(_ bytes: [UInt8], _ position: inout Int, _ end: Int) throws(ParquetFault) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw .corrupt("DELTA_BINARY_PACKED data is truncated") }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next value, as the 64 bits of its two's complement.
    @inline(__always)
    mutating func next() throws(ParquetFault) -> UInt64 {
        guard produced < count else { throw .corrupt("DELTA_BINARY_PACKED data has fewer values than its page") }
        produced += 1
        if produced == 1 { return last }
        if leftInMiniblock == 0 { try startMiniblock() }
        let width = Int(widths[miniblock])
        guard bit + width <= endBit else { throw .corrupt("a DELTA_BINARY_PACKED miniblock runs past its data") }
        let delta = unpackBits(bytes, bit: bit, width: width)
        bit += width
        leftInMiniblock -= 1
        last = last &+ minDelta &+ delta
        return last
    }

    private mutating func startMiniblock() throws(ParquetFault) {
        miniblock += 1
        if miniblock == miniblocks || widths.isEmpty {
            let delta = try Self.varint(bytes, &position, end)
            minDelta = (delta >> 1) ^ (0 &- (delta & 1))
            guard end - position >= miniblocks else {
                throw .corrupt("a DELTA_BINARY_PACKED block's bit widths run past its data")
            }
            widths = Array(bytes[position..<(position + miniblocks)])
            position += miniblocks
            miniblock = 0
        }
        let width = Int(widths[miniblock])
        guard width <= 64 else { throw .corrupt("a DELTA_BINARY_PACKED bit width of \(width) is over 64") }
        // The miniblock is padded to full length; the last one may be cut short where its values end.
        let length = min(valuesPerMiniblock * width / 8, end - position)
        bit = position * 8
        endBit = (position + length) * 8
        position += length
        leftInMiniblock = valuesPerMiniblock
    }

    /// Where the encoded values end, found by walking the block headers without decoding: the data that
    /// follows (DELTA_LENGTH_BYTE_ARRAY's bytes) starts there.
    func endOfData() throws(ParquetFault) -> Int {
        var position = self.position
        var left = count > 0 ? count - 1 : 0
        var start = position
        // Only a fresh decoder is walked.
        guard produced == 0 else { return self.position }
        while left > 0 {
            _ = try Self.varint(bytes, &position, end)
            guard end - position >= miniblocks else {
                throw .corrupt("a DELTA_BINARY_PACKED block's bit widths run past its data")
            }
            start = position
            position += miniblocks
            for i in 0..<miniblocks where left > 0 {
                let width = Int(bytes[start + i])
                guard width <= 64 else { throw .corrupt("a DELTA_BINARY_PACKED bit width of \(width) is over 64") }
                let length = valuesPerMiniblock * width / 8
                guard end - position >= length else {
                    throw .corrupt("a DELTA_BINARY_PACKED miniblock runs past its data")
                }
                position += length
                left -= min(left, valuesPerMiniblock)
            }
        }
        return position
    }
}
