import Foundation

/// Element-wise ONNX operators: arithmetic, comparisons, activations, `Where`, `Cast`.
enum ElementwiseOperators {
    static func input(_ inputs: [Tensor?], _ index: Int, _ attributes: NodeAttributes) throws -> Tensor {
        guard index < inputs.count, let tensor = inputs[index] else {
            throw InferenceError.corrupt(
                "Node '\(attributes.node)' (\(attributes.opType)) is missing its input \(index + 1).")
        }
        return tensor
    }

    enum Arithmetic: Sendable {
        case add, subtract, multiply, divide
    }

    static func arithmetic(_ kind: Arithmetic, _ attributes: NodeAttributes) -> any ONNXOperator {
        ClosureOperator { inputs in
            let a = try input(inputs, 0, attributes)
            let b = try input(inputs, 1, attributes)
            switch (a.storage, b.storage) {
            case (.int64(let x), .int64(let y)):
                let result = try Broadcast.apply(x, a.shape, y, b.shape) { (p: Int64, q: Int64) -> Int64 in
                    switch kind {
                    case .add: p &+ q
                    case .subtract: p &- q
                    case .multiply: p &* q
                    case .divide: q == 0 ? 0 : p / q
                    }
                }
                return [Tensor(shape: result.shape, storage: .int64(result.values))]
            case (.double(let x), .double(let y)):
                let result = try Broadcast.apply(x, a.shape, y, b.shape) { (p: Double, q: Double) -> Double in
                    switch kind {
                    case .add: p + q
                    case .subtract: p - q
                    case .multiply: p * q
                    case .divide: p / q
                    }
                }
                return [Tensor(shape: result.shape, storage: .double(result.values))]
            default:
                let result = try Broadcast.apply(a.floats, a.shape, b.floats, b.shape) {
                    (p: Float, q: Float) -> Float in
                    switch kind {
                    case .add: p + q
                    case .subtract: p - q
                    case .multiply: p * q
                    case .divide: p / q
                    }
                }
                return [Tensor(shape: result.shape, storage: .float(result.values))]
            }
        }
    }

    enum Comparison: Sendable {
        case less, greater, equal, lessOrEqual, greaterOrEqual
    }

    static func comparison(_ kind: Comparison, _ attributes: NodeAttributes) -> any ONNXOperator {
        ClosureOperator { inputs in
            let a = try input(inputs, 0, attributes)
            let b = try input(inputs, 1, attributes)
            if case .string(let x) = a.storage, case .string(let y) = b.storage {
                let result = try Broadcast.apply(x, a.shape, y, b.shape) { $0 == $1 }
                return [Tensor(shape: result.shape, storage: .bool(result.values))]
            }
            let result = try Broadcast.apply(a.doubles, a.shape, b.doubles, b.shape) { (p: Double, q: Double) -> Bool in
                switch kind {
                case .less: p < q
                case .greater: p > q
                case .equal: p == q
                case .lessOrEqual: p <= q
                case .greaterOrEqual: p >= q
                }
            }
            return [Tensor(shape: result.shape, storage: .bool(result.values))]
        }
    }

    /// A float (or double) function applied to every element.
    static func unary(
        _ attributes: NodeAttributes, float: @escaping @Sendable (Float) -> Float,
        double: @escaping @Sendable (Double) -> Double
    ) -> any ONNXOperator {
        ClosureOperator { inputs in
            let x = try input(inputs, 0, attributes)
            if case .double(let values) = x.storage {
                return [Tensor(shape: x.shape, storage: .double(values.map(double)))]
            }
            return [x.with(floats: x.floats.map(float))]
        }
    }

    static func `where`(_ attributes: NodeAttributes) -> any ONNXOperator {
        ClosureOperator { inputs in
            let condition = try input(inputs, 0, attributes)
            let x = try input(inputs, 1, attributes)
            let y = try input(inputs, 2, attributes)
            guard case .bool(let flags) = condition.storage else {
                throw InferenceError.corrupt("Node '\(attributes.node)' (Where) needs a boolean condition.")
            }
            let shape = try Broadcast.shape([condition.shape, x.shape, y.shape])
            let c = Broadcast.sourceIndices(of: condition.shape, in: shape)
            let xi = Broadcast.sourceIndices(of: x.shape, in: shape)
            let yi = Broadcast.sourceIndices(of: y.shape, in: shape)
            switch (x.storage, y.storage) {
            case (.string(let a), .string(let b)):
                return [Tensor(shape: shape, storage: .string(c.indices.map { flags[c[$0]] ? a[xi[$0]] : b[yi[$0]] }))]
            case (.int64(let a), .int64(let b)):
                return [Tensor(shape: shape, storage: .int64(c.indices.map { flags[c[$0]] ? a[xi[$0]] : b[yi[$0]] }))]
            case (.double(let a), .double(let b)):
                return [Tensor(shape: shape, storage: .double(c.indices.map { flags[c[$0]] ? a[xi[$0]] : b[yi[$0]] }))]
            default:
                let a = x.floats
                let b = y.floats
                return [Tensor(shape: shape, storage: .float(c.indices.map { flags[c[$0]] ? a[xi[$0]] : b[yi[$0]] }))]
            }
        }
    }

    static func cast(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let code = try attributes.int("to")
        guard let target = TensorConversion.elementType(Int32(clamping: code)) else {
            throw attributes.unsupported("casting to element type \(code)")
        }
        return ClosureOperator { inputs in
            let x = try input(inputs, 0, attributes)
            let storage: Tensor.Storage
            switch target {
            case .float: storage = .float(x.floats)
            case .double: storage = .double(x.doubles)
            case .int64: storage = .int64(x.int64s)
            case .string: storage = .string(x.strings)
            case .bool: storage = .bool(x.doubles.map { $0 != 0 })
            }
            return [Tensor(shape: x.shape, storage: storage)]
        }
    }
}
