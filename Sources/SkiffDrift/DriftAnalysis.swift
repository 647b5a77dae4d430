import Foundation
import SkiffStats

/// Options of a drift comparison.
public struct DriftOptions: Sendable {
    /// Columns to treat as numerical whatever their content.
    public var numerical: [String] = []
    /// Columns to treat as categorical whatever their content.
    public var categorical: [String] = []
    /// Per-column test overriding Evidently's default selection.
    public var methods: [String: DriftMethod] = [:]
    /// Per-column threshold overriding the method's default.
    public var thresholds: [String: Double] = [:]
    /// Share of drifted columns at or above which the dataset drifted (Evidently's default 0.5).
    public var driftShare = 0.5
    /// Whether to compute the per-column charts of the HTML report.
    public var charts = false

    public init() {}
}

/// Where the reference data comes from.
public enum ReferenceSource: Sendable {
    /// A data file (CSV, JSON Lines or Parquet): exact tests on the raw values.
    case table(path: String)
    /// A saved profile: the tests are computed from sketches (the current CSV is profiled too).
    case profile(DatasetProfile, path: String)
}

/// Runs the per-column drift tests between a reference and a current CSV file.
///
/// Both files are read concurrently, and columns are tested concurrently on a bounded pool (one thread per
/// core). A column that cannot be tested gets an error in its report; the others are still tested.
public enum DriftAnalysis {
    /// Compares `currentPath` with the reference.
    ///
    /// - Throws: `DriftError` when a file cannot be read, an option names an unknown column, or the two sides
    ///   share no column.
    public static func run(reference: ReferenceSource, currentPath: String, options: DriftOptions) throws
        -> DriftReport
    {
        switch reference {
        case .table(let path):
            return try runExact(referencePath: path, currentPath: currentPath, options: options)
        case .profile(let profile, let path):
            return try runProfiles(reference: profile, referencePath: path, currentPath: currentPath, options: options)
        }
    }

    /// Reads `path` into a dataset profile, inferring types unless given.
    public static func profile(path: String, options: DriftOptions, quantileK: Int = 1024) throws -> (
        DatasetProfile, LoadedTable
    ) {
        let inferred = try LoadedTable.inferTypes(path: path)
        let kinds = try resolveKinds(inferred: inferred, header: Set(inferred.keys), options: options)
        let table = try LoadedTable.load(path: path, kinds: kinds, mode: .profile, quantileK: quantileK)
        return (table.datasetProfile, table)
    }

    static func resolveKinds(inferred: [String: ColumnKind], header: Set<String>, options: DriftOptions) throws
        -> [String: ColumnKind]
    {
        var kinds = inferred
        for name in options.numerical + options.categorical + Array(options.methods.keys)
        where !header.contains(name) {
            throw DriftError(
                .unknownColumn,
                "column '\(name)' is not in the data (columns: \(header.sorted().joined(separator: ", ")))")
        }
        for name in options.numerical { kinds[name] = .numerical }
        for name in options.categorical { kinds[name] = .categorical }
        return kinds
    }

    static func inferredNote(_ kinds: [String: ColumnKind], order: [String], options: DriftOptions) -> String? {
        let given = Set(options.numerical + options.categorical)
        let inferred = order.filter { !given.contains($0) }
        if inferred.isEmpty { return nil }
        let numerical = inferred.filter { kinds[$0] == .numerical }
        let categorical = inferred.filter { kinds[$0] == .categorical }
        var parts: [String] = []
        if !numerical.isEmpty { parts.append("numerical: \(numerical.joined(separator: ", "))") }
        if !categorical.isEmpty { parts.append("categorical: \(categorical.joined(separator: ", "))") }
        return "inferred column types (override with --numerical/--categorical): " + parts.joined(separator: "; ")
    }

    private static func runExact(referencePath: String, currentPath: String, options: DriftOptions) throws
        -> DriftReport
    {
        let refKinds = try LoadedTable.inferTypes(path: referencePath)
        let curKinds = try LoadedTable.inferTypes(path: currentPath)
        var inferred = curKinds
        for (k, v) in refKinds { inferred[k] = v }
        let kinds = try resolveKinds(inferred: inferred, header: Set(inferred.keys), options: options)

        let loaded = Parallel.map(2) { i in
            Result { try LoadedTable.load(path: i == 0 ? referencePath : currentPath, kinds: kinds, mode: .exact) }
        }
        let ref = try loaded[0].get()
        let cur = try loaded[1].get()
        var report = DriftReport(driftShare: options.driftShare, columns: [])
        report.referenceDescription = referencePath
        report.currentDescription = currentPath
        let order = ref.header + cur.header.filter { !ref.header.contains($0) }
        if let note = inferredNote(kinds, order: order, options: options) { report.notes.append(note) }
        report.notes += tableNotes(ref, side: "reference") + tableNotes(cur, side: "current")

        report.columns = Parallel.map(order.count) { index in
            let name = order[index]
            return exactColumn(
                name: name, kind: kinds[name] ?? .categorical, ref: ref.column(named: name),
                cur: cur.column(named: name), options: options)
        }
        if !order.contains(where: { ref.column(named: $0) != nil && cur.column(named: $0) != nil }) {
            throw DriftError(.noColumns, "the reference and current data share no column name")
        }
        return report
    }

    static func tableNotes(_ table: LoadedTable, side: String) -> [String] {
        var notes: [String] = []
        if table.shortRows > 0 {
            notes.append(
                "\(side): \(table.shortRows) row(s) have fewer fields than the header (first on line(s) \(table.raggedExamples.map(String.init).joined(separator: ", "))); their missing fields count as missing values"
            )
        }
        if table.longRows > 0 {
            notes.append(
                "\(side): \(table.longRows) row(s) have more fields than the header; the extra fields are ignored")
        }
        if table.rows == 0 { notes.append("\(side): the file has a header but no rows") }
        return notes
    }

