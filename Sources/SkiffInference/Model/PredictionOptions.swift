/// How a prediction runs.
public struct PredictionOptions: Sendable {
    /// Return margins (raw scores before the objective's link function) instead of probabilities or values.
    /// XGBoost and LightGBM models honour it; ONNX graphs always return what the graph computes.
    public var rawScores: Bool
    /// The thread pool large batches are spread over.
    public var pool: ComputePool

    /// Creates options.
    /// - Parameters:
    ///   - rawScores: Return margins instead of transformed scores.
    ///   - pool: The thread pool large batches are spread over.
    public init(rawScores: Bool = false, pool: ComputePool = .shared) {
        self.rawScores = rawScores
        self.pool = pool
    }
}
