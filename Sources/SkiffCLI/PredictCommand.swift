import ArgumentParser
import Foundation
import SkiffClient
import SkiffInference
import SkiffTables

/// `skiff predict`: scores a CSV, JSON Lines or Parquet file with an ONNX, XGBoost or LightGBM model, natively.
///
/// Exit codes: 0 on success; 1 when the model or the input cannot be used (the message says why: a registry model that cannot be fetched, unsupported
/// operator, missing column, non-numeric value with its row and column, corrupt model file); 64 for invalid
/// command-line usage.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a CSV, JSON Lines or Parquet file with an ONNX, XGBoost or LightGBM model.",
        discussion: """
            MODEL is a .onnx file, an XGBoost model saved as .json or .ubj, or a LightGBM text model (.txt); or a \
            registry model (models:/NAME/VERSION, models:/NAME@ALIAS) or run artifact (runs:/RUN_ID/path) with an \
            ONNX, XGBoost or LightGBM flavor, fetched from --tracking-uri into the model cache (SKIFF_MODEL_CACHE, \
            default ~/.cache/skiff/models).

            The input is CSV with a header row, JSON Lines (one object per line) or Parquet (flat columns), by its \
            extension or --format.
            An empty field, NaN, NA, null and pandas' other missing markers are missing values. Columns are matched to the
            model's named inputs by name; a model with a single two-dimensional input takes all columns in order
            (or, for XGBoost and LightGBM models that record feature names, those columns by name).

            The output has one row per input row: CSV with a header, or a Parquet file (snappy) when its name ends \
            in .parquet or .pq. For an ONNX model: one column per output,
            named after it, or <output>_<i> for each element of a vector output (label,probabilities_0,...).
            For XGBoost and LightGBM: `prediction` (the positive-class probability for binary models, the value
            for regression) or prediction_<k> per class for multiclass models; --raw writes margins instead.

            Example:
              skiff predict churn.onnx --input customers.csv --output scores.csv
              cat rows.csv | skiff predict model.ubj --input - --output - --raw
              skiff predict models:/churn@champion --tracking-uri http://127.0.0.1:5000 --input x.csv --output -
            """
    )

    @Argument(help: "The model file: .onnx, .json/.ubj (XGBoost) or .txt (LightGBM), or models:/… or runs:/….")
    var model: String

    @Option(
        name: .customLong("tracking-uri"),
        help: "The Skiff tracking server for models:/ and runs:/ references (MLFLOW_TRACKING_URI).")
    var trackingURI: String?

    @Option(name: .long, help: "The input CSV, JSON Lines or Parquet file, or - for standard input (not Parquet).")
    var input: String

    @Option(
        name: .long,
        help: "The output file: CSV, or Parquet when it ends in .parquet or .pq; - for standard output (CSV).")
    var output: String

    @Option(name: .long, help: "The input's format: csv, jsonl or parquet (default: from its extension, else csv).")
    var format: String?

    @Flag(name: .long, help: "Write raw margins instead of probabilities or values (XGBoost and LightGBM).")
    var raw = false

    @Option(name: .long, help: "Rows scored per batch.")
    var batchSize = 10_000

    @Option(name: .long, help: "Threads used for large batches (default: one per processor).")
    var threads: Int?

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        if Self.isRemote(model) {
            do {
                _ = try ModelReference(parsing: model)
            } catch {
                throw ValidationError(error.description)
            }
            return
        }
        guard ModelFormat(path: model) != nil else {
            throw ValidationError(
                "Cannot tell the model format of '\(model)': use .onnx, .json or .ubj (XGBoost), or .txt (LightGBM).")
        }
    }

    func run() async throws {
        do {
            var path = model
            if Self.isRemote(model) {
                let environment = ProcessInfo.processInfo.environment
                let fetcher = ModelFetcher(
                    trackingURI: trackingURI ?? environment["MLFLOW_TRACKING_URI"],
                    cacheDirectory: ModelFetcher.defaultCacheDirectory(environment: environment))
                path = try await fetcher.fetch(ModelReference(parsing: model)).localPath
            }
            try score(modelPath: path)
        } catch let error as ClientError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch let error as InferenceError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch let error as TableError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch let error as PredictionWriter.Failure {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    private static func isRemote(_ model: String) -> Bool {
        model.hasPrefix("models:") || model.hasPrefix("runs:")
    }

    private func score(modelPath: String) throws {
        let predictor = try ModelLoader.load(path: modelPath)
        let inputs = predictor.inputs
        // The model binds its inputs from the header: bound columns are read as numbers (or text for string
        // inputs), so a value that is neither is an error naming its line and column; other columns are skipped.
        let bound = BindingBox()
        var readOptions = ReadOptions(batchRows: batchSize)
        readOptions.plan = { names throws(TableError) in
            let trimmed = names.map { $0.trimmingCharacters(in: .whitespaces) }
            let bindings: [InputBinding]
            do {
                bindings = try InputBinding.bind(inputs, columns: trimmed)
            } catch {
                throw TableError(.unknownColumn, String(describing: error))
            }
            bound.set(bindings, header: names)
            var types: [String: ColumnType] = [:]
            for binding in bindings {
                for column in binding.columns {
                    types[names[column]] = binding.input.elementType == .string ? .string : .float64
                }
            }
            let used = Set(bindings.flatMap(\.columns))
            return ColumnPlan(columns: names.indices.filter { used.contains($0) }.map { names[$0] }, types: types)
        }
        let format = try self.format.map { option throws(TableError) in try TableFormat(option: option) }
        let reader = try Tables.open(path: input, format: format, options: readOptions)
        let (bindings, header) = bound.get()
        let writer = try PredictionWriter(path: output)
        let options = PredictionOptions(
            rawScores: raw, pool: threads.map { ComputePool(threadCount: $0) } ?? .shared)
        var scored = 0
        while let batch = try reader.nextBatch() {
            let feeds = tensors(bindings, batch: batch, header: header)
            try writer.write(try predictor.predict(feeds, options: options), rowCount: batch.rowCount)
            scored += batch.rowCount
            if scored / 100_000 != (scored - batch.rowCount) / 100_000 {
                FileHandle.standardError.write(Data("skiff predict: \(scored) rows scored\n".utf8))
            }
        }
        if scored == 0 {
            // No rows: the header still names the outputs, from a prediction on an empty batch.
            let empty = Dictionary(
                uniqueKeysWithValues: bindings.map { binding in
                    let shape = [0, binding.columns.count]
                    let storage: Tensor.Storage = binding.input.elementType == .string ? .string([]) : .double([])
                    return (binding.input.name, Tensor(shape: shape, storage: storage))
                })
            try writer.write(try predictor.predict(empty, options: options), rowCount: 0)
        }
        try writer.close()
    }

    /// The model's feeds for one batch: each binding's columns, row by row, missing values as NaN.
    private func tensors(_ bindings: [InputBinding], batch: RecordBatch, header: [String]) -> [String: Tensor] {
        var feeds = [String: Tensor]()
        let rows = batch.rowCount
        for binding in bindings {
            // The reader keeps only the bound columns; each is found by its header name.
            let sources = binding.columns.compactMap { batch.column(named: header[$0]) }
            let shape = [rows, sources.count]
            if binding.input.elementType == .string {
                var values = [String]()
                values.reserveCapacity(rows * sources.count)
                for r in 0..<rows { for source in sources { values.append(source.string(at: r) ?? "") } }
                feeds[binding.input.name] = Tensor(shape: shape, storage: .string(values))
                continue
            }
            var values = [Double](repeating: 0, count: rows * sources.count)
            for (c, source) in sources.enumerated() {
                let column = source.doubles()
                for r in 0..<rows { values[r * sources.count + c] = column[r] }
            }
            feeds[binding.input.name] = Tensor(shape: shape, storage: .double(values))
        }
        return feeds
    }
}

/// The bindings the read plan chose from the header, handed back to the command after the reader opens.
private final class BindingBox: @unchecked Sendable {
    // Set once by the plan, during `Tables.open`, and read after it returns on the same thread.
    private var bindings: [InputBinding] = []
    private var header: [String] = []

    func set(_ bindings: [InputBinding], header: [String]) {
        self.bindings = bindings
        self.header = header
    }

    func get() -> ([InputBinding], [String]) { (bindings, header) }

}
