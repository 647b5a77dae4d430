/// A compiled ONNX graph: operators in execution order over numbered value slots.
struct ONNXPredictor: Predictor {
    struct Step: Sendable {
        let op: any ONNXOperator
        let inputs: [Int]
        let outputs: [Int]
        let description: String
    }

    let inputs: [ModelInput]
    let inputSlots: [Int]
    let constants: [(Int, Tensor)]
    let steps: [Step]
    let outputs: [(String, Int)]
    let slotCount: Int

    var outputNames: [String] { outputs.map(\.0) }

    func predict(_ feeds: [String: Tensor], options: PredictionOptions) throws -> [NamedTensor] {
        var values = [Tensor?](repeating: nil, count: slotCount)
        for (slot, tensor) in constants { values[slot] = tensor }
        var rowCount: Int?
        for (input, slot) in zip(inputs, inputSlots) {
            guard let feed = feeds[input.name] else {
                throw InferenceError(.missingColumn, "The model needs an input named '\(input.name)'.")
            }
            let tensor = try convert(feed.validated("Input '\(input.name)'"), to: input.elementType)
            if let rowCount, tensor.shape.first != rowCount {
                throw InferenceError(.invalidInput, "Input '\(input.name)' has a different number of rows.")
            }
            if let columns = input.columnCount, tensor.rowsAndColumns.columns != columns, tensor.count > 0 {
                throw InferenceError(
                    .invalidInput,
                    "Input '\(input.name)' needs \(columns) columns; it has \(tensor.rowsAndColumns.columns).")
            }
            rowCount = tensor.shape.first
            values[slot] = tensor
        }
        for step in steps {
            let arguments = step.inputs.map { $0 >= 0 ? values[$0] : nil }
            let results: [Tensor]
            do {
                results = try step.op.run(arguments, pool: options.pool)
            } catch let error as InferenceError {
                throw error
            }
            for (slot, result) in zip(step.outputs, results) where slot >= 0 {
                values[slot] = result
            }
        }
        return try outputs.map { name, slot in
            guard let value = values[slot] else {
                throw InferenceError.corrupt("The graph did not compute its output '\(name)'.")
            }
            return NamedTensor(name: name, tensor: value)
        }
    }

    private func convert(_ tensor: Tensor, to type: Tensor.ElementType) throws -> Tensor {
        if tensor.elementType == type { return tensor }
        switch type {
        case .float: return Tensor(shape: tensor.shape, storage: .float(tensor.floats))
        case .double: return Tensor(shape: tensor.shape, storage: .double(tensor.doubles))
        case .int64: return Tensor(shape: tensor.shape, storage: .int64(tensor.int64s))
        case .string: return Tensor(shape: tensor.shape, storage: .string(tensor.strings))
        case .bool: return Tensor(shape: tensor.shape, storage: .bool(tensor.doubles.map { $0 != 0 }))
        }
    }
}
