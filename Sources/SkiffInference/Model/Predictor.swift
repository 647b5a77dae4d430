/// A loaded, compiled model that predicts batches of rows.
///
/// Implementations are immutable after loading and safe to call from several threads at once.
public protocol Predictor: Sendable {
    /// The inputs the model reads, in the model's order.
    var inputs: [ModelInput] { get }
    /// The names of the outputs, in the order `predict` returns them.
    var outputNames: [String] { get }

    /// Predicts a batch.
    /// - Parameters:
    ///   - inputs: One tensor per model input, keyed by input name; the leading dimension is the row count and must
    ///     agree across inputs.
    ///   - options: Raw scores and the thread pool.
    /// - Returns: One tensor per output, in `outputNames` order.
    /// - Throws: `InferenceError` with `missingColumn` or `invalidInput` when the inputs do not fit the model.
    func predict(_ inputs: [String: Tensor], options: PredictionOptions) throws -> [NamedTensor]
}
