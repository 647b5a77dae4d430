/// A predictor for a native XGBoost or LightGBM model: a compiled ensemble, per-output base margins and the
/// objective's link function.
///
/// Input: one 2-D tensor `features` of `[rows, featureCount]` numbers (NaN is missing). Output: `prediction`,
/// `[rows]` for single-output models (the positive-class probability for binary classifiers) or
/// `[rows, outputs]` for multiclass ones, as the library's own `predict` / `predict_proba` return;
/// with `rawScores`, the margins.
struct BoostedTreePredictor<Value: TreeScalar>: Predictor {
    let ensemble: CompiledTreeEnsemble<Value>
    /// Added to every row's margins before the trees' outputs (XGBoost's base_score as a margin).
    let baseMargins: [Double]
    /// Divide the trees' sum by this before the transform (LightGBM `average_output`), when set.
    let averageDivisor: Double?
    let transform: ScoreTransform
    let featureNames: [String]

    var inputs: [ModelInput] {
        [
            ModelInput(
                name: "features", elementType: .double, columnCount: ensembleFeatureCount, featureNames: featureNames)
        ]
    }

    var outputNames: [String] { ["prediction"] }

    let ensembleFeatureCount: Int

    func predict(_ inputs: [String: Tensor], options: PredictionOptions) throws -> [NamedTensor] {
        guard let tensor = inputs["features"] ?? (inputs.count == 1 ? inputs.values.first : nil) else {
            throw InferenceError(.missingColumn, "The model needs one input, 'features'.")
        }
        let features = ensembleFeatureCount
        guard tensor.shape.count == 2, tensor.shape[1] == features else {
            throw InferenceError(
                .invalidInput,
                "The model needs \(features) feature columns; the input has "
                    + "\(tensor.shape.count == 2 ? tensor.shape[1] : tensor.count)."
            )
        }
        return [NamedTensor(name: "prediction", tensor: predictRows(tensor, options: options))]
    }

    /// Rounds the inputs to the ensemble's scalar type once, as the source library does (float32 for XGBoost), and
    /// predicts them.
    @_specialize(where Value == Float)
    @_specialize(where Value == Double)
    func predictRows(_ tensor: Tensor, options: PredictionOptions) -> Tensor {
        let count = tensor.count
        let rows: [Value]
        switch tensor.storage {
        case .double(let values):
            rows = [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count { buffer[index] = Value(values[index]) }
                initialized = count
            }
        case .float(let values):
            rows = [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count { buffer[index] = Value(values[index]) }
                initialized = count
            }
        default:
            rows = tensor.doubles.map { Value($0) }
        }
        return predictRows(rows, rowCount: tensor.shape[0], options: options)
    }

    /// Predicts rows that are already in the ensemble's scalar type.
    @_specialize(where Value == Float)
    @_specialize(where Value == Double)
    func predictRows(_ rows: [Value], rowCount: Int, options: PredictionOptions) -> Tensor {
        let targets = ensemble.targetCount
        let outputs = (options.rawScores ? ScoreTransform.identity : transform).outputCount(targets: targets)
        guard rowCount > 0 else {
            return Tensor(shape: outputs == 1 ? [0] : [0, outputs], storage: .double([]))
        }
        var scores = [Double](repeating: 0, count: rowCount * targets)
        scores.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<rowCount {
                for target in 0..<targets { buffer[row * targets + target] = baseMargins[target] }
            }
            // A model with no features still has a one-column compiled layout.
            if ensemble.featureCount == ensembleFeatureCount {
                rows.withUnsafeBufferPointer { input in
                    ensemble.accumulate(
                        rows: input.baseAddress ?? UnsafePointer(bitPattern: 8)!, rowCount: rowCount,
                        scores: buffer.baseAddress!, pool: options.pool)
                }
            } else {
                let padded = [Value](repeating: 0, count: rowCount * ensemble.featureCount)
                padded.withUnsafeBufferPointer { input in
                    ensemble.accumulate(
                        rows: input.baseAddress!, rowCount: rowCount, scores: buffer.baseAddress!, pool: options.pool)
                }
            }
        }
        // LightGBM's raw scores of an averaged (random forest) model are the plain sums; only the transformed
        // prediction divides by the iteration count.
        if let averageDivisor, !options.rawScores {
            for index in scores.indices { scores[index] /= averageDivisor }
        }
        let transform = options.rawScores ? ScoreTransform.identity : self.transform
        var result = [Double](repeating: 0, count: rowCount * outputs)
        scores.withUnsafeMutableBufferPointer { margins in
            result.withUnsafeMutableBufferPointer { output in
                for row in 0..<rowCount {
                    let rowMargins = UnsafeMutableBufferPointer(rebasing: margins[row * targets..<(row + 1) * targets])
                    transform.apply(rowMargins, into: output.baseAddress! + row * outputs)
                }
            }
        }
        return Tensor(shape: outputs == 1 ? [rowCount] : [rowCount, outputs], storage: .double(result))
    }
}
