import ArgumentParser
import Foundation
import SkiffClient
import SkiffInference

/// `skiff predict`: scores a CSV file with an ONNX, XGBoost or LightGBM model, natively.
///
/// Exit codes: 0 on success; 1 when the model or the input cannot be used (the message says why: a registry model that cannot be fetched, unsupported
/// operator, missing column, non-numeric value with its row and column, corrupt model file); 64 for invalid
/// command-line usage.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a CSV file with an ONNX, XGBoost or LightGBM model.",
        discussion: """
            MODEL is a .onnx file, an XGBoost model saved as .json or .ubj, or a LightGBM text model (.txt); or a \
            registry model (models:/NAME/VERSION, models:/NAME@ALIAS) or run artifact (runs:/RUN_ID/path) with an \
            ONNX, XGBoost or LightGBM flavor, fetched from --tracking-uri into the model cache (SKIFF_MODEL_CACHE, \
            default ~/.cache/skiff/models).

            The input CSV has a header row. An empty field or NaN is a missing value. Columns are matched to the
            model's named inputs by name; a model with a single two-dimensional input takes all columns in order
            (or, for XGBoost and LightGBM models that record feature names, those columns by name).

            The output CSV has a header and one row per input row. For an ONNX model: one column per output,
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

    @Option(name: .long, help: "The input CSV file, or - for standard input.")
    var input: String

    @Option(name: .long, help: "The output CSV file, or - for standard output.")
    var output: String

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
        } catch let error as PredictFailure {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }

    private static func isRemote(_ model: String) -> Bool {
        model.hasPrefix("models:") || model.hasPrefix("runs:")
    }

    private struct PredictFailure: Error {
        let message: String
    }

    private func score(modelPath: String) throws {
        let predictor = try ModelLoader.load(path: modelPath)
        let inputBytes: [UInt8]
        if input == "-" {
            inputBytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let handle = FileHandle(forReadingAtPath: input) else {
                throw PredictFailure(message: "Cannot read the input file '\(input)'.")
            }
            defer { try? handle.close() }
            inputBytes = [UInt8](handle.readDataToEndOfFile())
        }
        var reader = CSVReader(bytes: inputBytes)
        guard let header = reader.nextRow() else {
            throw PredictFailure(message: "The input CSV is empty: it needs a header row.")
        }
        let bindings = try InputBinding.bind(
            predictor.inputs, columns: header.map { $0.trimmingCharacters(in: .whitespaces) })
        let totalEstimate = inputBytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let showProgress = totalEstimate > 100_000

        let sink: FileHandle
        if output == "-" {
            sink = FileHandle.standardOutput
        } else {
            guard FileManager.default.createFile(atPath: output, contents: nil),
                let handle = FileHandle(forWritingAtPath: output)
            else {
                throw PredictFailure(message: "Cannot write the output file '\(output)'.")
            }
            sink = handle
        }
        defer { if output != "-" { try? sink.close() } }

        let options = PredictionOptions(
            rawScores: raw, pool: threads.map { ComputePool(threadCount: $0) } ?? .shared)
        var wroteHeader = false
        var scored = 0
        var rows = [[String]]()
        var rowLines = [Int]()
        rows.reserveCapacity(batchSize)
        func flush() throws {
            guard !rows.isEmpty || !wroteHeader else { return }
            let feeds = try tensors(bindings, rows: rows, lines: rowLines, header: header)
            let outputs = try predictor.predict(feeds, options: options)
            var text = ""
            if !wroteHeader {
                text += outputHeader(outputs).joined(separator: ",") + "\n"
                wroteHeader = true
            }
            text += try outputRows(outputs, rowCount: rows.count)
            sink.write(Data(text.utf8))
            scored += rows.count
            if showProgress {
                FileHandle.standardError.write(Data("skiff predict: \(scored) of ~\(totalEstimate) rows\n".utf8))
            }
            rows.removeAll(keepingCapacity: true)
            rowLines.removeAll(keepingCapacity: true)
        }
        while let row = reader.nextRow() {
            guard row.count == header.count else {
                throw PredictFailure(
                    message: "Line \(reader.line) has \(row.count) fields; the header has \(header.count).")
            }
            rows.append(row)
            rowLines.append(reader.line)
            if rows.count == batchSize { try flush() }
        }
        try flush()
    }

    private func tensors(_ bindings: [InputBinding], rows: [[String]], lines: [Int], header: [String]) throws
        -> [String: Tensor]
    {
        var feeds = [String: Tensor]()
        for binding in bindings {
            let shape = [rows.count, binding.columns.count]
            if binding.input.elementType == .string {
                var values = [String]()
                values.reserveCapacity(rows.count * binding.columns.count)
                for row in rows { for column in binding.columns { values.append(row[column]) } }
                feeds[binding.input.name] = Tensor(shape: shape, storage: .string(values))
                continue
            }
            var values = [Double]()
            values.reserveCapacity(rows.count * binding.columns.count)
            for (rowIndex, row) in rows.enumerated() {
                for column in binding.columns {
                    let field = row[column].trimmingCharacters(in: .whitespaces)
                    if field.isEmpty || field == "NaN" || field == "nan" || field == "NA" {
                        values.append(.nan)
                    } else if let value = Double(field) {
                        values.append(value)
                    } else {
                        throw PredictFailure(
                            message: "Line \(lines[rowIndex]), column '\(header[column])': '\(field.prefix(40))' "
                                + "is not a number.")
                    }
                }
            }
            feeds[binding.input.name] = Tensor(shape: shape, storage: .double(values))
        }
        return feeds
    }

    private func outputHeader(_ outputs: [NamedTensor]) -> [String] {
        outputs.flatMap { output -> [String] in
            let width = output.tensor.shape.count <= 1 ? 1 : output.tensor.shape.dropFirst().reduce(1, *)
            if output.tensor.shape.count <= 1 || (output.tensor.shape.count == 2 && width == 1) {
                return [CSVReader.escape(output.name)]
            }
            return (0..<width).map { CSVReader.escape("\(output.name)_\($0)") }
        }
    }

    private func outputRows(_ outputs: [NamedTensor], rowCount: Int) throws -> String {
        var text = ""
        let widths = outputs.map { rowCount == 0 ? 0 : $0.tensor.count / rowCount }
        for (output, width) in zip(outputs, widths) where width * rowCount != output.tensor.count {
            throw PredictFailure(message: "The model's output '\(output.name)' does not have one entry per row.")
        }
        for row in 0..<rowCount {
            var fields = [String]()
            for (output, width) in zip(outputs, widths) {
                for column in 0..<width {
                    fields.append(CSVReader.escape(output.tensor.formattedElement(row * width + column)))
                }
            }
            text += fields.joined(separator: ",")
            text += "\n"
        }
        return text
    }
}
