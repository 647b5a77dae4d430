import SkiffStats
import SkiffTables

/// One column of a CSV file as read for drift testing: raw numbers or category counts, or a profile.
public struct LoadedColumn: Sendable {
    /// Column name from the header.
    public var name: String
    /// The type it was read as.
    public var kind: ColumnKind
    /// The finite numerical values, sorted ascending (exact mode only); missing ones are only counted.
    public var numbers: [Double] = []
    /// Category counts, missing excluded (exact mode only).
    public var categories: [String: Int] = [:]
    /// Missing values, unparsable ones and those absent from short rows included.
    public var missing = 0
    /// Fields that could not be parsed as numbers in a numerical column.
    public var invalid = 0
    /// Up to three unparsable fields with their record numbers, for the report.
    public var invalidExamples: [String] = []
    /// Rows too short to contain this column.
    public var absentInShortRows = 0
    /// True while every field was an integer literal and none was missing.
    public var integerValued = true
    /// The profile (profile mode only).
    public var profile: ColumnProfile?

    /// Values read, missing included.
    public var rows = 0
}

/// A CSV file loaded column by column, with what went wrong while reading it.
public struct LoadedTable: Sendable {
    /// How values are kept.
    public enum Mode: Sendable {
        /// Keep every number and every category count: the exact tests.
        case exact
        /// Build mergeable profiles only: constant memory per column.
        case profile
    }

    /// Column names in file order.
    public var header: [String]
    /// Columns in file order.
    public var columns: [LoadedColumn]
    /// Data rows read (header excluded).
    public var rows = 0
    /// Rows with fewer fields than the header.
    public var shortRows = 0
    /// Rows with more fields than the header (extra fields are ignored).
    public var longRows = 0
    /// Record numbers of the first few ragged rows.
    public var raggedExamples: [Int] = []

    /// The column called `name`.
    public func column(named name: String) -> LoadedColumn? { columns.first { $0.name == name } }

    /// Infers column types from the first `sampleRows` data rows: a column whose non-missing values are all
    /// numbers is numerical, any other is categorical. An all-missing sample gives numerical.
    ///
    /// - Throws: `DriftError` when the file cannot be read or has no header.
    public static func inferTypes(path: String, sampleRows: Int = 1000) throws -> [String: ColumnKind] {
        let schema = try readingTable(path) {
            try Tables.open(path: path, options: options(inferenceRows: sampleRows)).schema
        }
        var kinds = [String: ColumnKind]()
        for field in schema.fields { kinds[field.name] = field.type.isNumeric ? .numerical : .categorical }
        return kinds
    }

    /// Reads a whole table (CSV, JSON Lines or Parquet, by extension).
    ///
    /// Numerical columns keep the type the reader infers (so an integer column stays integer-valued, as pandas
    /// would type it) unless that type is not numeric, when they are read as numbers and the values that are
    /// not count as invalid; categorical columns are read as text. Ragged rows are padded and counted.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - kinds: the type of each column; columns not listed are inferred as by ``inferTypes(path:sampleRows:)``.
    ///   - mode: exact values or profiles.
    ///   - quantileK: the profiles' quantile-sketch accuracy.
    /// - Throws: `DriftError` when the file cannot be read or is empty.
    /// - Complexity: O(bytes); memory O(rows × numerical columns) in exact mode, O(columns × sketch) otherwise.
    public static func load(path: String, kinds: [String: ColumnKind], mode: Mode, quantileK: Int = 1024) throws
        -> LoadedTable
    {
        try readingTable(path) {
            let inferred = try Tables.open(path: path, options: options()).schema
            var types: [String: ColumnType] = [:]
            for field in inferred.fields {
                switch kinds[field.name] ?? (field.type.isNumeric ? .numerical : .categorical) {
                case .numerical: if !field.type.isNumeric { types[field.name] = .float64 }
                case .categorical: types[field.name] = .string
                }
            }
            var readOptions = options()
            readOptions.types = types
            let reader = try Tables.open(path: path, options: readOptions)
            let buffers = reader.schema.fields.map { field in
                ColumnBuffer(
                    name: field.name, kind: field.type.isNumeric ? .numerical : .categorical, mode: mode,
                    quantileK: quantileK)
            }
            try reader.forEachBatch { batch in
                for (buffer, column) in zip(buffers, batch.columns) { buffer.add(column) }
            }
            let report = reader.report
            var table = LoadedTable(header: reader.schema.names, columns: [])
            table.rows = report.rows
            table.shortRows = report.shortRows
            table.longRows = report.longRows
            table.raggedExamples = report.raggedExamples
            table.columns = buffers.map { buffer in
                buffer.finish(
                    invalid: report.invalidValues[buffer.name] ?? 0,
                    examples: report.invalidExamples[buffer.name] ?? [],
                    absent: report.absentValues[buffer.name] ?? 0)
            }
            return table
        }
    }

