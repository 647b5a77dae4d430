import SkiffStats

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

    /// Infers column types from the first `sampleRows` data rows: a column whose non-missing fields all parse
    /// as numbers is numerical, any other is categorical. An all-missing sample gives numerical.
    ///
    /// - Throws: `DriftError` when the file cannot be read or has no header.
    public static func inferTypes(path: String, sampleRows: Int = 1000) throws -> [String: ColumnKind] {
        var header: [String] = []
        var numeric: [Bool] = []
        try CSVReader(path: path).forEachRecord { record in
            if record.number == 1 {
                header = (0..<record.count).map { record.string($0) }
                numeric = [Bool](repeating: true, count: header.count)
                return true
            }
            for i in 0..<min(record.count, header.count) where numeric[i] {
                let field = record.field(i)
                if !ValueParsing.isMissing(field) && ValueParsing.number(field) == nil { numeric[i] = false }
            }
            return record.number <= sampleRows
        }
        if header.isEmpty { throw DriftError(.emptyFile, "'\(path)' is empty: a CSV file with a header row is needed") }
        var kinds = [String: ColumnKind]()
        for (i, name) in header.enumerated() { kinds[name] = numeric[i] ? .numerical : .categorical }
        return kinds
    }

    /// Reads a whole CSV file.
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
        var table = LoadedTable(header: [], columns: [])
        var buffers: [ColumnBuffer] = []
        // Unretained handles: `buffers` keeps the objects alive, and the hot loop skips retain/release.
        var handles: [Unmanaged<ColumnBuffer>] = []
        try CSVReader(path: path).forEachRecord { record in
            if record.number == 1 {
                table.header = (0..<record.count).map { record.string($0) }
                buffers = table.header.map { name in
                    ColumnBuffer(name: name, kind: kinds[name] ?? .categorical, mode: mode, quantileK: quantileK)
                }
                handles = buffers.map { Unmanaged.passUnretained($0) }
                return true
            }
            table.rows += 1
            let width = buffers.count
            if record.count != width {
                if record.count < width { table.shortRows += 1 } else { table.longRows += 1 }
                if table.raggedExamples.count < 3 { table.raggedExamples.append(record.number) }
            }
            let present = min(record.count, width)
            for i in 0..<present {
                handles[i]._withUnsafeGuaranteedRef { $0.add(record.field(i), line: record.number) }
            }
            if present < width {
                for i in present..<width { handles[i]._withUnsafeGuaranteedRef { $0.addAbsent() } }
            }
            return true
        }
        if table.header.isEmpty {
            throw DriftError(.emptyFile, "'\(path)' is empty: a CSV file with a header row is needed")
        }
        table.columns = withExtendedLifetime(handles) { buffers.map { $0.finish() } }
        return table
    }

    /// The profile of every column (profile mode).
    public var datasetProfile: DatasetProfile {
        DatasetProfile(rows: rows, columns: columns.compactMap(\.profile))
    }
}

/// Accumulates one column while a file is read; a class so that appends do not go through nested copies.
final class ColumnBuffer {
    // Accessed only by the thread reading this column's file, so dynamic exclusivity checks are skipped.
    @exclusivity(unchecked) private var column: LoadedColumn
    private let numeric: Bool
    private let exact: Bool
    @exclusivity(unchecked) private var numbers: [Double] = []
    private let categories = CategoryCounter()
    @exclusivity(unchecked) private var profile: ColumnProfile?

    init(name: String, kind: ColumnKind, mode: LoadedTable.Mode, quantileK: Int) {
        column = LoadedColumn(name: name, kind: kind)
        numeric = kind == .numerical
        exact = mode == .exact
        if !exact { profile = ColumnProfile(name: name, kind: kind, quantileK: quantileK) }
    }

    func add(_ field: UnsafeBufferPointer<UInt8>, line: Int) {
        column.rows += 1
        if ValueParsing.isMissing(field) {
            addMissing()
            return
        }
        if numeric {
            if let x = ValueParsing.number(field) {
                if column.integerValued && !ValueParsing.isIntegerLiteral(field) { column.integerValued = false }
                if exact { numbers.append(x) } else { profile!.add(x) }
            } else {
                column.invalid += 1
                if column.invalidExamples.count < 3 {
                    column.invalidExamples.append("'\(String(decoding: field, as: UTF8.self))' on line \(line)")
                }
                column.missing += 1
                column.integerValued = false
                if !exact { profile!.addInvalid() }
            }
        } else {
            categories.add(field)
        }
    }

    private func addMissing() {
        column.missing += 1
        column.integerValued = false
        if !exact { profile!.addMissing() }
    }

    /// A field absent from a short row.
    func addAbsent() {
        column.rows += 1
        column.absentInShortRows += 1
        addMissing()
    }

    func finish() -> LoadedColumn {
        var out = column
        if numeric && exact {
            // "inf" parses as a number but is missing to Evidently: drop it, count it, then sort in place.
            let finite = numbers.filter { $0.isFinite }
            out.missing += numbers.count - finite.count
            numbers = []
            out.numbers = finite
            RadixSort.sort(&out.numbers)
        }
        if !numeric {
            let counts = categories.dictionary
            if exact {
                out.categories = counts
            } else {
                // Category counts are exact here, so adding each value once with its count equals adding
                // every occurrence; sorted for a deterministic frequent-items summary.
                for (value, count) in counts.sorted(by: { $0.key < $1.key }) {
                    profile!.add(category: value, count: count)
                }
            }
        }
        out.profile = profile
        return out
    }
}
