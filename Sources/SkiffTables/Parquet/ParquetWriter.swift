/// The page compression a ``ParquetWriter`` uses.
public enum ParquetCompression: String, Sendable, CaseIterable {
    case none
    case snappy
    case gzip
    case zstd

    var codec: ParquetCodec {
        switch self {
        case .none: .uncompressed
        case .snappy: .snappy
        case .gzip: .gzip
        case .zstd: .zstd
        }
    }
}

/// Writes record batches as a Parquet file that pyarrow, pandas and Spark read: every column OPTIONAL and flat,
/// PLAIN-encoded data pages (v1) of about 1 MiB with RLE definition levels, text as UTF8 byte arrays.
///
/// A row group's pages are kept in memory until it ends (at `rowGroupRows` rows, or 128 MiB of encoded pages),
/// then written column by column, so memory follows one row group, never the file. Nothing is valid until
/// ``close()`` writes the footer.
public final class ParquetWriter {
    public let schema: Schema
    private let sink: ByteSink
    private let codec: ParquetCodec
    private let rowGroupRows: Int
    private var columns: [ParquetColumnEncoder]
    private var rowsInGroup = 0
    private var rowGroups: [WrittenRowGroup] = []
    private var totalRows: Int64 = 0
    private var closed = false

    /// Rows a data page holds at most: pages also end at 1 MiB of values.
    static let pageBytes = 1 << 20
    /// Encoded bytes a row group holds before it is written out.
    static let rowGroupBytes = 128 << 20

    /// Creates (or truncates) `path` (`-` for standard output) for `schema`'s columns.
    public init(
        path: String, schema: Schema, compression: ParquetCompression = .snappy, rowGroupRows: Int = 1 << 20
    ) throws(TableError) {
        var seen = Set<String>()
        for field in schema.fields where !seen.insert(field.name).inserted {
            throw TableError(.invalidValue, "a Parquet file cannot hold two columns named '\(field.name)'")
        }
        self.schema = schema
        codec = compression.codec
        self.rowGroupRows = max(1, rowGroupRows)
        columns = schema.fields.map { ParquetColumnEncoder(field: $0) }
        sink = try ByteSink(path: path)
        try sink.write(Array("PAR1".utf8))
    }

    deinit {
        if !closed { try? sink.close() }
    }

    /// Appends `batch`, whose columns must have the writer's names and types, in order.
    public func write(_ batch: RecordBatch) throws(TableError) {
        guard !closed else { throw TableError(.invalidValue, "'\(sink.name)' is already closed") }
        guard batch.schema == schema else {
            throw TableError(
                .invalidValue,
                "the batch's columns (\(Self.describe(batch.schema))) are not the file's (\(Self.describe(schema)))")
        }
        var start = 0
        while start < batch.rowCount {
            let rows = min(batch.rowCount - start, rowGroupRows - rowsInGroup)
            for k in columns.indices {
                try columns[k].append(batch.columns[k], rows: start..<(start + rows), codec: codec)
            }
            rowsInGroup += rows
            start += rows
            if rowsInGroup == rowGroupRows || columns.reduce(0, { $0 + $1.chunkBytes }) >= Self.rowGroupBytes {
                try endRowGroup()
            }
        }
    }

