import Foundation
import SkiffClient
import SkiffInference

/// Converts a registry version logged with MLflow's sklearn flavor to ONNX and registers the result.
///
/// Steps: resolve the version and download its `MLmodel` and pickled model; run `SklearnConversionScript` in the
/// given Python; check that Skiff's own engine loads the ONNX file; log it as a new run's logged model (`MLmodel` with
/// an `onnx` flavor + `model.onnx`) through the artifact proxy; register it as a new version tagged
/// `skiff.converted_from`.
struct SklearnConverter {
    /// A failure with its own exit code (3 for a missing or unusable Python, 1 otherwise).
    struct Failure: Error {
        let message: String
        let exitCode: Int32
    }

    /// What was converted and registered.
    struct Result {
        /// The source version, `models:/name/N`.
        var source: String
        /// The registered model the new version belongs to.
        var name: String
        /// The new version.
        var version: String
        /// The scikit-learn class of the model.
        var modelClass: String
    }

    let reference: ModelReference
    let trackingURI: String
    let python: String
    let targetName: String?
    let allowPickle: Bool
    let timeout: Duration

    /// The tag recording the version a converted model came from.
    static let sourceTag = "skiff.converted_from"
    /// The packages the conversion needs, as a pip command line.
    static let pipInstall = "pip install scikit-learn skops onnx skl2onnx"

    func convert() async throws -> Result {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-convert-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        let fetcher = ModelFetcher(trackingURI: trackingURI, cacheDirectory: work)
        let client = try fetcher.client(for: reference)
        let location = try await fetcher.locate(reference, client: client)
        let version = location.version ?? "?"
        let source = "models:/\(location.name)/\(version)"

        guard try await client.download(location.artifactPath + "/MLmodel", to: work + "/MLmodel") else {
            throw Failure(message: "\(source) has no MLmodel file among its artifacts.", exitCode: 1)
        }
        let manifest = try ModelManifest(
            yaml: String(contentsOfFile: work + "/MLmodel", encoding: .utf8))
        if let native = try? manifest.nativeArtifact(for: source) {
            throw Failure(
                message: "\(source) already has a native \(native.flavor) artifact: serve it as it is.", exitCode: 1)
        }
        guard let sklearn = manifest.flavor("sklearn") else {
            let flavors = manifest.flavors.map(\.name).joined(separator: ", ")
            throw Failure(
                message: "skiff convert converts models logged with mlflow.sklearn; \(source) has the flavor(s) "
                    + "\(flavors).", exitCode: 1)
        }
        let format = sklearn.settings["serialization_format"] ?? "pickle"
        guard ["skops", "cloudpickle", "pickle"].contains(format) else {
            throw Failure(message: "\(source) is saved in an unknown format '\(format.prefix(40))'.", exitCode: 1)
        }
        if format != "skops", !allowPickle {
            throw Failure(
                message: "\(source) is saved with \(format); loading it runs code from the file. If you trust the "
                    + "model, run skiff convert again with --allow-pickle.", exitCode: 1)
        }
        guard let pickled = sklearn.settings["pickled_model"], Self.isPlainRelativePath(pickled) else {
            throw Failure(message: "The sklearn flavor of \(source) names no usable model file.", exitCode: 1)
        }
        let modelFile = work + "/model.input"
        guard try await client.download(location.artifactPath + "/" + pickled, to: modelFile) else {
            throw Failure(message: "The model file of \(source) is missing from its artifacts.", exitCode: 1)
        }

        let onnxFile = work + "/model.onnx"
        let arguments: [String: Any] = [
            "model_path": modelFile, "serialization_format": format, "output": onnxFile, "converted_from": source,
            "trusted_types": sklearn.lists["skops_trusted_types"] ?? [],
            "signature_names": manifest.signatureColumnNames ?? [],
        ]
        let report = try await runScript(
            arguments: arguments, work: work, sklearnVersion: sklearn.settings["sklearn_version"])
        do {
            _ = try ModelLoader.load(path: onnxFile)
        } catch let error as InferenceError {
            throw Failure(
                message: "skl2onnx converted \(source), but Skiff cannot run the result: \(error.description)",
                exitCode: 1)
        }

        let targetName = self.targetName ?? location.name
        let experimentID =
            if let runID = location.runID { try await client.experimentID(ofRun: runID) } else { "0" }
        let tags = [Self.sourceTag: source]
        let run = try await client.createRun(
            experimentID: experimentID, name: "convert-\(location.name)-v\(version)", tags: tags)
        do {
            let model = try await client.createLoggedModel(
                experimentID: experimentID, name: "model", runID: run.runID, modelType: "onnx", tags: tags)
            let manifestText = try ModelManifest.onnxModelText(
                modelID: model.modelID, runID: run.runID, onnxVersion: report.onnxVersion,
                pythonVersion: report.pythonVersion, signatureInputs: manifest.signatureInputs,
                metadata: [Self.sourceTag: source, "skl2onnx_version": report.skl2onnxVersion])
            try await client.upload(Data(manifestText.utf8), to: model.artifactPath + "/MLmodel")
            try await client.upload(
                Data(contentsOf: URL(fileURLWithPath: onnxFile)), to: model.artifactPath + "/model.onnx")
            try await client.finalizeLoggedModel(model.modelID)
            if targetName != location.name { try await client.ensureRegisteredModel(targetName) }
            let newVersion = try await client.createModelVersion(
                name: targetName, modelID: model.modelID, runID: run.runID,
                description: "ONNX conversion of \(source) (skl2onnx \(report.skl2onnxVersion)).", tags: tags)
            try await client.endRun(run.runID, status: "FINISHED")
            return Result(source: source, name: targetName, version: newVersion, modelClass: report.modelClass)
        } catch {
            try? await client.endRun(run.runID, status: "FAILED")
            throw error
        }
    }

