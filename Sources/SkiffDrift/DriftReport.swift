import SkiffStats

/// Reference and current distributions of one column, for the report's chart.
public struct ColumnChart: Sendable, Equatable {
    /// Bar labels: category names, or bin ranges for numerical columns.
    public var labels: [String]
    /// Bin edges for numerical columns (labels.count + 1 values), empty for categorical ones.
    public var edges: [Double]
    /// Share of reference values per bar.
    public var reference: [Double]
    /// Share of current values per bar.
    public var current: [Double]
}

/// The outcome for one column: a verdict, or why there is none, plus what was noticed in its data.
public struct ColumnReport: Sendable {
    /// Column name.
    public var name: String
    /// The type it was tested as.
    public var kind: ColumnKind
    /// The verdict; nil when the column could not be tested (see `error`).
    public var drift: ColumnDrift?
    /// Why the column was not tested.
    public var error: String?
    /// Data problems found in the column that did not prevent the test.
    public var notes: [String] = []
    /// Distributions for the HTML report.
    public var chart: ColumnChart?
}

/// The result of comparing a current dataset with a reference, with Evidently's dataset-drift rule.
public struct DriftReport: Sendable {
    /// The share of drifted columns at or above which the dataset counts as drifted.
    public var driftShare: Double
    /// Per-column outcomes in reference column order (columns only in the current data last).
    public var columns: [ColumnReport]
    /// Notes about the files as a whole (ragged rows, inferred types).
    public var notes: [String] = []
    /// Where the reference came from, for the report header.
    public var referenceDescription: String = ""
    /// Where the current data came from.
    public var currentDescription: String = ""

    /// Columns that were tested.
    public var testedColumns: [ColumnReport] { columns.filter { $0.drift != nil } }
    /// Number of drifted columns.
    public var driftedColumns: Int { columns.filter { $0.drift?.drifted == true }.count }
    /// Drifted columns over tested columns; 0 when none was tested.
    public var share: Double {
        let tested = testedColumns.count
        return tested == 0 ? 0 : Double(driftedColumns) / Double(tested)
    }
    /// Evidently's rule: the dataset drifted when share ≥ driftShare (and something was tested).
    public var datasetDrift: Bool { !testedColumns.isEmpty && share >= driftShare }

    /// The `--json` document:
    /// `{"dataset_drift", "drift_share", "drifted_columns", "share", "columns": [{"name", "type", "method",
    /// "statistic", "threshold", "drifted"}]}`. A column that could not be tested has null method, statistic
    /// and threshold, `drifted: false` and an extra `"error"` string. Non-finite statistics are null.
    public func json() -> String {
        var out = "{\"dataset_drift\": \(datasetDrift), \"drift_share\": \(JSONText.number(driftShare)), "
        out += "\"drifted_columns\": \(driftedColumns), \"share\": \(JSONText.number(share)), \"columns\": ["
        for (i, column) in columns.enumerated() {
            if i > 0 { out += ", " }
            out += "{\"name\": \(JSONText.string(column.name)), \"type\": \(JSONText.string(column.kind.rawValue)), "
            if let drift = column.drift {
                out += "\"method\": \(JSONText.string(drift.method.rawValue)), "
                out += "\"statistic\": \(JSONText.number(drift.statistic)), "
                out += "\"threshold\": \(JSONText.number(drift.threshold)), \"drifted\": \(drift.drifted)}"
            } else {
                out += "\"method\": null, \"statistic\": null, \"threshold\": null, \"drifted\": false, "
                out += "\"error\": \(JSONText.string(column.error ?? "not tested"))}"
            }
        }
        out += "]}"
        return out
    }

    /// A plain-text table for terminals, followed by notes and the dataset verdict.
    public func table() -> String {
        let headers = ["column", "type", "method", "statistic", "threshold", "drift"]
        var rows: [[String]] = []
        for column in columns {
            if let drift = column.drift {
                rows.append([
                    column.name, column.kind.rawValue, drift.method.rawValue, Self.format(drift.statistic),
                    Self.format(drift.threshold), drift.drifted ? "DRIFT" : "ok",
                ])
            } else {
                rows.append([column.name, column.kind.rawValue, "-", "-", "-", "not tested"])
            }
        }
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == 3 || i == 4
                    ? String(repeating: " ", count: widths[i] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        var problems: [String] = []
        for column in columns {
            if let error = column.error { problems.append("\(column.name): not tested: \(error)") }
            for note in column.notes { problems.append("\(column.name): \(note)") }
        }
        if !notes.isEmpty || !problems.isEmpty {
            out += "\n"
            for note in notes { out += "note: \(note)\n" }
            for problem in problems { out += "warning: \(problem)\n" }
        }
        out += "\n"
        let tested = testedColumns.count
        out += "Drift in \(driftedColumns) of \(tested) tested columns (share \(Self.format(share)), "
        out += "dataset drift when >= \(Self.format(driftShare))): "
        out += datasetDrift ? "DATASET DRIFT DETECTED\n" : "no dataset drift\n"
        return out
    }

    static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x == 0 { return "0" }
        if abs(x) < 1e-4 || abs(x) >= 1e6 {
            var s = String(x)
            if let e = s.firstIndex(of: "e") {
                let mantissa = Double(s[..<e]) ?? 0
                s = formatFixed(mantissa, 3) + String(s[e...])
            }
            return s
        }
        return formatFixed(x, 4)
    }

    static func formatFixed(_ x: Double, _ digits: Int) -> String {
        let scale = pow10(digits)
        let rounded = (x * scale).rounded() / scale
        var s = String(rounded)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    private static func pow10(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= 10 }
        return r
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// Minimal JSON text helpers (RFC 8259 escaping).
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func number(_ x: Double) -> String {
        x.isFinite ? String(x) : "null"
    }
}