    /// Writes the last row group and the footer, and closes the file.
    public func close() throws(TableError) {
        guard !closed else { return }
        defer { closed = true }
        do {
            if rowsInGroup > 0 { try endRowGroup() }
            let footer = footerBytes()
            try sink.write(footer)
            let length = UInt32(footer.count)
            try sink.write((0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + Array("PAR1".utf8))
        } catch {
            try? sink.close()
            throw error
        }
        try sink.close()
    }

    private static func describe(_ schema: Schema) -> String {
        schema.fields.map { "\($0.name) \($0.type.rawValue)" }.joined(separator: ", ")
    }

    private func endRowGroup() throws(TableError) {
        var chunks: [WrittenChunk] = []
        for k in columns.indices {
            try columns[k].endPage(codec: codec)
            let offset = Int64(sink.offset)
            let chunk = columns[k].takeChunk()
            try sink.write(chunk.bytes)
            chunks.append(
                WrittenChunk(
                    offset: offset, compressedSize: Int64(chunk.bytes.count),
                    uncompressedSize: chunk.uncompressedSize, values: Int64(rowsInGroup)))
        }
        rowGroups.append(WrittenRowGroup(chunks: chunks, rows: Int64(rowsInGroup)))
        totalRows += Int64(rowsInGroup)
        rowsInGroup = 0
    }

    /// The `FileMetaData` struct.
    private func footerBytes() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.structBody { w in
            w.i32(1, 1)  // version
            w.list(2, structs: schema.fields.count + 1) { w, i in
                guard i > 0 else {
                    w.string(4, "schema")
                    w.i32(5, Int32(schema.fields.count))
                    return
                }
                let field = schema.fields[i - 1]
                w.i32(1, field.type.physicalType.rawValue)
                w.i32(3, ParquetSchemaElement.optionalRepetition)
                w.string(4, field.name)
                if field.type == .string {
                    w.i32(6, 0)  // converted type UTF8
                    w.structure(10) { w in w.structure(1) { _ in } }  // logical type STRING
                }
            }
            w.i64(3, totalRows)
            w.list(4, structs: rowGroups.count) { w, g in
                let group = rowGroups[g]
                w.list(1, structs: group.chunks.count) { w, k in
                    let chunk = group.chunks[k]
                    let field = schema.fields[k]
                    w.i64(2, chunk.offset)
                    w.structure(3) { w in
                        w.i32(1, field.type.physicalType.rawValue)
                        w.list(2, i32: [0, 3])  // PLAIN values, RLE levels
                        w.list(3, strings: [field.name])
                        w.i32(4, codec.code)
                        w.i64(5, chunk.values)
                        w.i64(6, chunk.uncompressedSize)
                        w.i64(7, chunk.compressedSize)
                        w.i64(9, chunk.offset)
                    }
                }
                w.i64(2, group.chunks.reduce(0) { $0 + $1.uncompressedSize })
                w.i64(3, group.rows)
            }
            w.string(6, "skiff")
        }
        return w.bytes
    }
}

private struct WrittenChunk {
    var offset: Int64
    var compressedSize: Int64
    var uncompressedSize: Int64
    var values: Int64
}

private struct WrittenRowGroup {
    var chunks: [WrittenChunk]
    var rows: Int64
}

extension ColumnType {
    /// The Parquet physical type a column of this type is written as.
    var physicalType: ParquetPhysicalType {
        switch self {
        case .int64: .int64
        case .float32: .float
        case .float64: .double
        case .boolean: .boolean
        case .string: .byteArray
        }
    }
}

/// One column's pages for the current row group: the open page's PLAIN values and definition levels, and the
/// finished pages (header and compressed body) of the chunk.
struct ParquetColumnEncoder {
    let field: Field
    private var values: [UInt8] = []
    private var levels: [Bool] = []
    /// PLAIN booleans are bits: the open page's count of them.
    private var bits = 0
    private var chunk: [UInt8] = []
    private var uncompressed: Int64 = 0

    init(field: Field) { self.field = field }

    /// Encoded bytes of the chunk so far.
    var chunkBytes: Int { chunk.count + values.count }

    /// Appends `rows` of `column` (of the field's type) to the open page, ending pages as they fill.
    mutating func append(_ column: Column, rows: Range<Int>, codec: ParquetCodec) throws(TableError) {
        if column.validity == nil {
            // No missing values: fixed-width values are copied as they lie (PLAIN is little-endian, like this
            // machine), a page's worth at a time.
            switch column.values {
            case .int64(let v): return try copy(v, rows, codec)
            case .float64(let v): return try copy(v, rows, codec)
            case .float32(let v): return try copy(v, rows, codec)
            default: break
            }
        }
        switch column.values {
        case .int64(let v): try each(column, rows, codec) { e, row in e.fixed(UInt64(bitPattern: v[row]), 8) }
        case .float64(let v): try each(column, rows, codec) { e, row in e.fixed(v[row].bitPattern, 8) }
        case .float32(let v): try each(column, rows, codec) { e, row in e.fixed(UInt64(v[row].bitPattern), 4) }
        case .boolean(let v):
            try each(column, rows, codec) { e, row in
                if e.bits & 7 == 0 { e.values.append(0) }
                if v[row] { e.values[e.values.count - 1] |= 1 << UInt8(e.bits & 7) }
                e.bits += 1
            }
        case .string(let s):
            let utf8 = s.dictionary.map { Array($0.utf8) }
            try each(column, rows, codec) { e, row in
                let text = utf8[Int(s.indices[row])]
                e.fixed(UInt64(text.count), 4)
                e.values.append(contentsOf: text)
            }
        }
    }

