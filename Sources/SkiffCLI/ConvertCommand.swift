import ArgumentParser
import Foundation
import SkiffClient
import SkiffInference

/// `skiff convert`: turns a registry version logged with MLflow's sklearn flavor into an ONNX version Skiff serves
/// natively.
///
/// Exit codes: 0 on success; 1 when the model cannot be fetched, loaded, converted or registered (the message says
/// why); 3 when no usable Python with scikit-learn, skops, onnx and skl2onnx is available (the message says what to
/// install); 64 for invalid command-line usage.
struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a scikit-learn registry model to ONNX and register it as a new version.",
        discussion: """
            MODEL is a registry version logged with MLflow's sklearn flavor: models:/NAME/VERSION or \
            models:/NAME@ALIAS. Skiff downloads it from the tracking server, converts it with skl2onnx in a Python \
            interpreter (--python, else SKIFF_PYTHON, else python3) and logs the ONNX model in a new run of the \
            same experiment. It registers it as a new version of the same registered model (or of --name), tagged \
            skiff.converted_from=models:/NAME/VERSION, and prints the new version.

            The Python needs: pip install scikit-learn skops onnx skl2onnx (scikit-learn at the version the model \
            was trained with). Models pickled with pickle or cloudpickle run code from the file when loaded: \
            convert them only if you trust them, with --allow-pickle.

            Exit codes: 0 converted; 1 the model cannot be fetched, converted or registered; 3 no usable Python \
            with skl2onnx; 64 invalid usage.

            Example:
              skiff convert models:/churn/1 --tracking-uri http://127.0.0.1:5000
              skiff serve models:/churn/2 --tracking-uri http://127.0.0.1:5000
            """
    )

    @Argument(help: "The registry model to convert: models:/NAME/VERSION or models:/NAME@ALIAS.")
    var model: String

    @Option(
        name: .customLong("tracking-uri"),
        help: "The Skiff tracking server, such as http://127.0.0.1:5000 (MLFLOW_TRACKING_URI).")
    var trackingURI: String?

    @Option(help: "The Python interpreter with skl2onnx (SKIFF_PYTHON; default python3).")
    var python: String?

    @Option(help: "Register the ONNX model under this registered model name instead of the source's.")
    var name: String?

    @Flag(name: .customLong("allow-pickle"), help: "Load models saved with pickle or cloudpickle (runs their code).")
    var allowPickle = false

    @Option(help: "Seconds the conversion may take before it is stopped.")
    var timeout = 600

    func validate() throws {
        let reference: ModelReference
        do {
            reference = try ModelReference(parsing: model)
        } catch {
            throw ValidationError(error.description)
        }
        switch reference.kind {
        case .registryVersion, .registryAlias: break
        case .file, .run:
            throw ValidationError(
                "skiff convert takes a registry model, models:/NAME/VERSION or models:/NAME@ALIAS; register the "
                    + "model first (mlflow.register_model).")
        }
        if let name {
            do {
                _ = try ModelReference(parsing: "models:/\(name)/1")
            } catch {
                throw ValidationError("--name '\(name.prefix(200))' is not a registered model name.")
            }
        }
        guard resolvedTrackingURI != nil else {
            throw ValidationError(
                "skiff convert needs the tracking server: pass --tracking-uri http://HOST:PORT or set "
                    + "MLFLOW_TRACKING_URI.")
        }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second.") }
    }

    private var resolvedTrackingURI: String? {
        trackingURI ?? ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"]
    }

    func run() async throws {
        let converter = SklearnConverter(
            reference: try ModelReference(parsing: model), trackingURI: resolvedTrackingURI ?? "",
            python: python ?? ProcessInfo.processInfo.environment["SKIFF_PYTHON"] ?? "python3", targetName: name,
            allowPickle: allowPickle, timeout: .seconds(timeout))
        do {
            let result = try await converter.convert()
            print(
                "Converted \(result.source) (\(result.modelClass)) to ONNX: registered "
                    + "models:/\(result.name)/\(result.version).")
        } catch let error as ClientError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch let error as SklearnConverter.Failure {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}
