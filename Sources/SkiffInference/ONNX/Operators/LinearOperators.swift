/// ai.onnx.ml LinearClassifier and LinearRegressor, with onnxruntime's binary-classifier conventions.
enum LinearOperators {
    /// Computes `rows × outputs` scores `x · coefficientsᵀ + intercepts` in float, as onnxruntime does.
    private static func scores(
        _ x: Tensor, coefficients: [Float], intercepts: [Float], outputs: Int, _ attributes: NodeAttributes
    ) throws -> (rows: Int, values: [Double]) {
        let features = outputs == 0 ? 0 : coefficients.count / outputs
        let input = x.floats
        let rows = x.shape.count <= 1 ? (x.count == features ? 1 : x.count) : x.shape[0]
        guard rows * features == input.count else {
            throw InferenceError(
                .invalidInput,
                "Node '\(attributes.node)' (\(attributes.opType)) needs \(features) features per row.")
        }
        var result = [Double](repeating: 0, count: rows * outputs)
        for row in 0..<rows {
            for output in 0..<outputs {
                var sum: Float = 0
                for feature in 0..<features {
                    sum += input[row * features + feature] * coefficients[output * features + feature]
                }
                if !intercepts.isEmpty { sum += intercepts[output] }
                result[row * outputs + output] = Double(sum)
            }
        }
        return (rows, result)
    }

    static func classifier(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let labels = try ClassLabels(attributes)
        let coefficients = attributes.floats("coefficients") ?? []
        let intercepts = attributes.floats("intercepts") ?? []
        let transform = try PostTransform(try attributes.string("post_transform", default: "NONE"), attributes)
        let outputs = intercepts.isEmpty ? labels.count : intercepts.count
        guard outputs > 0, !coefficients.isEmpty, coefficients.count % outputs == 0 else {
            throw attributes.invalid("coefficients")
        }
        let binary = outputs == 1 && labels.count == 2
        guard binary || outputs == labels.count else { throw attributes.invalid("classlabels") }
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let (rows, raw) = try scores(
                x, coefficients: coefficients, intercepts: intercepts, outputs: outputs, attributes)
            var classes = [Int](repeating: 0, count: rows)
            var probabilities = [Float](repeating: 0, count: rows * labels.count)
            for row in 0..<rows {
                if binary {
                    let score = raw[row]
                    classes[row] = score > 0 ? 1 : 0
                    let positive = transform == .logistic ? PostTransform.logistic(score) : score
                    probabilities[row * 2] = Float(1 - positive)
                    probabilities[row * 2 + 1] = Float(positive)
                } else {
                    var slice = raw[row * outputs..<(row + 1) * outputs]
                    var best = slice.startIndex
                    for index in slice.indices where slice[index] > slice[best] { best = index }
                    classes[row] = best - slice.startIndex
                    transform.apply(&slice)
                    for (offset, value) in slice.enumerated() { probabilities[row * outputs + offset] = Float(value) }
                }
            }
            return [labels.tensor(classes), Tensor(shape: [rows, labels.count], storage: .float(probabilities))]
        }
    }

    static func regressor(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let coefficients = attributes.floats("coefficients") ?? []
        let intercepts = attributes.floats("intercepts") ?? []
        let targets = try attributes.int("targets", default: 1)
        let transform = try PostTransform(try attributes.string("post_transform", default: "NONE"), attributes)
        guard targets > 0, coefficients.count % targets == 0, intercepts.isEmpty || intercepts.count == targets else {
            throw attributes.invalid("coefficients")
        }
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            var (rows, values) = try scores(
                x, coefficients: coefficients, intercepts: intercepts, outputs: targets, attributes)
            for row in 0..<rows {
                var slice = values[row * targets..<(row + 1) * targets]
                transform.apply(&slice)
                values.replaceSubrange(row * targets..<(row + 1) * targets, with: slice)
            }
            return [Tensor(shape: [rows, targets], storage: .float(values.map { Float($0) }))]
        }
    }
}
