import SkiffInference

/// One loaded, compiled and warmed model version.
struct ModelDeployment: Sendable {
    /// An output as the warm-up prediction showed it, for the protocol's model metadata.
    struct Output: Sendable {
        var name: String
        var elementType: Tensor.ElementType
        /// Values per row; 1 for a scalar output.
        var width: Int
    }

    /// The model's name: the registered model name, or the file's stem.
    var name: String
    /// The version label: the registry version, or `1` for a model file.
    var version: String
    /// The reference it was resolved from (`models:/churn@champion`, a file path).
    var reference: String
    /// The model file's format.
    var format: ModelFormat
    /// The compiled model.
    var predictor: any Predictor
    /// The outputs seen at warm-up; empty when the model could not be warmed with a row of zeros.
    var outputs: [Output]
    /// How long fetching, compiling and warming took.
    var loadSeconds: Double
}
