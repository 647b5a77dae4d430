import Foundation

/// Loads model files into compiled predictors.
public enum ModelLoader {
    /// Loads a model from its bytes.
    /// - Parameters:
    ///   - bytes: The whole model file.
    ///   - format: The format the file should be in.
    /// - Returns: A predictor, compiled once, ready for batches.
    /// - Throws: `InferenceError` — `unsupportedFormat` when the bytes are not a model of `format`,
    ///   `corruptModel` when they are malformed or truncated, `unsupportedModel` / `unsupportedOperator` for
    ///   features Skiff does not implement.
    public static func load(bytes: [UInt8], format: ModelFormat) throws -> any Predictor {
        switch format {
        case .xgboost: try XGBoostModelLoader.load(bytes)
        case .lightgbm: try LightGBMModelLoader.load(bytes)
        case .onnx: try ONNXModelLoader.load(bytes)
        }
    }

    /// Loads a model file, choosing the format from its extension.
    /// - Parameter path: The model file: `.onnx`, `.json` / `.ubj` (XGBoost) or `.txt` (LightGBM).
    /// - Throws: `unsupportedFormat` for an unknown extension or unreadable file, and what `load(bytes:format:)`
    ///   throws.
    public static func load(path: String) throws -> any Predictor {
        guard let format = ModelFormat(path: path) else {
            throw InferenceError(
                .unsupportedFormat,
                "Unknown model file extension: use .onnx, .json or .ubj (XGBoost), or .txt (LightGBM).")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError(.unsupportedFormat, "The model file cannot be read.")
        }
        return try load(bytes: [UInt8](data), format: format)
    }
}
