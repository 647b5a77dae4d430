import ArgumentParser
import Foundation
import SkiffTables

/// `skiff data`: working with data files.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Version data files and directories, and convert tables (CSV, JSON Lines, Parquet).",
        subcommands: [
            DataInitCommand.self, DataAddCommand.self, DataStatusCommand.self, DataCheckoutCommand.self,
            DataGarbageCollectCommand.self,
            DataConvertCommand.self,
        ]
    )
}

/// `skiff data convert`: rewrites a table in another format, streaming batch by batch.
///
/// Exit codes: 0 written; 1 when the input cannot be read or the output written (the message names the file,
/// line or row group, column and value); 64 for invalid command-line usage.
struct DataConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Rewrite a CSV, JSON Lines or Parquet file as Parquet or CSV.",
        discussion: """
            The formats come from the file extensions (.csv, .tsv, .jsonl, .ndjson, .parquet, .pq) or --format and \
            --output-format. Column types are inferred as pandas infers them (from the first --inference-rows rows \
            of a CSV or JSON Lines file) unless declared with --type; a Parquet input keeps its own types. Missing \
            values stay missing. Memory follows a batch (and, for Parquet output, one row group), not the file.

            Examples:
              skiff data convert train.csv train.parquet
              skiff data convert events.jsonl events.parquet --compression zstd --type user_id=string
              skiff data convert scores.parquet - --columns id,score
            """
    )

    @Argument(help: "The input file (- for standard input, CSV or JSON Lines).")
    var input: String

    @Argument(help: "The output file: Parquet (.parquet, .pq) or CSV; - for standard output (CSV).")
    var output: String

    @Option(name: .long, help: "The input's format: csv, jsonl or parquet (default: from its extension, else csv).")
    var format: String?

    @Option(
        name: .customLong("output-format"),
        help: "The output's format: parquet or csv (default: from its extension, else csv).")
    var outputFormat: String?

    @Option(name: .long, help: "Parquet page compression: snappy, zstd, gzip or none.")
    var compression = "snappy"

    @Option(name: .long, parsing: .singleValue, help: "Only these columns (comma-separated), in file order.")
    var columns: [String] = []

    @Option(
        name: .long, parsing: .singleValue,
        help: "A column's type, as name=type (int64, float64, float32, boolean, string).")
    var type: [String] = []

    @Option(name: .customLong("inference-rows"), help: "Rows sampled to infer CSV and JSON Lines column types.")
    var inferenceRows = 10_000

    func validate() throws {
        guard ParquetCompression(rawValue: compression) != nil else {
            throw ValidationError("Unknown --compression '\(compression)': use snappy, zstd, gzip or none.")
        }
        guard inferenceRows >= 1 else { throw ValidationError("--inference-rows must be at least 1.") }
        _ = try declaredTypes()
        if let outputFormat, !["parquet", "csv"].contains(outputFormat.lowercased()) {
            throw ValidationError("Unknown --output-format '\(outputFormat)': use parquet or csv.")
        }
    }

    private func declaredTypes() throws -> [String: ColumnType] {
        var types: [String: ColumnType] = [:]
        for entry in type {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let kind = ColumnType(rawValue: parts[1].lowercased()) else {
                throw ValidationError(
                    "--type '\(entry)' is not name=type with type int64, float64, float32, boolean or string.")
            }
            types[parts[0]] = kind
        }
        return types
    }

    func run() throws {
        do {
            try convert()
        } catch let error as TableError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func convert() throws {
        var options = ReadOptions(types: try declaredTypes(), inferenceRows: inferenceRows)
        let selected = columns.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if !selected.isEmpty { options.columns = selected }
        let inputFormat = try format.map { option throws(TableError) in try TableFormat(option: option) }
        let reader = try Tables.open(path: input, format: inputFormat, options: options)
        let toParquet =
            outputFormat.map { $0.lowercased() == "parquet" }
            ?? (output != "-" && TableFormat(path: output) == .parquet)
        if toParquet {
            let writer = try ParquetWriter(
                path: output, schema: reader.schema, compression: ParquetCompression(rawValue: compression)!)
            while let batch = try reader.nextBatch() {
                if batch.schema != writer.schema, let widened = Self.widened(batch.schema, from: writer.schema) {
                    throw TableError(
                        .invalidValue,
                        "column '\(widened)' of '\(input)' holds integers in its first \(inferenceRows) rows and "
                            + "fractions after them; declare it with --type \(widened)=float64 (or raise --inference-rows)"
                    )
                }
                try writer.write(batch)
            }
            try writer.close()
        } else {
            let writer = try CSVWriter(path: output)
            for name in reader.schema.names { writer.field(name) }
            try writer.endRow()
            while let batch = try reader.nextBatch() {
                for row in 0..<batch.rowCount {
                    for column in batch.columns { writer.field(column.string(at: row) ?? "") }
                    try writer.endRow()
                }
            }
            try writer.close()
        }
    }

    /// The first column a CSV reader widened from int64 to float64 after the sampled rows.
    private static func widened(_ schema: Schema, from first: Schema) -> String? {
        zip(schema.fields, first.fields).first { $0.type == .float64 && $1.type == .int64 }?.0.name
    }
}