    static func columnNotes(_ column: LoadedColumn, side: String) -> [String] {
        var notes: [String] = []
        if column.invalid > 0 {
            notes.append(
                "\(side): \(column.invalid) value(s) are not numbers and were treated as missing (\(column.invalidExamples.joined(separator: ", ")))"
            )
        }
        if column.absentInShortRows > 0 {
            notes.append("\(side): \(column.absentInShortRows) value(s) absent from short rows")
        }
        return notes
    }

    private static func exactColumn(
        name: String, kind: ColumnKind, ref: LoadedColumn?, cur: LoadedColumn?, options: DriftOptions
    ) -> ColumnReport {
        var report = ColumnReport(name: name, kind: kind)
        guard let ref else {
            report.error = "the column is only in the current data"
            return report
        }
        guard let cur else {
            report.error = "the column is only in the reference data"
            return report
        }
        report.notes = columnNotes(ref, side: "reference") + columnNotes(cur, side: "current")
        let method = options.methods[name]
        let threshold = options.thresholds[name]
        do {
            switch kind {
            case .numerical:
                let r = ref.numbers
                let c = cur.numbers
                report.drift = try ExactDrift.numerical(
                    sortedReference: r, sortedCurrent: c, method: method, threshold: threshold,
                    integerValued: ref.integerValued && cur.integerValued)
                if options.charts { report.chart = Charts.numerical(sortedReference: r, sortedCurrent: c) }
            case .categorical:
                report.drift = try ExactDrift.categorical(
                    reference: ref.categories, current: cur.categories, method: method, threshold: threshold)
                if let note = newCategoriesNote(reference: ref.categories, current: cur.categories) {
                    report.notes.append(note)
                }
                if options.charts {
                    report.chart = Charts.categorical(reference: ref.categories, current: cur.categories)
                }
            }
        } catch {
            report.error = describe(error, ref: ref.rows, cur: cur.rows)
        }
        return report
    }

    static func describe(_ error: StatsError, ref: Int, cur: Int) -> String {
        if error.code == .emptyReference {
            return ref == 0 ? "the reference has no rows" : "every reference value is missing"
        }
        if error.code == .emptyCurrent {
            return cur == 0 ? "the current data has no rows" : "every current value is missing"
        }
        return error.message
    }

    static func newCategoriesNote(reference: [String: Int], current: [String: Int]) -> String? {
        let new = current.keys.filter { (reference[$0] ?? 0) == 0 }.sorted()
        if new.isEmpty { return nil }
        let count = new.reduce(0) { $0 + (current[$1] ?? 0) }
        let shown = new.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (new.count > 5 ? ", …" : "")
        return
            "current: \(new.count) categor\(new.count == 1 ? "y" : "ies") not in the reference (\(shown); \(count) value(s))"
    }

    private static func runProfiles(
        reference: DatasetProfile, referencePath: String, currentPath: String, options: DriftOptions
    ) throws -> DriftReport {
        var kinds = [String: ColumnKind]()
        for column in reference.columns { kinds[column.name] = column.kind }
        let curInferred = try LoadedTable.inferTypes(path: currentPath)
        for (k, v) in curInferred where kinds[k] == nil { kinds[k] = v }
        let resolved = try resolveKinds(inferred: kinds, header: Set(kinds.keys), options: options)
        kinds = resolved
        let cur = try LoadedTable.load(path: currentPath, kinds: kinds, mode: .profile)
        var report = DriftReport(driftShare: options.driftShare, columns: [])
        report.referenceDescription = referencePath + " (profile of \(reference.rows) rows)"
        report.currentDescription = currentPath
        report.notes.append(
            "reference is a saved profile: statistics come from sketches (exact up to 1024 values per column)")
        report.notes += tableNotes(cur, side: "current")
        let refNames = reference.columns.map(\.name)
        let order = refNames + cur.header.filter { !refNames.contains($0) }
        report.columns = Parallel.map(order.count) { index in
            profileColumn(
                name: order[index], kind: resolved[order[index]] ?? .categorical, reference: reference, cur: cur,
                options: options)
        }
        return report
    }

    private static func profileColumn(
        name: String, kind: ColumnKind, reference: DatasetProfile, cur: LoadedTable, options: DriftOptions
    ) -> ColumnReport {
        var column = ColumnReport(name: name, kind: kind)
        guard var r = reference.column(named: name) else {
            column.error = "the column is only in the current data"
            return column
        }
        guard let c = cur.column(named: name) else {
            column.error = "the column is only in the reference data"
            return column
        }
        column.kind = r.kind
        if r.kind != c.kind, let p = c.profile {
            column.error = "the column is \(r.kind.rawValue) in the reference profile but \(p.kind.rawValue) here"
            return column
        }
        r.name = name
        column.notes = columnNotes(c, side: "current")
        if r.invalid > 0 { column.notes.insert("reference: \(r.invalid) value(s) were not numbers", at: 0) }
        guard let cp = c.profile else { return column }
        do {
            column.drift = try SketchDrift.test(
                reference: r, current: cp, method: options.methods[name], threshold: options.thresholds[name])
            if r.kind == .categorical, let rc = r.categories?.counts, let cc = cp.categories?.counts {
                if let note = newCategoriesNote(reference: rc, current: cc) { column.notes.append(note) }
                if options.charts { column.chart = Charts.categorical(reference: rc, current: cc) }
            } else if options.charts {
                column.chart = Charts.numerical(reference: r, current: cp)
            }
        } catch {
            column.error = describe(error, ref: r.rows, cur: cp.rows)
        }
        return column
    }
}
