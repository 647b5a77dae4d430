/// NumPy-style (multidirectional) broadcasting for ONNX element-wise operators.
enum Broadcast {
    /// The broadcast shape of several operand shapes.
    /// - Throws: `invalidInput` when two dimensions differ and neither is 1.
    static func shape(_ shapes: [[Int]]) throws -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (axis, dimension) in shape.enumerated() {
                let current = result[offset + axis]
                if current == 1 {
                    result[offset + axis] = dimension
                } else if dimension != 1 && dimension != current {
                    throw InferenceError(.invalidInput, "Shapes \(shapes) cannot be broadcast together.")
                }
            }
        }
        return result
    }

    /// For each element of the broadcast result, the index of the corresponding element of an operand.
    static func sourceIndices(of shape: [Int], in result: [Int]) -> [Int] {
        let total = result.reduce(1, *)
        let operandCount = shape.reduce(1, *)
        if shape == result { return Array(0..<total) }
        if operandCount == 1 { return [Int](repeating: 0, count: total) }
        let rank = result.count
        let padded = [Int](repeating: 1, count: rank - shape.count) + shape
        var strides = [Int](repeating: 0, count: rank)
        var step = 1
        for axis in (0..<rank).reversed() {
            strides[axis] = padded[axis] == 1 ? 0 : step
            step *= padded[axis]
        }
        var indices = [Int](repeating: 0, count: total)
        var counter = [Int](repeating: 0, count: rank)
        var source = 0
        for position in 0..<total {
            indices[position] = source
            var axis = rank - 1
            while axis >= 0 {
                counter[axis] += 1
                source += strides[axis]
                if counter[axis] < result[axis] { break }
                source -= strides[axis] * counter[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
        return indices
    }

    /// True when `shape`, without its leading 1s, equals the trailing dimensions of `result`.
    private static func isTrailing(_ shape: [Int], of result: [Int]) -> Bool {
        let trimmed = Array(shape.drop { $0 == 1 })
        return Array(result.suffix(trimmed.count)) == trimmed
    }

    /// Applies `body` element-wise over two broadcast operands.
    static func apply<A, B, R>(
        _ a: [A], _ aShape: [Int], _ b: [B], _ bShape: [Int], _ body: (A, B) -> R
    ) throws -> (values: [R], shape: [Int]) {
        let result = try shape([aShape, bShape])
        if aShape == bShape {
            let values = [R](unsafeUninitializedCapacity: a.count) { buffer, initialized in
                for index in 0..<a.count { (buffer.baseAddress! + index).initialize(to: body(a[index], b[index])) }
                initialized = a.count
            }
            return (values, result)
        }
        let total = result.reduce(1, *)
        // Fast path: `b` broadcasts over the leading dimensions of `a` (a bias row), or is a scalar.
        if aShape == result, !b.isEmpty, total % b.count == 0,
            isTrailing(bShape, of: result) || b.count == 1
        {
            let width = b.count
            let values = [R](unsafeUninitializedCapacity: total) { buffer, initialized in
                var index = 0
                while index < total {
                    for column in 0..<width {
                        (buffer.baseAddress! + index).initialize(to: body(a[index], b[column]))
                        index += 1
                    }
                }
                initialized = total
            }
            return (values, result)
        }
        // The mirror image: `a` is the scalar or the row broadcast over `b`.
        if bShape == result, !a.isEmpty, total % a.count == 0,
            isTrailing(aShape, of: result) || a.count == 1
        {
            let width = a.count
            let values = [R](unsafeUninitializedCapacity: total) { buffer, initialized in
                var index = 0
                while index < total {
                    for column in 0..<width {
                        (buffer.baseAddress! + index).initialize(to: body(a[column], b[index]))
                        index += 1
                    }
                }
                initialized = total
            }
            return (values, result)
        }
        let aIndices = sourceIndices(of: aShape, in: result)
        let bIndices = sourceIndices(of: bShape, in: result)
        var values = [R]()
        values.reserveCapacity(total)
        for index in 0..<total { values.append(body(a[aIndices[index]], b[bIndices[index]])) }
        return (values, result)
    }
}
