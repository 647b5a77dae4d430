/// Reads a Parquet file's flat columns into typed batches.
///
/// The footer is read when the reader opens; a row group's selected column chunks are read when its first
/// batch is asked for, and a batch never spans row groups, so memory follows a row group's compressed chunks
/// and one batch, never the file. Everything the file says is checked before it is used: a truncated or
/// inconsistent file is `TableError.corruptFile` naming the row group and column, never a trap.
///
/// Physical types read as: BOOLEAN → boolean, INT32/INT64 (dates, times and timestamps as their integers) →
/// int64, FLOAT → float32, DOUBLE → float64, BYTE_ARRAY (text, or no logical type) → string. Nested columns,
/// INT96, FIXED_LEN_BYTE_ARRAY and decimals are `TableError.unsupportedFeature` when selected.
public final class ParquetTableReader: TableReader {
    public let schema: Schema
    public private(set) var report = ReadReport()
    /// Rows the footer declares.
    public let rowCount: Int
    private let file: ParquetFile
    private let rowGroups: [ParquetRowGroup]
    private let columns: [ParquetColumn]
    private let options: ReadOptions
    /// The end of the pages: the footer and its length follow.
    private let dataEnd: Int
    private var rowGroup = -1
    private var rowsLeftInGroup = 0
    private var chunks: [ParquetColumnChunkReader] = []
    private var firstRow = 0
    /// The error that stopped the read; later calls throw it again.
    private var failure: TableError?

    /// Opens `path` and reads its footer.
    ///
    /// - Throws: `TableError` `.unreadableFile`, `.corruptFile` (bad magic, footer or schema),
    ///   `.unknownColumn` (a selected column not in the file), `.unsupportedFeature` (a selected column Skiff
    ///   cannot read) or `.invalidValue` (a declared type the column's values cannot convert to).
    convenience init(path: String, options: ReadOptions) throws(TableError) {
        try self.init(file: try ParquetFile(path: path), options: options)
    }

    /// Reads a Parquet file already in memory (a request body), named `name` in messages.
    convenience init(bytes: [UInt8], name: String, options: ReadOptions) throws(TableError) {
        try self.init(file: ParquetFile(bytes: bytes, name: name), options: options)
    }

    private init(file: ParquetFile, options: ReadOptions) throws(TableError) {
        let path = file.name
        let here = TableLocation(file: path)
        let size = file.size
        guard size >= 12 else {
            throw TableError(.corruptFile, at: here, "the file has \(size) bytes, too few for Parquet (at least 12)")
        }
        let head = try file.read(0..<4)
        let tail = try file.read((size - 8)..<size)
        if tail[4..<8].elementsEqual("PARE".utf8) {
            throw TableError(.unsupportedFeature, at: here, "the file's footer is encrypted, which is not read")
        }
        guard head.elementsEqual("PAR1".utf8), tail[4..<8].elementsEqual("PAR1".utf8) else {
            throw TableError(.corruptFile, at: here, "the file does not start and end with Parquet's magic 'PAR1'")
        }
        let footerLength = Int(tail[0]) | Int(tail[1]) << 8 | Int(tail[2]) << 16 | Int(tail[3]) << 24
        guard footerLength <= size - 12 else {
            throw TableError(
                .corruptFile, at: here, "the footer's length, \(footerLength) bytes, is more than the file holds")
        }
        dataEnd = size - 8 - footerLength
        let footer = try file.read(dataEnd..<(size - 8))
        let metadata: ParquetFileMetaData
        let fields: [ParquetField]
        let leafCount: Int
        do throws(ParquetFault) {
            var thrift = ThriftCompactReader(footer, range: footer.indices)
            metadata = try ParquetFileMetaData(from: &thrift)
            (fields, leafCount) = try metadata.fields()
        } catch {
            throw error.error(at: here)
        }
        var total: Int64 = 0
        for (index, group) in metadata.rowGroups.enumerated() {
            let location = TableLocation(file: path, rowGroup: index)
            guard group.columns.count == leafCount else {
                throw TableError(
                    .corruptFile, at: location,
                    "the row group has \(group.columns.count) column chunks; the schema has \(leafCount) columns")
            }
            let (sum, overflow) = total.addingReportingOverflow(group.numRows)
            guard !overflow else { throw TableError(.corruptFile, at: location, "the row counts overflow") }
            total = sum
        }
        guard total == metadata.numRows else {
            throw TableError(
                .corruptFile, at: here, "the footer says \(metadata.numRows) rows; its row groups hold \(total)")
        }
        let options = try options.planned(for: fields.map(\.name))
        columns = try Self.select(fields, options: options, file: path)
        schema = Schema(columns.map { Field(name: $0.name, type: options.types[$0.name] ?? $0.preferredType) })
        for (column, field) in zip(columns, schema.fields) where !Self.converts(column.fileType, to: field.type) {
            throw TableError(
                .invalidValue, at: TableLocation(file: path, column: column.name),
                "the file stores \(column.physicalType.name) values (\(column.fileType.rawValue)); "
                    + "they cannot be read as \(field.type.rawValue)")
        }
        self.file = file
        self.options = options
        rowGroups = metadata.rowGroups
        rowCount = Int(metadata.numRows)
    }

