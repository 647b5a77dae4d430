/// Reads one column chunk's pages in order and hands out its values a batch at a time: a page is
/// decompressed when it is reached, and its levels and values are decoded only as far as asked, so memory
/// follows the chunk's compressed bytes, one page and the batch.
struct ParquetColumnChunkReader {
    let column: ParquetColumn
    private let codec: ParquetCodec
    private let chunk: [UInt8]
    private var position = 0
    /// The chunk's values not yet handed out.
    private var valuesLeft: Int
    private var dictionary: ParquetDictionary?
    private var sawDataPage = false
    private var levels: RLEHybridDecoder?
    private var values: ParquetValueDecoder?
    private var pageValuesLeft = 0
    private var levelScratch: [UInt32] = []
    /// The decompressed page being decoded.
    private var pageBuffer: [UInt8] = []

    /// Reads `chunk`, the chunk's bytes, which hold `valueCount` values.
    init(column: ParquetColumn, codec: ParquetCodec, chunk: [UInt8], valueCount: Int) {
        self.column = column
        self.codec = codec
        self.chunk = chunk
        valuesLeft = valueCount
    }

    /// Appends the next `count` rows to `builder`.
    mutating func read(_ count: Int, into builder: ParquetColumnBuilder) throws(ParquetFault) {
        guard count <= valuesLeft else { throw .corrupt("the column chunk has fewer values than its row group") }
        var left = count
        while left > 0 {
            if pageValuesLeft == 0 { try nextDataPage() }
            let take = min(left, pageValuesLeft)
            var present = take
            let base = builder.count
            if column.isOptional {
                guard var decoder = levels else { throw .corrupt("a page lacks its definition levels") }
                levelScratch.removeAll(keepingCapacity: true)
                try decoder.read(take, into: &levelScratch)
                levels = decoder
                present = 0
                for level in levelScratch {
                    guard level <= 1 else {
                        throw .corrupt("definition level \(level) is over the column's maximum, 1")
                    }
                    present += Int(level)
                }
                builder.validity.append(levels: levelScratch, present: present)
            }
            guard var decoder = values else { throw .corrupt("a page lacks its values") }
            values = nil  // so the decoder's buffers are not shared while it works
            try decoder.decode(present, into: builder)
            values = decoder
            if present < take { builder.spread(from: base, levels: levelScratch) }
            pageValuesLeft -= take
            valuesLeft -= take
            left -= take
        }
    }

    /// Moves to the next data page with values, reading a dictionary page on the way.
    private mutating func nextDataPage() throws(ParquetFault) {
        while true {
            guard position < chunk.count else {
                throw .corrupt("the column chunk ends with \(valuesLeft) of its values unread")
            }
            var thrift = ThriftCompactReader(chunk, range: position..<chunk.count)
            let header = try ParquetPageHeader(from: &thrift)
            position = thrift.position
            let size = Int(header.compressedSize)
            guard size <= chunk.count - position else {
                throw .corrupt("a page's compressed size of \(size) bytes runs past its column chunk")
            }
            let body = position..<(position + size)
            position += size
            switch header.type {
            case ParquetPageHeader.dictionaryPage:
                try readDictionary(header, body)
            case ParquetPageHeader.dataPage:
                if try startPage(header, body) { return }
            case ParquetPageHeader.dataPageV2:
                if try startPageV2(header, body) { return }
            default:
                continue  // index pages and page types from the future hold no values of ours
            }
        }
    }

    private mutating func readDictionary(_ header: ParquetPageHeader, _ body: Range<Int>) throws(ParquetFault) {
        guard let info = header.dictionaryPage else { throw .corrupt("a dictionary page lacks its header") }
        guard dictionary == nil, !sawDataPage else {
            throw .corrupt("a dictionary page comes after another one or after data pages")
        }
        guard info.encoding == 0 || info.encoding == 2 else {
            throw .corrupt("a dictionary page has encoding \(info.encoding), not PLAIN")
        }
        guard info.numValues >= 0 else { throw .corrupt("a dictionary page has a negative value count") }
        let (page, range) = try pageBytes(body, size: header.uncompressedSize)
        var decoder = try ParquetValueDecoder(page, range: range, encoding: 0, column: column, dictionary: nil)
        dictionary = try decoder.dictionary(count: Int(info.numValues))
    }

