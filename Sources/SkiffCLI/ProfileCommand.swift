import ArgumentParser
import Foundation
import SkiffDrift
import SkiffStats

/// `skiff profile`: summarises a data file into a mergeable profile reusable as a drift reference.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Build a reusable, mergeable data profile (sketches per column) from data files or profiles.",
        discussion: """
            The profile holds, per column, counts, missing values, min/max, mean/variance, a KLL quantile \
            sketch, a HyperLogLog distinct count and value counts. Use it as the reference of 'skiff drift' \
            so the training data need not be read again. Several inputs (CSV, JSON Lines or Parquet files, or saved profiles) are \
            merged into one profile: counts and moments exactly, sketches within their error bounds.

            Examples:
              skiff profile train.csv -o train.profile
              skiff profile train.csv -o train.profile --categorical zip_code
              skiff profile monday.profile tuesday.csv -o week.profile
              skiff drift --reference train.profile --current today.csv

            Exit codes: 0 profile written; 64 invalid arguments; 65 unreadable input or output.
            """
    )

    @Argument(
        help:
            "CSV (header row required), JSON Lines or Parquet files, or saved profiles; all are merged into one profile."
    )
    var inputs: [String]

    @Option(name: [.short, .customLong("output")], help: "Where to write the profile.")
    var output: String

    @Option(name: .long, parsing: .singleValue, help: "Columns to treat as numerical (comma-separated).")
    var numerical: [String] = []

    @Option(name: .long, parsing: .singleValue, help: "Columns to treat as categorical (comma-separated).")
    var categorical: [String] = []

    @Option(
        name: .customLong("quantile-k"),
        help: "Quantile-sketch accuracy k: rank error about 0.35 % at 1024, roughly proportional to 1/k.")
    var quantileK: Int = 1024

    @Flag(name: .long, help: "Print a summary as JSON instead of text.")
    var json = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one data file or profile to read") }
        for input in inputs where !FileManager.default.isReadableFile(atPath: input) {
            throw ValidationError("'\(input)': no such readable file")
        }
        guard quantileK >= 8 && quantileK <= 65536 else {
            throw ValidationError("--quantile-k must be between 8 and 65536 (default 1024)")
        }
        let both = Set(DriftCommand.splitList(numerical)).intersection(DriftCommand.splitList(categorical))
        if !both.isEmpty {
            throw ValidationError(
                "column(s) \(both.sorted().joined(separator: ", ")) given as both --numerical and --categorical")
        }
    }

    func run() throws {
        var options = DriftOptions()
        options.numerical = DriftCommand.splitList(numerical)
        options.categorical = DriftCommand.splitList(categorical)
        var profile: DatasetProfile?
        var raggedRows = 0
        var mergeSeconds = 0.0
        do {
            for input in inputs {
                let next: DatasetProfile
                switch try ProfileFile.referenceSource(path: input) {
                case .profile(let saved, _):
                    next = saved
                case .table(let path):
                    let (built, table) = try DriftAnalysis.profile(path: path, options: options, quantileK: quantileK)
                    raggedRows += table.shortRows + table.longRows
                    next = built
                }
                if var merged = profile {
                    let clock = ContinuousClock()
                    let start = clock.now
                    do {
                        try merged.merge(next)
                    } catch {
                        throw DriftError(.badProfile, "cannot merge '\(input)': \(error.message)")
                    }
                    let elapsed = clock.now - start
                    mergeSeconds +=
                        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    profile = merged
                } else {
                    profile = next
                }
            }
            try profile!.serialized().write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch let error as DriftError {
            printError(error.message)
            throw ExitCode(65)
        } catch {
            printError("cannot write '\(output)': \(error.localizedDescription)")
            throw ExitCode(65)
        }
        guard let profile else { return }
        if json {
            let columns: [[String: Any]] = profile.columns.map { c in
                [
                    "name": c.name, "type": c.kind.rawValue, "count": c.count, "missing": c.missing,
                    "invalid": c.invalid, "distinct": Int(c.distinct.estimate.rounded()),
                ]
            }
            let summary: [String: Any] = [
                "rows": profile.rows, "inputs": inputs.count, "merge_ms": mergeSeconds * 1000, "columns": columns,
            ]
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("profiled \(profile.rows) rows, \(profile.columns.count) columns -> \(output)")
        if inputs.count > 1 {
            print("merged \(inputs.count) inputs in \(DriftReportFormat.milliseconds(mergeSeconds)) ms")
        }
        for c in profile.columns {
            var line =
                "  \(c.name) (\(c.kind.rawValue)): \(c.count) values, \(c.missing) missing, ~\(Int(c.distinct.estimate.rounded())) distinct"
            if c.kind == .numerical && c.count > 0 {
                line += ", min \(c.moments.minimum), max \(c.moments.maximum), mean \(c.moments.mean)"
            }
            if c.invalid > 0 { line += "; \(c.invalid) unparsable value(s) counted as missing" }
            print(line)
        }
        if raggedRows > 0 {
            print("warning: \(raggedRows) row(s) do not have as many fields as the header")
        }
    }
}

enum DriftReportFormat {
    static func milliseconds(_ seconds: Double) -> String {
        String((seconds * 1000 * 1000).rounded() / 1000)
    }
}
