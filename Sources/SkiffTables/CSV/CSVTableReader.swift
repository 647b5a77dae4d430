/// Reads a CSV file with a header row into typed batches.
///
/// Undeclared columns are typed from the first `inferenceRows` data rows (``TypeInference``); those rows are
/// kept and handed out first, so nothing is read twice. Missing values are pandas' markers (``TextValues``).
public final class CSVTableReader: TableReader {
    // A reader is used by one thread at a time, so dynamic exclusivity checks are skipped.
    @exclusivity(unchecked) public private(set) var report = ReadReport()
    @exclusivity(unchecked) private var scanner: CSVScanner
    private let options: ReadOptions
    private let header: [String]
    /// For each kept column, its field index in the file.
    private let projection: [Int]
    private let builders: [ColumnBuilder]
    private let handles: [Unmanaged<ColumnBuilder>]
    /// Sampled rows not yet handed out.
    private var pending: [SampledRow] = []
    private var pendingIndex = 0
    @exclusivity(unchecked) private var rowsInBatch = 0
    private var firstRow = 0
    private var finished = false

    init(source: ByteSource, options: ReadOptions) throws(TableError) {
        var scanner = CSVScanner(source: source, delimiter: options.delimiter)
        guard try scanner.next() else {
            throw TableError(.emptyFile, "'\(source.name)' is empty: a CSV file with a header row is needed")
        }
        let header = (0..<scanner.fieldCount).map { String(decoding: scanner.field($0), as: UTF8.self) }
        let options = try options.planned(for: header)
        let projection: [Int]
        if let wanted = options.columns {
            projection = try wanted.map { name throws(TableError) in
                guard let index = header.firstIndex(of: name) else {
                    throw TableError(
                        .unknownColumn,
                        "'\(source.name)' has no column '\(name)' (columns: \(header.joined(separator: ", ")))")
                }
                return index
            }.sorted()
        } else {
            projection = Array(header.indices)
        }
        // Sample rows for the undeclared columns' types.
        var inference = [TypeInference](repeating: TypeInference(), count: header.count)
        var pending: [SampledRow] = []
        let needsInference = projection.contains { options.types[header[$0]] == nil }
        if needsInference {
            while pending.count < options.inferenceRows, try scanner.next() {
                var row = SampledRow(line: scanner.line)
                for i in 0..<scanner.fieldCount {
                    let field = scanner.field(i)
                    if i < header.count { inference[i].add(field) }
                    row.bytes.append(contentsOf: field)
                    row.bounds.append(row.bytes.count)
                }
                pending.append(row)
            }
        }
        builders = projection.map { index in
            let name = header[index]
            let declared = options.types[name]
            return ColumnBuilder(
                name: name, type: declared ?? inference[index].type, inferred: declared == nil,
                capacity: options.batchRows)
        }
        handles = builders.map { Unmanaged.passUnretained($0) }
        self.scanner = scanner
        self.options = options
        self.header = header
        self.projection = projection
        self.pending = pending
    }

    public var schema: Schema { Schema(builders.map { Field(name: $0.name, type: $0.type) }) }

    public func nextBatch() throws(TableError) -> RecordBatch? {
        if finished { return nil }
        while rowsInBatch < options.batchRows {
            if pendingIndex < pending.count {
                let row = pending[pendingIndex]
                pendingIndex += 1
                if pendingIndex == pending.count { pending = [] }
                try row.bytes.withUnsafeBufferPointer { bytes throws(TableError) in
                    try add(fieldCount: row.bounds.count - 1, line: row.line) { i in
                        UnsafeBufferPointer(rebasing: bytes[row.bounds[i]..<row.bounds[i + 1]])
                    }
                }
                continue
            }
            guard try scanner.next() else {
                finished = true
                break
            }
            let line = scanner.line
            try add(fieldCount: scanner.fieldCount, line: line) { scanner.field($0) }
        }
        if rowsInBatch == 0 { return nil }
        let columns = builders.map { $0.finish() }
        let batch = RecordBatch(schema: schema, columns: columns, rowCount: rowsInBatch, firstRow: firstRow)
        firstRow += rowsInBatch
        rowsInBatch = 0
        return batch
    }

    @inline(__always)
    private func add(fieldCount: Int, line: Int, _ field: (Int) -> UnsafeBufferPointer<UInt8>) throws(TableError) {
        if fieldCount != header.count {
            if case .fail = options.raggedRows {
                throw TableError(
                    .raggedRow,
                    at: TableLocation(file: scanner.name, line: line),
                    "the row has \(fieldCount) fields; the header has \(header.count)")
            }
            report.noteRagged(line: line, short: fieldCount < header.count)
        }
        for (position, index) in projection.enumerated() {
            guard index < fieldCount else {
                builders[position].appendMissing()
                report.absentValues[builders[position].name, default: 0] += 1
                continue
            }
            let value = field(index)
            // `builders` keeps the objects alive; the unretained handle spares a retain/release per field.
            if !handles[position]._withUnsafeGuaranteedRef({ $0.append(value) }) {
                try invalid(value, builder: builders[position], line: line)
            }
        }
        rowsInBatch += 1
        report.rows += 1
    }

    private func invalid(_ value: UnsafeBufferPointer<UInt8>, builder: ColumnBuilder, line: Int) throws(TableError) {
        switch options.invalidValues {
        case .fail:
            let inferred = options.types[builder.name] == nil
            throw TableError(
                .invalidValue,
                at: TableLocation(file: scanner.name, line: line, column: builder.name),
                "\(TableError.shown(value)) is not \(builder.type.described)"
                    + (inferred
                        ? " (the column's type was inferred from its first \(options.inferenceRows) rows)" : ""))
        case .treatAsMissing:
            builder.appendMissing()
            report.noteInvalid(column: builder.name, value: value, line: line)
        }
    }
}

extension ColumnType {
    /// "a number", "an integer", … for messages.
    var described: String {
        switch self {
        case .int64: "an integer"
        case .float32, .float64: "a number"
        case .boolean: "a boolean (true or false)"
        case .string: "text"
        }
    }
}

/// A data row read while inferring types, kept to be handed out first.
private struct SampledRow {
    var line: Int
    /// The fields' bytes back to back.
    var bytes: [UInt8] = []
    /// Field `i` is `bytes[bounds[i]..<bounds[i + 1]]`.
    var bounds: [Int] = [0]
}