    private static func options(inferenceRows: Int = 1000) -> ReadOptions {
        ReadOptions(inferenceRows: inferenceRows, invalidValues: .treatAsMissing, raggedRows: .pad)
    }

    /// Runs `body`, turning the reader's errors into drift errors with the same message.
    private static func readingTable<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TableError {
            switch error.code {
            case .emptyFile: throw DriftError(.emptyFile, error.message)
            case .unknownColumn: throw DriftError(.unknownColumn, error.message)
            default: throw DriftError(.unreadableFile, error.message)
            }
        }
    }

    /// The profile of every column (profile mode).
    public var datasetProfile: DatasetProfile {
        DatasetProfile(rows: rows, columns: columns.compactMap(\.profile))
    }
}

/// Accumulates one column while a file is read, a batch at a time.
final class ColumnBuffer {
    let name: String
    private var column: LoadedColumn
    private let numeric: Bool
    private let exact: Bool
    private var numbers: [Double] = []
    private var categories: [String: Int] = [:]
    private var profile: ColumnProfile?
    /// True while every batch held this column as integers.
    private var integral = true

    init(name: String, kind: ColumnKind, mode: LoadedTable.Mode, quantileK: Int) {
        self.name = name
        column = LoadedColumn(name: name, kind: kind)
        numeric = kind == .numerical
        exact = mode == .exact
        if !exact { profile = ColumnProfile(name: name, kind: kind, quantileK: quantileK) }
    }

    func add(_ batch: Column) {
        let count = batch.count
        column.rows += count
        column.missing += batch.missingCount
        if !exact {
            for _ in 0..<batch.missingCount { profile!.addMissing() }
        }
        if numeric {
            if batch.type != .int64 { integral = false }
            if exact, batch.validity == nil, case .float64(let values) = batch.values {
                numbers.append(contentsOf: values)
                return
            }
            let values = batch.doubles()
            if exact {
                numbers.reserveCapacity(numbers.count + count - batch.missingCount)
                for (i, x) in values.enumerated() where batch.isValid(i) { numbers.append(x) }
            } else {
                for (i, x) in values.enumerated() where batch.isValid(i) { profile!.add(x) }
            }
            return
        }
        guard case .string(let strings) = batch.values else { return }
        var counts = [Int](repeating: 0, count: strings.dictionary.count)
        for (i, index) in strings.indices.enumerated() where batch.isValid(i) { counts[Int(index)] += 1 }
        for (value, n) in zip(strings.dictionary, counts) where n > 0 { categories[value, default: 0] += n }
    }

    /// The column, given what the reader counted for it: values that were not numbers (already counted as
    /// missing), with examples, and fields absent from short rows.
    func finish(invalid: Int, examples: [String], absent: Int) -> LoadedColumn {
        var out = column
        out.invalid = invalid
        out.invalidExamples = examples
        out.absentInShortRows = absent
        out.integerValued = numeric && integral && out.missing == 0
        if !exact {
            // The reader counted invalid values as missing; the profile keeps them apart.
            profile!.markInvalid(invalid)
        }
        if numeric && exact {
            // "inf" parses as a number but is missing to Evidently: drop it, count it, then sort in place.
            let finite = numbers.filter { $0.isFinite }
            out.missing += numbers.count - finite.count
            numbers = []
            out.numbers = finite
            RadixSort.sort(&out.numbers)
        }
        if !numeric {
            if exact {
                out.categories = categories
            } else {
                // Category counts are exact here, so adding each value once with its count equals adding
                // every occurrence; sorted for a deterministic frequent-items summary.
                for (value, count) in categories.sorted(by: { $0.key < $1.key }) {
                    profile!.add(category: value, count: count)
                }
            }
        }
        out.profile = profile
        return out
    }
}