    /// Appends `rows` of `values`, all present, ending pages as they fill.
    private mutating func copy<T: BitwiseCopyable>(_ values: [T], _ rows: Range<Int>, _ codec: ParquetCodec)
        throws(TableError)
    {
        let width = MemoryLayout<T>.stride
        var start = rows.lowerBound
        while start < rows.upperBound {
            let room = max(1, (ParquetWriter.pageBytes - self.values.count + width - 1) / width)
            let end = min(rows.upperBound, start + room)
            values[start..<end].withUnsafeBytes { self.values.append(contentsOf: $0) }
            levels.append(contentsOf: repeatElement(true, count: end - start))
            start = end
            if self.values.count >= ParquetWriter.pageBytes { try endPage(codec: codec) }
        }
    }

    /// Appends each row's level, and its value through `value` when present.
    @inline(__always)
    private mutating func each(
        _ column: Column, _ rows: Range<Int>, _ codec: ParquetCodec, _ value: (inout Self, Int) -> Void
    ) throws(TableError) {
        for row in rows {
            let present = column.isValid(row)
            levels.append(present)
            if present { value(&self, row) }
            if values.count >= ParquetWriter.pageBytes { try endPage(codec: codec) }
        }
    }

    /// Appends the low `bytes` bytes of `value`, little-endian.
    @inline(__always)
    private mutating func fixed(_ value: UInt64, _ bytes: Int) {
        withUnsafeBytes(of: value.littleEndian) { values.append(contentsOf: $0.prefix(bytes)) }
    }

    /// Ends the open page, if it has rows: its levels and values are compressed together (data page v1).
    mutating func endPage(codec: ParquetCodec) throws(TableError) {
        guard !levels.isEmpty else { return }
        let encodedLevels = Self.encodeLevels(levels)
        var page: [UInt8] = []
        page.reserveCapacity(4 + encodedLevels.count + values.count)
        let length = UInt32(encodedLevels.count)
        for k in 0..<4 { page.append(UInt8(truncatingIfNeeded: length >> (8 * k))) }
        page.append(contentsOf: encodedLevels)
        page.append(contentsOf: values)
        guard page.count <= Int(Int32.max) else {
            throw TableError(.invalidValue, "column '\(field.name)' has a value too large for a Parquet page")
        }
        let body = codec.compress(page)
        var header = ThriftCompactWriter()
        header.structBody { w in
            w.i32(1, ParquetPageHeader.dataPage)
            w.i32(2, Int32(page.count))
            w.i32(3, Int32(body.count))
            w.structure(5) { w in
                w.i32(1, Int32(levels.count))
                w.i32(2, 0)  // PLAIN
                w.i32(3, 3)  // RLE definition levels
                w.i32(4, 3)  // RLE repetition levels (none: the column is flat)
            }
        }
        chunk.append(contentsOf: header.bytes)
        chunk.append(contentsOf: body)
        uncompressed += Int64(header.bytes.count + page.count)
        levels.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        bits = 0
    }

    /// The finished chunk's bytes and uncompressed size, and a fresh start for the next row group.
    mutating func takeChunk() -> (bytes: [UInt8], uncompressedSize: Int64) {
        defer {
            chunk = []
            uncompressed = 0
        }
        return (chunk, uncompressed)
    }

    /// Definition levels (bit width 1) in the RLE / bit-packing hybrid: one RLE run when every row agrees, else
    /// one bit-packed run, eight rows a byte.
    static func encodeLevels(_ levels: [Bool]) -> [UInt8] {
        var out: [UInt8] = []
        func varint(_ value: Int) {
            var v = UInt64(value)
            while v >= 0x80 {
                out.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            out.append(UInt8(v))
        }
        if levels.allSatisfy({ $0 == levels[0] }) {
            varint(levels.count << 1)
            out.append(levels[0] ? 1 : 0)
            return out
        }
        let groups = (levels.count + 7) / 8
        varint(groups << 1 | 1)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: groups))
        for (i, present) in levels.enumerated() where present { out[start + (i >> 3)] |= 1 << UInt8(i & 7) }
        return out
    }
}
