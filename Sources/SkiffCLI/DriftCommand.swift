import ArgumentParser
import Foundation
import SkiffDrift
import SkiffStats

/// `skiff drift`: compares current data with reference data or a saved profile, column by column.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Detect data drift between a reference and a current dataset (Evidently-compatible tests).",
        discussion: """
            Each column is tested with Evidently 0.7's default method for its type and the reference size: \
            KS (numerical), chi-squared or Z-test (few values, categorical) when the reference has at most \
            1000 rows; normed Wasserstein (numerical) or Jensen-Shannon otherwise. The dataset drifts when at \
            least half of the tested columns drift. Column types are inferred from the first 1000 rows unless \
            given. Empty fields and NaN/NA/null are missing values.

            Examples:
              skiff drift --reference train.csv --current today.csv
              skiff drift --reference train.csv --current today.csv \\
                --categorical plan,region --test amount=psi --json --report drift.html
              skiff profile train.csv -o train.profile
              skiff drift --reference train.profile --current today.csv

            Exit codes: 0 report produced; 1 dataset drift detected and --fail-on-drift \
            was given; 64 invalid arguments; 65 unreadable or malformed input (file, \
            profile, no shared column).
            """
    )

    @Option(
        name: .long, help: "Reference data: a CSV, JSON Lines or Parquet file, or a profile written by 'skiff profile'."
    )
    var reference: String

    @Option(name: .long, help: "Current data: a CSV (with a header row), JSON Lines or Parquet file.")
    var current: String

    @Option(name: .long, parsing: .singleValue, help: "Columns to treat as numerical (comma-separated, repeatable).")
    var numerical: [String] = []

    @Option(name: .long, parsing: .singleValue, help: "Columns to treat as categorical (comma-separated, repeatable).")
    var categorical: [String] = []

    @Option(
        name: .customLong("test"), parsing: .singleValue,
        help:
            "Per-column test, COLUMN=METHOD[:THRESHOLD]; METHOD is ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div or hellinger."
    )
    var tests: [String] = []

    @Option(name: .customLong("drift-share"), help: "Share of drifted columns at or above which the dataset drifts.")
    var driftShare: Double = 0.5

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Option(name: .long, help: "Write a self-contained HTML report to this file.")
    var report: String?

    @Flag(name: .customLong("fail-on-drift"), help: "Exit with status 1 when dataset drift is detected.")
    var failOnDrift = false

    static func splitList(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    static func parseTests(_ values: [String]) throws -> (methods: [String: DriftMethod], thresholds: [String: Double])
    {
        var methods: [String: DriftMethod] = [:]
        var thresholds: [String: Double] = [:]
        for spec in splitList(values) {
            guard let eq = spec.lastIndex(of: "=") else {
                throw ValidationError("--test '\(spec)' must look like COLUMN=METHOD, e.g. --test amount=psi")
            }
            let column = String(spec[..<eq])
            var methodPart = String(spec[spec.index(after: eq)...])
            if let colon = methodPart.firstIndex(of: ":") {
                let value = String(methodPart[methodPart.index(after: colon)...])
                guard let threshold = Double(value), threshold.isFinite, threshold >= 0 else {
                    throw ValidationError("--test '\(spec)': threshold '\(value)' is not a non-negative number")
                }
                thresholds[column] = threshold
                methodPart = String(methodPart[..<colon])
            }
            guard !column.isEmpty, let method = DriftMethod(name: methodPart) else {
                let known = DriftMethod.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--test '\(spec)': unknown method '\(methodPart)'; use one of \(known)")
            }
            methods[column] = method
        }
        return (methods, thresholds)
    }

    func validate() throws {
        for (flag, path) in [("--reference", reference), ("--current", current)] {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ValidationError("\(flag) '\(path)': no such readable file")
            }
        }
        let both = Set(Self.splitList(numerical)).intersection(Self.splitList(categorical))
        if !both.isEmpty {
            throw ValidationError(
                "column(s) \(both.sorted().joined(separator: ", ")) given as both --numerical and --categorical")
        }
        _ = try Self.parseTests(tests)
        guard driftShare > 0, driftShare <= 1 else {
            throw ValidationError("--drift-share must be in (0, 1], e.g. 0.5")
        }
    }

    func run() throws {
        var options = DriftOptions()
        options.numerical = Self.splitList(numerical)
        options.categorical = Self.splitList(categorical)
        (options.methods, options.thresholds) = try Self.parseTests(tests)
        options.driftShare = driftShare
        options.charts = report != nil
        let result: DriftReport
        do {
            let source = try ProfileFile.referenceSource(path: reference)
            result = try DriftAnalysis.run(reference: source, currentPath: current, options: options)
        } catch let error as DriftError {
            printError(error.message)
            throw ExitCode(65)
        }
        if json {
            print(result.json())
        } else {
            print(result.table(), terminator: "")
        }
        if let report {
            do {
                try Data(HTMLReport.render(result).utf8).write(to: URL(fileURLWithPath: report), options: .atomic)
                if !json { print("report written to \(report)") }
            } catch {
                printError("cannot write the report to '\(report)': \(error.localizedDescription)")
                throw ExitCode(65)
            }
        }
        if failOnDrift && result.datasetDrift { throw ExitCode(1) }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Recognises saved profiles among reference paths.
enum ProfileFile {
    /// A data file when its extension names one; otherwise a profile when it starts with `{`, else a CSV.
    static func referenceSource(path: String) throws -> ReferenceSource {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DriftError(.unreadableFile, "cannot open '\(path)'")
        }
        let head = (try? handle.read(upToCount: 64)) ?? Data()
        try? handle.close()
        // A data file by its extension; otherwise a JSON object is a saved profile (a .profile or .json file).
        let lower = path.lowercased()
        let isData = [".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".parquet", ".pq"].contains { lower.hasSuffix($0) }
        guard !isData,
            head.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }).first == UInt8(ascii: "{")
        else {
            return .table(path: path)
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return .profile(try DatasetProfile.deserialized(data), path: path)
        } catch let error as StatsError {
            throw DriftError(.badProfile, "'\(path)': \(error.message)")
        } catch {
            throw DriftError(.unreadableFile, "cannot read '\(path)'")
        }
    }
}
