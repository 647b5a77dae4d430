/// A named input a model reads, with its element type and shape.
public struct ModelInput: Sendable, Hashable {
    /// The input's name (an ONNX graph input, or `features` for XGBoost and LightGBM models).
    public var name: String
    /// The element type the model reads.
    public var elementType: Tensor.ElementType
    /// The number of columns of a 2-D `[rows, columns]` input, when the model fixes it.
    public var columnCount: Int?
    /// Feature names the model file records for the columns, in order; empty when it records none.
    public var featureNames: [String]

    /// Creates an input description.
    /// - Parameters:
    ///   - name: The input's name.
    ///   - elementType: The element type the model reads.
    ///   - columnCount: The number of columns, when fixed.
    ///   - featureNames: Names of the columns, in order, when known.
    public init(name: String, elementType: Tensor.ElementType, columnCount: Int?, featureNames: [String] = []) {
        self.name = name
        self.elementType = elementType
        self.columnCount = columnCount
        self.featureNames = featureNames
    }
}
