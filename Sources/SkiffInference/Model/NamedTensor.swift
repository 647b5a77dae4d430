/// One output of a prediction: a tensor and the name the model gives it.
public struct NamedTensor: Sendable {
    /// The output's name (an ONNX graph output, or `prediction` for XGBoost and LightGBM models).
    public var name: String
    /// The values, one leading-dimension entry per input row.
    public var tensor: Tensor

    /// Creates a named output.
    /// - Parameters:
    ///   - name: The output's name.
    ///   - tensor: The values.
    public init(name: String, tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}
