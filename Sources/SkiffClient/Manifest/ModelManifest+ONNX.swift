import Foundation
import Yams

extension ModelManifest {
    /// The text of an `MLmodel` file for an ONNX model directory (`model.onnx` beside it), with an `onnx` flavor
    /// and a `python_function` flavor so that `mlflow.pyfunc.load_model` can load it too.
    /// - Parameters:
    ///   - modelID: The logged model's ID.
    ///   - runID: The run that produced it.
    ///   - onnxVersion: The `onnx` package version that wrote the file.
    ///   - pythonVersion: The Python version used for the conversion.
    ///   - signatureInputs: The source model's signature inputs (a JSON text), kept when known.
    ///   - metadata: Free-form entries recorded under `metadata`, such as where the model was converted from.
    /// - Throws: `io` when the YAML cannot be written.
    package static func onnxModelText(
        modelID: String, runID: String, onnxVersion: String, pythonVersion: String, signatureInputs: String?,
        metadata: [String: String]
    ) throws(ClientError) -> String {
        var document: [String: Any] = [
            "artifact_path": "model",
            "model_id": modelID,
            "run_id": runID,
            "utc_time_created": Self.utcTimestamp(),
            "flavors": [
                "onnx": [
                    "data": "model.onnx", "onnx_version": onnxVersion, "providers": ["CPUExecutionProvider"],
                ] as [String: Any],
                "python_function": [
                    "data": "model.onnx", "loader_module": "mlflow.onnx", "python_version": pythonVersion,
                ],
            ] as [String: Any],
            "metadata": metadata,
        ]
        if let signatureInputs { document["signature"] = ["inputs": signatureInputs] }
        do {
            return try Yams.dump(object: document, sortKeys: true)
        } catch {
            throw ClientError(.io, "Skiff could not write the MLmodel file of the converted model.", detail: "\(error)")
        }
    }

    private static func utcTimestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS"
        return formatter.string(from: Date())
    }
}