    /// Starts a data page v1: levels and values, compressed together. False when it has no values.
    private mutating func startPage(_ header: ParquetPageHeader, _ body: Range<Int>) throws(ParquetFault) -> Bool {
        guard let info = header.dataPage else { throw .corrupt("a data page lacks its header") }
        sawDataPage = true
        let count = try checkedCount(info.numValues)
        let (page, range) = try pageBytes(body, size: header.uncompressedSize)
        var start = range.lowerBound
        if column.isOptional {
            switch info.definitionLevelEncoding {
            case 3:
                let (decoder, after) = try RLEHybridDecoder.lengthPrefixed(page, range: range, bitWidth: 1)
                levels = decoder
                start = after
            case 4: throw .unsupported("the deprecated BIT_PACKED encoding of definition levels is not read")
            default: throw .corrupt("unknown definition level encoding \(info.definitionLevelEncoding)")
            }
        }
        values = try ParquetValueDecoder(
            page, range: start..<range.upperBound, encoding: info.encoding, column: column, dictionary: dictionary)
        pageValuesLeft = count
        return count > 0
    }

    /// Starts a data page v2: uncompressed levels, then values compressed on their own.
    private mutating func startPageV2(_ header: ParquetPageHeader, _ body: Range<Int>) throws(ParquetFault) -> Bool {
        guard let info = header.dataPageV2 else { throw .corrupt("a data page v2 lacks its header") }
        sawDataPage = true
        let count = try checkedCount(info.numValues)
        guard info.numRows == info.numValues, info.numNulls >= 0, info.numNulls <= info.numValues else {
            throw .corrupt("a data page v2's value, row and null counts disagree for a flat column")
        }
        guard info.repetitionLevelsByteLength == 0 else { throw .corrupt("a flat column's page has repetition levels") }
        let levelBytes = Int(info.definitionLevelsByteLength)
        guard levelBytes >= 0, levelBytes <= body.count, levelBytes <= Int(header.uncompressedSize) else {
            throw .corrupt("a data page v2's definition levels of \(levelBytes) bytes run past the page")
        }
        if column.isOptional {
            let range = body.lowerBound..<(body.lowerBound + levelBytes)
            levels = try RLEHybridDecoder(chunk, range: range, bitWidth: 1)
        } else if levelBytes != 0 {
            throw .corrupt("a required column's page has definition levels")
        }
        let encoded = (body.lowerBound + levelBytes)..<body.upperBound
        let size = header.uncompressedSize - Int32(levelBytes)
        let page: [UInt8]
        let range: Range<Int>
        if info.isCompressed {
            (page, range) = try pageBytes(encoded, size: size)
        } else {
            guard encoded.count == Int(size) else {
                throw .corrupt("an uncompressed page has \(encoded.count) bytes but its header says \(size)")
            }
            (page, range) = (chunk, encoded)
        }
        values = try ParquetValueDecoder(
            page, range: range, encoding: info.encoding, column: column, dictionary: dictionary)
        pageValuesLeft = count
        return count > 0
    }

    private func checkedCount(_ count: Int32) throws(ParquetFault) -> Int {
        guard count >= 0, Int(count) <= valuesLeft else {
            throw .corrupt("a page holds \(count) values but only \(valuesLeft) of its column chunk's remain")
        }
        return Int(count)
    }

    /// A page's bytes decompressed to `size`: uncompressed pages are read in place; compressed ones are
    /// decompressed into one buffer the chunk's pages share, so a page costs no fresh memory.
    private mutating func pageBytes(_ body: Range<Int>, size: Int32) throws(ParquetFault) -> ([UInt8], Range<Int>) {
        if codec == .uncompressed {
            guard body.count == Int(size) else {
                throw .corrupt("an uncompressed page has \(body.count) bytes but its header says \(size)")
            }
            return (chunk, body)
        }
        // The previous page's decoder lets go of the buffer first, so it is reused rather than copied.
        values = nil
        var buffer = pageBuffer
        pageBuffer = []
        let codec = codec
        let failure: ParquetFault? = chunk.withUnsafeBytes { raw in
            do throws(ParquetFault) {
                try codec.decompress(UnsafeRawBufferPointer(rebasing: raw[body]), size: Int(size), into: &buffer)
                return nil
            } catch {
                return error
            }
        }
        pageBuffer = buffer
        if let failure { throw failure }
        return (buffer, 0..<Int(size))
    }
}
