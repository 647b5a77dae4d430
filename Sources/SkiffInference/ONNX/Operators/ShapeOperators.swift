/// ONNX operators that move or select elements without arithmetic.
enum ShapeOperators {
    static func identity(_ attributes: NodeAttributes) -> any ONNXOperator {
        ClosureOperator { inputs in [try ElementwiseOperators.input(inputs, 0, attributes)] }
    }

    /// Resolves a possibly negative axis against a rank.
    static func axis(_ axis: Int, rank: Int, _ attributes: NodeAttributes) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < max(rank, 1) else {
            throw InferenceError(.invalidInput, "Node '\(attributes.node)' (\(attributes.opType)): axis out of range.")
        }
        return resolved
    }

    static func reshape(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let allowZero = try attributes.int("allowzero", default: 0) != 0
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let requested = try ElementwiseOperators.input(inputs, 1, attributes).int64s.map { Int($0) }
            return [try x.reshaped(resolveShape(requested, from: x, allowZero: allowZero, attributes))]
        }
    }

    static func resolveShape(
        _ requested: [Int], from x: Tensor, allowZero: Bool, _ attributes: NodeAttributes
    ) throws -> [Int] {
        var shape = requested
        var inferred: Int?
        for (axis, dimension) in shape.enumerated() {
            if dimension == 0 && !allowZero {
                guard axis < x.shape.count else { throw badShape(attributes) }
                shape[axis] = x.shape[axis]
            } else if dimension == -1 {
                guard inferred == nil else { throw badShape(attributes) }
                inferred = axis
            } else if dimension < 0 {
                throw badShape(attributes)
            }
        }
        if let inferred {
            let known = shape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            guard known > 0, x.count % known == 0 else { throw badShape(attributes) }
            shape[inferred] = x.count / known
        }
        guard shape.reduce(1, *) == x.count else { throw badShape(attributes) }
        return shape
    }

    private static func badShape(_ attributes: NodeAttributes) -> InferenceError {
        InferenceError(.invalidInput, "Node '\(attributes.node)' (\(attributes.opType)) cannot reshape its input.")
    }

    static func flatten(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let requested = try attributes.int("axis", default: 1)
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let axis = requested < 0 ? requested + x.shape.count : requested
            guard axis >= 0, axis <= x.shape.count else { throw badShape(attributes) }
            let outer = x.shape[..<axis].reduce(1, *)
            return [x.reshaped([outer, outer == 0 ? 0 : x.count / outer])]
        }
    }

    static func concat(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let requested = try attributes.int("axis")
        return ClosureOperator { inputs in
            let parts = inputs.compactMap { $0 }
            guard let first = parts.first else { throw badShape(attributes) }
            let rank = first.shape.count
            let axis = try self.axis(requested, rank: rank, attributes)
            var shape = first.shape
            shape[axis] = 0
            for part in parts {
                guard part.shape.count == rank,
                    zip(part.shape, first.shape).enumerated().allSatisfy({
                        $0.offset == axis || $0.element.0 == $0.element.1
                    })
                else {
                    throw InferenceError(
                        .invalidInput, "Node '\(attributes.node)' (Concat): input shapes do not match.")
                }
                shape[axis] += part.shape[axis]
            }
            let outer = first.shape[..<axis].reduce(1, *)
            let inner = first.shape[(axis + 1)...].reduce(1, *)
            // Concatenate as strings of each type: promote to the first part's type.
            var indices = [(part: Int, index: Int)]()
            indices.reserveCapacity(shape.reduce(1, *))
            for o in 0..<outer {
                for (partIndex, part) in parts.enumerated() {
                    let width = part.shape[axis] * inner
                    for i in 0..<width { indices.append((partIndex, o * width + i)) }
                }
            }
            switch first.storage {
            case .string:
                let values = parts.map(\.strings)
                return [Tensor(shape: shape, storage: .string(indices.map { values[$0.part][$0.index] }))]
            case .int64:
                let values = parts.map(\.int64s)
                return [Tensor(shape: shape, storage: .int64(indices.map { values[$0.part][$0.index] }))]
            case .double:
                let values = parts.map(\.doubles)
                return [Tensor(shape: shape, storage: .double(indices.map { values[$0.part][$0.index] }))]
            case .bool:
                let values = parts.map { $0.doubles }
                return [Tensor(shape: shape, storage: .bool(indices.map { values[$0.part][$0.index] != 0 }))]
            case .float:
                let values = parts.map(\.floats)
                return [Tensor(shape: shape, storage: .float(indices.map { values[$0.part][$0.index] }))]
            }
        }
    }

    static func gather(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let requested = try attributes.int("axis", default: 0)
        return ClosureOperator { inputs in
            let data = try ElementwiseOperators.input(inputs, 0, attributes)
            let indicesTensor = try ElementwiseOperators.input(inputs, 1, attributes)
            let axis = try self.axis(requested, rank: data.shape.count, attributes)
            let size = data.shape[axis]
            let selected = try indicesTensor.int64s.map { value -> Int in
                let index = Int(value) < 0 ? Int(value) + size : Int(value)
                guard index >= 0, index < size else {
                    throw InferenceError(.invalidInput, "Node '\(attributes.node)' (Gather): index out of range.")
                }
                return index
            }
            let outer = data.shape[..<axis].reduce(1, *)
            let inner = data.shape[(axis + 1)...].reduce(1, *)
            var positions = [Int]()
            positions.reserveCapacity(outer * selected.count * inner)
            for o in 0..<outer {
                for index in selected {
                    for i in 0..<inner { positions.append((o * size + index) * inner + i) }
                }
            }
            let shape = Array(data.shape[..<axis]) + indicesTensor.shape + Array(data.shape[(axis + 1)...])
            return [data.picking(positions, shape: shape)]
        }
    }

    /// ai.onnx.ml ArrayFeatureExtractor: selects elements along the last axis.
    static func arrayFeatureExtractor(_ attributes: NodeAttributes) -> any ONNXOperator {
        ClosureOperator { inputs in
            let data = try ElementwiseOperators.input(inputs, 0, attributes)
            let selected = try ElementwiseOperators.input(inputs, 1, attributes).int64s.map { Int($0) }
            let last = data.shape.last ?? 1
            guard selected.allSatisfy({ $0 >= 0 && $0 < last }) else {
                throw InferenceError(
                    .invalidInput, "Node '\(attributes.node)' (ArrayFeatureExtractor): index out of range.")
            }
            let outer = last == 0 ? 0 : data.count / last
            var positions = [Int]()
            positions.reserveCapacity(outer * selected.count)
            for o in 0..<outer {
                for index in selected { positions.append(o * last + index) }
            }
            var shape = data.shape.isEmpty ? [1] : data.shape
            shape[shape.count - 1] = selected.count
            if data.shape.count == 1 { shape = [1, selected.count] }
            return [data.picking(positions, shape: shape)]
        }
    }

    static func squeeze(_ attributes: NodeAttributes, unsqueeze: Bool) -> any ONNXOperator {
        let attributeAxes = attributes.ints("axes")?.map { Int($0) }
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let axes = attributeAxes ?? (inputs.count > 1 ? inputs[1]?.int64s.map { Int($0) } : nil)
            var shape = x.shape
            if unsqueeze {
                guard let axes else { throw attributes.missing("axes") }
                let rank = shape.count + axes.count
                for axis in try axes.map({ try self.axis($0, rank: rank, attributes) }).sorted() {
                    shape.insert(1, at: axis)
                }
            } else if let axes {
                for axis in try axes.map({ try self.axis($0, rank: shape.count, attributes) }).sorted(by: >) {
                    guard shape[axis] == 1 else { throw badShape(attributes) }
                    shape.remove(at: axis)
                }
            } else {
                shape.removeAll { $0 == 1 }
            }
            return [x.reshaped(shape)]
        }
    }

    static func shape(_ attributes: NodeAttributes) -> any ONNXOperator {
        ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            return [Tensor(shape: [x.shape.count], storage: .int64(x.shape.map { Int64($0) }))]
        }
    }

    static func constantOfShape(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let value = try attributes.tensor("value") ?? Tensor(shape: [1], storage: .float([0]))
        guard value.count == 1 else { throw attributes.invalid("value") }
        return ClosureOperator { inputs in
            let shape = try ElementwiseOperators.input(inputs, 0, attributes).int64s.map { Int($0) }
            guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) <= 1 << 28 else { throw badShape(attributes) }
            return [value.picking([Int](repeating: 0, count: shape.reduce(1, *)), shape: shape)]
        }
    }

    static func constant(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let value: Tensor
        if let tensor = try attributes.tensor("value") {
            value = tensor
        } else if attributes.has("value_float") {
            value = Tensor(shape: [], storage: .float([try attributes.float("value_float")]))
        } else if let floats = attributes.floats("value_floats") {
            value = Tensor(shape: [floats.count], storage: .float(floats))
        } else if attributes.has("value_int") {
            value = Tensor(shape: [], storage: .int64([Int64(try attributes.int("value_int"))]))
        } else if let ints = attributes.ints("value_ints") {
            value = Tensor(shape: [ints.count], storage: .int64(ints))
        } else if let strings = attributes.strings("value_strings") {
            value = Tensor(shape: [strings.count], storage: .string(strings))
        } else {
            throw attributes.unsupported("a Constant without a value")
        }
        return ClosureOperator { _ in [value] }
    }
}
