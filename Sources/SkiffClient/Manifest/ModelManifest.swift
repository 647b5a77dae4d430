import Foundation
import SkiffInference
import Yams

/// The parts of an MLflow `MLmodel` file that Skiff reads: the flavors, the signature and the model's IDs.
package struct ModelManifest: Sendable, Hashable {
    /// One flavor entry, such as `onnx` or `sklearn`, with its scalar settings (`data`, `model_format`…).
    package struct Flavor: Sendable, Hashable {
        /// The flavor's name.
        package var name: String
        /// The flavor's scalar settings as text; lists and mappings are left out, nulls are absent.
        package var settings: [String: String]
        /// String lists among the settings (such as `skops_trusted_types`).
        package var lists: [String: [String]]
    }

    /// The native model file a manifest points at.
    package struct NativeArtifact: Sendable, Hashable {
        /// The flavor that names the file.
        package var flavor: String
        /// The file's path relative to the model directory.
        package var path: String
        /// The format Skiff reads it as.
        package var format: ModelFormat
    }

    /// The flavors, in file order.
    package var flavors: [Flavor]
    /// The signature's `inputs` (a JSON text), when the manifest has a signature.
    package var signatureInputs: String?
    /// The logged model ID, when recorded.
    package var modelID: String?
    /// The run ID, when recorded.
    package var runID: String?

    /// Parses an `MLmodel` file.
    /// - Parameter yaml: The file's text.
    /// - Throws: `ClientError` with code `serverError` when the text is not an MLmodel mapping with flavors.
    package init(yaml: String) throws(ClientError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ClientError(.serverError, "The model's MLmodel file is not valid YAML.", detail: "\(error)")
        }
        guard let mapping = root?.mapping else {
            throw ClientError(.serverError, "The model's MLmodel file is not a YAML mapping.")
        }
        var flavors = [Flavor]()
        var signatureInputs: String?
        var modelID: String?
        var runID: String?
        for (key, value) in mapping {
            switch key.scalar?.string {
            case "flavors":
                for (flavorKey, flavorValue) in value.mapping ?? [:] {
                    guard let name = flavorKey.scalar?.string else { continue }
                    var settings = [String: String]()
                    var lists = [String: [String]]()
                    for (settingKey, settingValue) in flavorValue.mapping ?? [:] {
                        guard let settingName = settingKey.scalar?.string else { continue }
                        if let scalar = settingValue.scalar, !Self.isNull(scalar) {
                            settings[settingName] = scalar.string
                        } else if let sequence = settingValue.sequence {
                            lists[settingName] = sequence.compactMap { $0.scalar?.string }
                        }
                    }
                    flavors.append(Flavor(name: name, settings: settings, lists: lists))
                }
            case "signature":
                if let inputs = value.mapping?["inputs"]?.scalar, !Self.isNull(inputs) {
                    signatureInputs = inputs.string
                }
            case "model_id":
                if let scalar = value.scalar, !Self.isNull(scalar) { modelID = scalar.string }
            case "run_id":
                if let scalar = value.scalar, !Self.isNull(scalar) { runID = scalar.string }
            default:
                continue
            }
        }
        guard !flavors.isEmpty else {
            throw ClientError(.serverError, "The model's MLmodel file lists no flavors.")
        }
        self.flavors = flavors
        self.signatureInputs = signatureInputs
        self.modelID = modelID
        self.runID = runID
    }

    /// The flavor with a name, if the manifest has it.
    /// - Parameter name: A flavor name such as `sklearn`.
    package func flavor(_ name: String) -> Flavor? {
        flavors.first { $0.name == name }
    }

    /// The column names of a column-based signature, in order; nil without a signature or with unnamed inputs.
    package var signatureColumnNames: [String]? {
        guard let text = signatureInputs, let data = text.data(using: .utf8),
            let columns = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]], !columns.isEmpty
        else { return nil }
        let names = columns.compactMap { $0["name"] as? String }
        return names.count == columns.count ? names : nil
    }

    /// Picks the file Skiff can predict with natively: the `onnx`, `xgboost` or `lightgbm` flavor's data file.
    ///
    /// - Parameter reference: The reference the manifest belongs to, used in the error message.
    /// - Returns: The flavor, the data file's relative path and its format.
    /// - Throws: `ClientError` with code `noNativeArtifact` naming the flavors the model has and how to get a native
    ///   one (`skiff convert`, or logging with `mlflow.onnx` / `mlflow.xgboost` / `mlflow.lightgbm`).
    package func nativeArtifact(for reference: String) throws(ClientError) -> NativeArtifact {
        for (flavorName, format) in [("onnx", ModelFormat.onnx), ("xgboost", .xgboost), ("lightgbm", .lightgbm)] {
            guard let flavor = flavor(flavorName) else { continue }
            guard let data = flavor.settings["data"], !data.isEmpty else {
                throw ClientError(
                    .noNativeArtifact, "The \(flavorName) flavor of \(reference) names no data file in its MLmodel.")
            }
            let lowered = data.lowercased()
            if lowered.hasSuffix(".pkl") || lowered.hasSuffix(".skops") || lowered.hasSuffix(".pickle") {
                throw ClientError(
                    .noNativeArtifact,
                    "\(reference) has a \(flavorName) flavor saved as a pickled scikit-learn-style object, which Skiff "
                        + "cannot load. Log the booster itself (mlflow.\(flavorName).log_model(model.booster_ …)"
                        + (flavorName == "xgboost" ? ", or model.get_booster()" : "") + ") to serve it natively.")
            }
            try Self.validateRelativePath(data, flavor: flavorName, reference: reference)
            return NativeArtifact(flavor: flavorName, path: data, format: format)
        }
        let names = flavors.map(\.name).filter { $0 != "python_function" }
        let has = names.isEmpty ? "only a python_function flavor" : "the flavor(s) " + names.joined(separator: ", ")
        var message = "\(reference) has no ONNX, XGBoost or LightGBM artifact: it was logged with \(has). "
        if flavor("sklearn") != nil, reference.hasPrefix("models:/") {
            message += "Convert it to ONNX with `skiff convert \(reference) --tracking-uri URL`, or log it with "
        } else {
            message += "Log it with "
        }
        message += "mlflow.onnx, mlflow.xgboost or mlflow.lightgbm."
        throw ClientError(.noNativeArtifact, message)
    }

    /// Checks that a path from the manifest stays inside the model directory.
    static func validateRelativePath(_ path: String, flavor: String, reference: String) throws(ClientError) {
        let decoded = ModelReference.fullyDecoded(path)
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: false)
        guard path.count <= 1024, !decoded.hasPrefix("/"), !decoded.contains("\\"), !decoded.contains("\u{0}"),
            !decoded.contains(":"), segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw ClientError(
                .noNativeArtifact,
                "The \(flavor) flavor of \(reference) names a data file outside its model directory; Skiff refuses it.")
        }
    }

    private static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["null", "~", "Null", "NULL", ""].contains(scalar.string)
    }
}
