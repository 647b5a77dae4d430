/// The file formats Skiff predicts natively.
public enum ModelFormat: String, Sendable, CaseIterable {
    /// An ONNX (ONNX-ML) model, `.onnx`.
    case onnx
    /// An XGBoost model saved as JSON (`.json`) or UBJSON (`.ubj`).
    case xgboost
    /// A LightGBM text model, `.txt`.
    case lightgbm

    /// The format a file name's extension names, or nil for an unknown extension.
    /// - Parameter path: A file name or path.
    public init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "onnx": self = .onnx
        case "json", "ubj", "ubjson": self = .xgboost
        case "txt", "lgb", "lightgbm": self = .lightgbm
        default: return nil
        }
    }
}