    /// The selected fields' columns in file order; an unknown name or an unreadable selected field throws.
    private static func select(_ fields: [ParquetField], options: ReadOptions, file: String) throws(TableError)
        -> [ParquetColumn]
    {
        var selected = Array(fields.indices)
        if let wanted = options.columns {
            selected = []
            for name in wanted {
                guard let index = fields.firstIndex(where: { $0.name == name }) else {
                    throw TableError(
                        .unknownColumn,
                        "'\(file)' has no column '\(name)' (columns: \(fields.map(\.name).joined(separator: ", ")))")
                }
                if !selected.contains(index) { selected.append(index) }
            }
            selected.sort()
        }
        return try selected.map { index throws(TableError) in
            switch fields[index].column {
            case .success(let column): return column
            case .failure(let fault): throw fault.error(at: TableLocation(file: file, column: fields[index].name))
            }
        }
    }

    /// The conversions a declared type may ask for: any column as text, text as any type (each value must parse),
    /// numbers and booleans as numbers (a float read as an integer must be integral), and only text or booleans as
    /// booleans.
    private static func converts(_ stored: ColumnType, to declared: ColumnType) -> Bool {
        declared != .boolean || stored == .boolean || stored == .string
    }

    public func nextBatch() throws(TableError) -> RecordBatch? {
        if let failure { throw failure }
        do {
            return try readBatch()
        } catch {
            failure = error
            chunks = []
            throw error
        }
    }

    private func readBatch() throws(TableError) -> RecordBatch? {
        while rowsLeftInGroup == 0 {
            chunks = []
            rowGroup += 1
            guard rowGroup < rowGroups.count else { return nil }
            try openRowGroup()
        }
        let rows = min(options.batchRows, rowsLeftInGroup)
        var out: [Column] = []
        out.reserveCapacity(chunks.count)
        for k in chunks.indices {
            let column = chunks[k].column
            let builder = ParquetColumnBuilder(type: column.fileType, capacity: rows)
            do throws(ParquetFault) {
                try chunks[k].read(rows, into: builder)
            } catch {
                throw error.error(at: location(column))
            }
            out.append(try finish(builder, column: column, as: schema.fields[k].type))
        }
        rowsLeftInGroup -= rows
        let batch = RecordBatch(schema: schema, columns: out, rowCount: rows, firstRow: firstRow)
        firstRow += rows
        report.rows += rows
        return batch
    }

    private func location(_ column: ParquetColumn) -> TableLocation {
        TableLocation(file: file.name, rowGroup: rowGroup, column: column.name)
    }