    /// What the conversion script reports on standard output.
    private struct Report: Decodable {
        var modelClass: String
        var onnxVersion: String
        var skl2onnxVersion: String
        var pythonVersion: String

        enum CodingKeys: String, CodingKey {
            case modelClass = "model_class"
            case onnxVersion = "onnx_version"
            case skl2onnxVersion = "skl2onnx_version"
            case pythonVersion = "python_version"
        }
    }

    private func runScript(arguments: [String: Any], work: String, sklearnVersion: String?) async throws -> Report {
        let install =
            "pip install " + (sklearnVersion.map { "scikit-learn==\($0)" } ?? "scikit-learn") + " skops onnx skl2onnx"
        guard let executable = Self.findExecutable(python) else {
            throw Failure(
                message: "Cannot find the Python interpreter '\(python.prefix(200))'. Install Python 3 and the "
                    + "converter (\(install)), or pass --python /path/to/python.", exitCode: 3)
        }
        let script = work + "/convert.py"
        try Data(SklearnConversionScript.source.utf8).write(to: URL(fileURLWithPath: script))
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let outPath = work + "/convert.out"
        let errPath = work + "/convert.err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-I", script, json]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        do {
            try process.run()
        } catch {
            throw Failure(
                message: "Cannot start the Python interpreter '\(python.prefix(200))'. Install Python 3 and the "
                    + "converter (\(install)), or pass --python /path/to/python.", exitCode: 3)
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(message: "The conversion did not finish within \(timeout); it was stopped.", exitCode: 1)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let status = process.terminationStatus
        let errorText = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let lastLine = Self.lastLine(errorText)
        switch status {
        case 0:
            let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            guard let line = output.split(separator: "\n").last,
                let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8))
            else {
                throw Failure(message: "The conversion script gave no report; the conversion failed.", exitCode: 1)
            }
            return report
        case 3:
            throw Failure(
                message: "The Python at '\(python.prefix(200))' cannot convert: \(lastLine). Install the converter "
                    + "with: \(install)", exitCode: 3)
        case 4:
            throw Failure(message: "The model cannot be converted: \(lastLine)", exitCode: 1)
        default:
            throw Failure(
                message: "The Python at '\(python.prefix(200))' did not run the conversion (exit status \(status)). "
                    + "skiff convert needs Python 3 with scikit-learn, skops, onnx and skl2onnx: \(install)",
                exitCode: 3)
        }
    }

    /// The last non-empty line of a text, at most 500 characters.
    private static func lastLine(_ text: String) -> String {
        let line = text.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) } ?? "no message"
        return String(line.prefix(500))
    }

    /// An executable path: the name itself when it has a `/`, else the first match on PATH.
    private static func findExecutable(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func isPlainRelativePath(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return !path.isEmpty && !path.hasPrefix("/") && !path.contains("\\") && !path.contains("%")
            && segments.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
