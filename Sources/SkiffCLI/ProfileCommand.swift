import ArgumentParser
import Foundation
import SkiffDrift
import SkiffStats

/// `skiff profile`: summarises a CSV file into a mergeable profile reusable as a drift reference.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Build a reusable, mergeable data profile (sketches per column) from a CSV file.",
        discussion: """
            The profile holds, per column, counts, missing values, min/max, mean/variance, a KLL quantile
            sketch, a HyperLogLog distinct count and value counts. Use it as the reference of 'skiff drift'
            so the training data need not be read again.

            Examples:
              skiff profile train.csv -o train.profile
              skiff profile train.csv -o train.profile --categorical zip_code
              skiff drift --reference train.profile --current today.csv

            Exit codes: 0 profile written; 64 invalid arguments; 65 unreadable input or output.
            """
    )

    @Argument(help: "The CSV file to profile (header row required).")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the profile.")
    var output: String

    @Option(name: .long, parsing: .singleValue, help: "Columns to treat as numerical (comma-separated).")
    var numerical: [String] = []

    @Option(name: .long, parsing: .singleValue, help: "Columns to treat as categorical (comma-separated).")
    var categorical: [String] = []

    @Option(name: .customLong("quantile-k"), help: "Accuracy of the quantile sketches (rank error about 1.7/k·200 %).")
    var quantileK: Int = 1024

    @Flag(name: .long, help: "Print a summary as JSON instead of text.")
    var json = false

    func validate() throws {
        guard FileManager.default.isReadableFile(atPath: input) else {
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
        let profile: DatasetProfile
        let table: LoadedTable
        do {
            (profile, table) = try DriftAnalysis.profile(path: input, options: options, quantileK: quantileK)
            try profile.serialized().write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch let error as DriftError {
            printError(error.message)
            throw ExitCode(65)
        } catch {
            printError("cannot write '\(output)': \(error.localizedDescription)")
            throw ExitCode(65)
        }
        if json {
            var parts: [String] = []
            for c in profile.columns {
                parts.append(
                    "{\"name\": \"\(c.name)\", \"type\": \"\(c.kind.rawValue)\", \"count\": \(c.count), \"missing\": \(c.missing), \"invalid\": \(c.invalid), \"distinct\": \(Int(c.distinct.estimate.rounded()))}"
                )
            }
            print("{\"rows\": \(profile.rows), \"columns\": [\(parts.joined(separator: ", "))]}")
            return
        }
        print("profiled \(profile.rows) rows, \(profile.columns.count) columns -> \(output)")
        for c in profile.columns {
            var line =
                "  \(c.name) (\(c.kind.rawValue)): \(c.count) values, \(c.missing) missing, ~\(Int(c.distinct.estimate.rounded())) distinct"
            if c.kind == .numerical && c.count > 0 {
                line += ", min \(c.moments.minimum), max \(c.moments.maximum), mean \(c.moments.mean)"
            }
            if c.invalid > 0 { line += "; \(c.invalid) unparsable value(s) counted as missing" }
            print(line)
        }
        if table.shortRows + table.longRows > 0 {
            print("warning: \(table.shortRows + table.longRows) row(s) do not have as many fields as the header")
        }
    }
}