    /// Reads the current row group's selected column chunks.
    private func openRowGroup() throws(TableError) {
        let group = rowGroups[rowGroup]
        guard group.numRows > 0 else { return }
        var opened: [ParquetColumnChunkReader] = []
        for column in columns {
            let here = location(column)
            let chunk = group.columns[column.leaf]
            if chunk.isEncrypted {
                throw TableError(.unsupportedFeature, at: here, "the column chunk is encrypted, which is not read")
            }
            if let path = chunk.filePath, !path.isEmpty {
                throw TableError(
                    .unsupportedFeature, at: here, "the column chunk is in another file, which is not read")
            }
            guard let meta = chunk.metaData else {
                throw TableError(.corruptFile, at: here, "the column chunk has no metadata")
            }
            guard meta.type == column.physicalType.rawValue else {
                throw TableError(
                    .corruptFile, at: here,
                    "the column chunk's physical type \(meta.type) is not the schema's \(column.physicalType.name)")
            }
            guard meta.pathInSchema == [column.name] else {
                throw TableError(
                    .corruptFile, at: here,
                    "the column chunk's path '\(meta.pathInSchema.joined(separator: "."))' is not the column's")
            }
            guard meta.numValues == group.numRows else {
                throw TableError(
                    .corruptFile, at: here,
                    "the column chunk has \(meta.numValues) values for the row group's \(group.numRows) rows")
            }
            let codec: ParquetCodec
            do throws(ParquetFault) { codec = try ParquetCodec(code: meta.codec) } catch { throw error.error(at: here) }
            var start = meta.dataPageOffset
            if let dictionary = meta.dictionaryPageOffset, dictionary > 0, dictionary < start { start = dictionary }
            let length = meta.totalCompressedSize
            guard start >= 4, start <= Int64(dataEnd), length <= Int64(dataEnd) - start else {
                throw TableError(
                    .corruptFile, at: here,
                    "the column chunk's \(length) bytes at offset \(start) lie outside the file's pages")
            }
            let bytes = try file.read(Int(start)..<Int(start + length))
            opened.append(
                ParquetColumnChunkReader(column: column, codec: codec, chunk: bytes, valueCount: Int(meta.numValues)))
        }
        chunks = opened
        rowsLeftInGroup = Int(group.numRows)
    }

    /// The batch's column in its schema type; a value the conversion cannot represent is invalid, and text that
    /// is one of pandas' missing markers is missing.
    private func finish(_ builder: ParquetColumnBuilder, column: ParquetColumn, as type: ColumnType)
        throws(TableError) -> Column
    {
        var validity = column.isOptional ? builder.validity : nil
        let isValid = { (i: Int) in validity?[i] ?? true }
        var invalid: [(row: Int, text: String)] = []
        var missing: [Int] = []
        let values: ColumnValues
        let decoded = builder.finish()
        switch (decoded, type) {
        case (.float64, .float64), (.float32, .float32), (.boolean, .boolean), (.string, .string):
            values = decoded
        case (.int64(let v), .int64):
            if column.isUnsigned64 {
                for i in v.indices where v[i] < 0 && isValid(i) {
                    invalid.append((i, String(UInt64(bitPattern: v[i]))))
                }
            }
            values = .int64(v)
        case (.string(let s), _):
            let parsed = s.dictionary.map { Self.parse($0, as: type) }
            values = Self.typed(
                type, rows: s.indices.count, { i in isValid(i) ? parsed[Int(s.indices[i])] : .missing },
                text: { i in s.dictionary[Int(s.indices[i])] }, missing: &missing, invalid: &invalid)
        case (.int64(let v), _):
            let unsigned = column.isUnsigned64
            values = Self.typed(
                type, rows: v.count,
                { i in
                    guard isValid(i) else { return .missing }
                    return unsigned && v[i] < 0 ? .number(Double(UInt64(bitPattern: v[i]))) : .integer(v[i])
                }, text: { i in unsigned ? String(UInt64(bitPattern: v[i])) : String(v[i]) }, missing: &missing,
                invalid: &invalid)
        case (.float64(let v), _):
            values = Self.typed(
                type, rows: v.count, { i in isValid(i) ? .number(v[i]) : .missing }, text: { i in v[i].description },
                missing: &missing, invalid: &invalid)
        case (.float32(let v), _):
            values = Self.typed(
                type, rows: v.count, { i in isValid(i) ? .number(Double(v[i])) : .missing },
                text: { i in v[i].description }, missing: &missing, invalid: &invalid)
        case (.boolean(let v), _):
            values = Self.typed(
                type, rows: v.count, { i in isValid(i) ? .boolean(v[i]) : .missing },
                text: { i in v[i] ? "True" : "False" }, missing: &missing, invalid: &invalid)
        }
        if !missing.isEmpty {
            if validity == nil { validity = Validity(allValid: builder.count) }
            for row in missing { validity?.setMissing(row) }
        }
        for (row, text) in invalid {
            let place = "row \(firstRow + row + 1)"
            switch options.invalidValues {
            case .fail:
                throw TableError(
                    .invalidValue, at: location(column), "\(place): '\(text)' is not \(type.described)")
            case .treatAsMissing:
                if validity == nil { validity = Validity(allValid: builder.count) }
                validity?.setMissing(row)
                report.invalidValues[column.name, default: 0] += 1
                if report.invalidExamples[column.name, default: []].count < 3 {
                    report.invalidExamples[column.name, default: []].append("'\(text)' in \(place)")
                }
            }
        }
        return Column(values, validity: validity)
    }

