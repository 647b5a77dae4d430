/// A reader that hands out a table's rows in batches of bounded size, so memory follows the batch, not the file.
public protocol TableReader: AnyObject {
    /// The columns as known now: declared, inferred from the first rows, or read from the file's metadata. A CSV
    /// integer column that later meets a fraction widens to float64 here and in later batches.
    var schema: Schema { get }
    /// What was tolerated so far (ragged rows, values that did not parse) under lenient options.
    var report: ReadReport { get }
    /// The next batch, or nil after the last row.
    func nextBatch() throws(TableError) -> RecordBatch?
}

extension TableReader {
    /// Calls `body` with every remaining batch.
    public func forEachBatch(_ body: (RecordBatch) throws -> Void) throws {
        while let batch = try nextBatch() { try body(batch) }
    }
}

/// How a reader treats its input.
public struct ReadOptions: Sendable {
    /// What to do with a value that does not have its column's type.
    public enum InvalidValues: Sendable {
        /// Stop with `TableError.invalidValue`, naming the place, the column and the value.
        case fail
        /// Keep the row with the value missing, and count it in the report.
        case treatAsMissing
    }

    /// What to do with a CSV row whose field count differs from the header's.
    public enum RaggedRows: Sendable {
        /// Stop with `TableError.raggedRow`.
        case fail
        /// Fill absent fields with missing values, drop extra fields, and count the row in the report.
        case pad
    }

    /// Rows per batch. The default keeps a batch's column arrays (64 KiB of doubles) below the C allocator's
    /// mmap threshold, so batches reuse freed memory instead of faulting in fresh pages.
    public var batchRows: Int
    /// Types to read columns as; others are inferred (CSV, JSON Lines) or taken from the file (Parquet).
    public var types: [String: ColumnType]
    /// Only these columns, in file order; nil for all. A name not in the file is `TableError.unknownColumn`.
    public var columns: [String]?
    /// Data rows sampled to infer the type of undeclared columns.
    public var inferenceRows: Int
    public var invalidValues: InvalidValues
    public var raggedRows: RaggedRows
    /// The CSV field separator.
    public var delimiter: UInt8
    /// Chooses `columns` and `types` from the file's column names, before any row is typed: for a caller that
    /// decides from the header (a model binding its inputs) and an input that can be read only once.
    public var plan: (@Sendable (_ names: [String]) throws(TableError) -> ColumnPlan)?

    public init(
        batchRows: Int = 8192, types: [String: ColumnType] = [:], columns: [String]? = nil,
        inferenceRows: Int = 1000, invalidValues: InvalidValues = .fail, raggedRows: RaggedRows = .fail,
        delimiter: UInt8 = UInt8(ascii: ",")
    ) {
        self.batchRows = max(1, batchRows)
        self.types = types
        self.columns = columns
        self.inferenceRows = max(1, inferenceRows)
        self.invalidValues = invalidValues
        self.raggedRows = raggedRows
        self.delimiter = delimiter
    }
}

/// The columns a reader keeps and the types it reads them as, chosen from the header by `ReadOptions.plan`.
public struct ColumnPlan: Sendable {
    /// Columns to keep; nil for all.
    public var columns: [String]?
    /// Declared types; others are inferred.
    public var types: [String: ColumnType]

    public init(columns: [String]? = nil, types: [String: ColumnType] = [:]) {
        self.columns = columns
        self.types = types
    }
}

extension ReadOptions {
    /// These options with `plan` applied to the file's column names.
    func planned(for names: [String]) throws(TableError) -> ReadOptions {
        guard let plan else { return self }
        let chosen = try plan(names)
        var options = self
        options.columns = chosen.columns
        options.types = chosen.types
        options.plan = nil
        return options
    }
}

/// What a lenient read tolerated.
public struct ReadReport: Sendable, Equatable {
    /// Data rows read so far.
    public var rows = 0
    /// Rows with fewer fields than the header.
    public var shortRows = 0
    /// Rows with more fields than the header.
    public var longRows = 0
    /// Lines of the first few ragged rows.
    public var raggedExamples: [Int] = []
    /// Per column name: fields absent from short rows (read as missing).
    public var absentValues: [String: Int] = [:]
    /// Per column name: values that did not have the column's type (and were read as missing).
    public var invalidValues: [String: Int] = [:]
    /// Per column name: up to three of those values with their lines, as "'abc' on line 7".
    public var invalidExamples: [String: [String]] = [:]

    public init() {}

    mutating func noteRagged(line: Int, short: Bool) {
        if short { shortRows += 1 } else { longRows += 1 }
        if raggedExamples.count < 3 { raggedExamples.append(line) }
    }

    mutating func noteInvalid(column: String, value: some Collection<UInt8>, line: Int) {
        invalidValues[column, default: 0] += 1
        if invalidExamples[column, default: []].count < 3 {
            invalidExamples[column, default: []].append("\(TableError.shown(value)) on line \(line)")
        }
    }
}

/// The file formats Skiff reads.
public enum TableFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl
    case parquet

    /// The format named by a file's extension (`.csv`, `.tsv`, `.jsonl`, `.ndjson`, `.parquet`, `.pq`), or nil.
    public init?(path: String) {
        let lower = path.lowercased()
        guard let dot = lower.lastIndex(of: ".") else { return nil }
        switch lower[lower.index(after: dot)...] {
        case "csv", "tsv", "txt": self = .csv
        case "jsonl", "ndjson", "json": self = .jsonl
        case "parquet", "pq": self = .parquet
        default: return nil
        }
    }

    /// Parses a `--format` option value.
    public init(option: String) throws(TableError) {
        switch option.lowercased() {
        case "csv", "tsv": self = .csv
        case "jsonl", "ndjson", "json-lines", "jsonlines": self = .jsonl
        case "parquet": self = .parquet
        default:
            throw TableError(.unsupportedFormat, "unknown format '\(option)': use csv, jsonl or parquet")
        }
    }
}

/// Opens readers by format.
public enum Tables {
    /// A reader of the file at `path` (`-` for standard input, CSV or JSON Lines only), in `format` or the one
    /// its extension names (CSV when it names none; a `.tsv` file is tab-separated unless a delimiter is given).
    public static func open(path: String, format: TableFormat? = nil, options: ReadOptions = ReadOptions())
        throws(TableError) -> any TableReader
    {
        let resolved = format ?? TableFormat(path: path) ?? .csv
        var options = options
        if path.lowercased().hasSuffix(".tsv") && options.delimiter == UInt8(ascii: ",") {
            options.delimiter = UInt8(ascii: "\t")
        }
        if resolved == .parquet {
            // Parquet's footer comes last: the file is read at offsets, never as a stream.
            guard path != "-" else {
                throw TableError(.unsupportedFormat, "Parquet cannot be read from standard input; give a file")
            }
            return try ParquetTableReader(path: path, options: options)
        }
        let source = try ByteSource(path: path)
        return resolved == .csv
            ? try CSVTableReader(source: source, options: options)
            : try JSONLinesTableReader(source: source, options: options)
    }
}

extension Tables {
    /// A reader of bytes already in memory (a request body), named `name` in messages.
    public static func reader(bytes: [UInt8], name: String, format: TableFormat, options: ReadOptions = ReadOptions())
        throws(TableError) -> any TableReader
    {
        let source = ByteSource(bytes: bytes, name: name)
        switch format {
        case .csv: return try CSVTableReader(source: source, options: options)
        case .jsonl: return try JSONLinesTableReader(source: source, options: options)
        case .parquet: return try ParquetTableReader(bytes: bytes, name: name, options: options)
        }
    }
}