    /// One value on its way to a declared type.
    private enum Converting {
        case integer(Int64)
        case number(Double)
        case boolean(Bool)
        case missing
        case invalid
    }

    /// Text as `type`, as a CSV field would read: a pandas missing marker is missing, anything that does not parse
    /// is invalid.
    private static func parse(_ text: String, as type: ColumnType) -> Converting {
        var text = text
        return text.withUTF8 { field in
            if TextValues.isMissing(field) { return .missing }
            switch type {
            case .int64: return TextValues.int64(field).map(Converting.integer) ?? .invalid
            case .float64, .float32: return TextValues.double(field).map(Converting.number) ?? .invalid
            case .boolean: return TextValues.boolean(field).map(Converting.boolean) ?? .invalid
            case .string: return .invalid
            }
        }
    }

    /// `rows` values in `type`: integers and booleans widen to floats, booleans count as 0 and 1, a float read as
    /// an integer must be integral, and text is each value as `text` gives it (as pandas prints it). A missing
    /// value keeps a placeholder and is listed in `missing`; one that does not convert is listed in `invalid`.
    private static func typed(
        _ type: ColumnType, rows: Int, _ value: (Int) -> Converting, text: (Int) -> String, missing: inout [Int],
        invalid: inout [(row: Int, text: String)]
    ) -> ColumnValues {
        func each<T>(_ placeholder: T, _ convert: (Converting) -> T?) -> [T] {
            (0..<rows).map { i in
                let v = value(i)
                if case .missing = v {
                    missing.append(i)
                    return placeholder
                }
                if let converted = convert(v) { return converted }
                invalid.append((i, text(i)))
                return placeholder
            }
        }
        switch type {
        case .int64:
            return .int64(
                each(0) { v in
                    switch v {
                    case .integer(let x): x
                    case .number(let x): Int64(exactly: x)
                    case .boolean(let b): b ? 1 : 0
                    default: nil
                    }
                })
        case .float64:
            return .float64(each(.nan) { v in Self.double(v) })
        case .float32:
            return .float32(each(.nan) { v in Self.double(v).map { Float($0) } })
        case .boolean:
            return .boolean(
                each(false) { v in
                    if case .boolean(let b) = v { return b }
                    return nil
                })
        case .string:
            var dictionary = ByteDictionary()
            let indices = (0..<rows).map { i -> Int32 in
                if case .missing = value(i) {
                    missing.append(i)
                    return 0
                }
                return dictionary.index(of: text(i))
            }
            return .string(DictionaryStrings(dictionary: dictionary.strings, indices: indices))
        }
    }

    private static func double(_ value: Converting) -> Double? {
        switch value {
        case .integer(let x): Double(x)
        case .number(let x): x
        case .boolean(let b): b ? 1 : 0
        default: nil
        }
    }
}
