import Foundation

/// ONNX matrix and reduction operators: MatMul, Gemm, Softmax, ArgMax, ReduceSum, ReduceProd.
enum MatrixOperators {
    /// `c[n×m] = a[n×k] · b[k×m]` (row-major, optionally transposed operands), spread over `pool` for large `n`.
    static func multiply(
        _ a: [Float], _ b: [Float], n: Int, k: Int, m: Int, transposeA: Bool, transposeB: Bool, pool: ComputePool
    ) -> [Float] {
        var c = [Float](repeating: 0, count: n * m)
        let bRowMajor: [Float]
        if transposeB {
            var t = [Float](repeating: 0, count: k * m)
            for j in 0..<m { for p in 0..<k { t[p * m + j] = b[j * k + p] } }
            bRowMajor = t
        } else {
            bRowMajor = b
        }
        c.withUnsafeMutableBufferPointer { output in
            a.withUnsafeBufferPointer { left in
                bRowMajor.withUnsafeBufferPointer { right in
                    let outputAddress = UInt(bitPattern: output.baseAddress)
                    let leftAddress = UInt(bitPattern: left.baseAddress)
                    let rightAddress = UInt(bitPattern: right.baseAddress)
                    let rowsPerChunk = 64
                    let chunks = (n + rowsPerChunk - 1) / rowsPerChunk
                    let work = n * k * m
                    let body: @Sendable (Int) -> Void = { chunk in
                        guard let out = UnsafeMutablePointer<Float>(bitPattern: outputAddress),
                            let a = UnsafePointer<Float>(bitPattern: leftAddress),
                            let b = UnsafePointer<Float>(bitPattern: rightAddress)
                        else { return }
                        let rows = chunk * rowsPerChunk..<min(n, (chunk + 1) * rowsPerChunk)
                        multiplyRows(rows, a, b, out, n: n, k: k, m: m, transposeA: transposeA)
                    }
                    if work >= 1 << 20 {
                        pool.forEachChunk(chunks, body)
                    } else {
                        for chunk in 0..<chunks { body(chunk) }
                    }
                }
            }
        }
        return c
    }

    /// Rows `rows` of `out = a · b` (b row-major `k × m`), 32 output columns at a time in four SIMD8 accumulators
    /// held in registers across the whole `k` loop; leftover columns scalar.
    @inline(__always)
    private static func multiplyRows(
        _ rows: Range<Int>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        n: Int, k: Int, m: Int, transposeA: Bool
    ) {
        let rawB = UnsafeRawPointer(b)
        for i in rows {
            let row = out + i * m
            var j = 0
            while j + 32 <= m {
                var acc0 = SIMD8<Float>()
                var acc1 = SIMD8<Float>()
                var acc2 = SIMD8<Float>()
                var acc3 = SIMD8<Float>()
                for p in 0..<k {
                    let scale = SIMD8<Float>(repeating: transposeA ? a[p * n + i] : a[i * k + p])
                    let base = (p * m + j) * MemoryLayout<Float>.stride
                    acc0 += scale * rawB.loadUnaligned(fromByteOffset: base, as: SIMD8<Float>.self)
                    acc1 += scale * rawB.loadUnaligned(fromByteOffset: base + 32, as: SIMD8<Float>.self)
                    acc2 += scale * rawB.loadUnaligned(fromByteOffset: base + 64, as: SIMD8<Float>.self)
                    acc3 += scale * rawB.loadUnaligned(fromByteOffset: base + 96, as: SIMD8<Float>.self)
                }
                let target = UnsafeMutableRawPointer(row + j)
                target.storeBytes(of: acc0, as: SIMD8<Float>.self)
                (target + 32).storeBytes(of: acc1, as: SIMD8<Float>.self)
                (target + 64).storeBytes(of: acc2, as: SIMD8<Float>.self)
                (target + 96).storeBytes(of: acc3, as: SIMD8<Float>.self)
                j += 32
            }
            while j + 8 <= m {
                var acc = SIMD8<Float>()
                for p in 0..<k {
                    let scale = SIMD8<Float>(repeating: transposeA ? a[p * n + i] : a[i * k + p])
                    acc += scale * rawB.loadUnaligned(fromByteOffset: (p * m + j) * 4, as: SIMD8<Float>.self)
                }
                UnsafeMutableRawPointer(row + j).storeBytes(of: acc, as: SIMD8<Float>.self)
                j += 8
            }
            while j < m {
                var sum: Float = 0
                for p in 0..<k { sum += (transposeA ? a[p * n + i] : a[i * k + p]) * b[p * m + j] }
                row[j] = sum
                j += 1
            }
        }
    }

    static func matMul(_ attributes: NodeAttributes) -> any ONNXOperator {
        ONNXMatMul(attributes: attributes)
    }

    struct ONNXMatMul: ONNXOperator {
        let attributes: NodeAttributes

        func run(_ inputs: [Tensor?], pool: ComputePool) throws -> [Tensor] {
            let a = try ElementwiseOperators.input(inputs, 0, attributes)
            let b = try ElementwiseOperators.input(inputs, 1, attributes)
            guard a.shape.count >= 1, b.shape.count == 2, let k = a.shape.last, k == b.shape[0] else {
                throw InferenceError(
                    .invalidInput, "Node '\(attributes.node)' (MatMul): shapes \(a.shape) and \(b.shape) do not fit.")
            }
            let n = k == 0 ? 0 : a.count / k
            let m = b.shape[1]
            let values = multiply(
                a.floats, b.floats, n: n, k: k, m: m, transposeA: false, transposeB: false, pool: pool)
            return [Tensor(shape: Array(a.shape.dropLast()) + [m], storage: .float(values))]
        }
    }

    struct ONNXGemm: ONNXOperator {
        let attributes: NodeAttributes
        let alpha: Float
        let beta: Float
        let transposeA: Bool
        let transposeB: Bool

        init(_ attributes: NodeAttributes) throws {
            self.attributes = attributes
            alpha = try attributes.float("alpha", default: 1)
            beta = try attributes.float("beta", default: 1)
            transposeA = try attributes.int("transA", default: 0) != 0
            transposeB = try attributes.int("transB", default: 0) != 0
        }

        func run(_ inputs: [Tensor?], pool: ComputePool) throws -> [Tensor] {
            let a = try ElementwiseOperators.input(inputs, 0, attributes)
            let b = try ElementwiseOperators.input(inputs, 1, attributes)
            guard a.shape.count == 2, b.shape.count == 2 else {
                throw InferenceError(.invalidInput, "Node '\(attributes.node)' (Gemm) needs 2-D operands.")
            }
            let (n, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
            let (k2, m) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
            guard k == k2 else {
                throw InferenceError(.invalidInput, "Node '\(attributes.node)' (Gemm): inner dimensions differ.")
            }
            var values = multiply(
                a.floats, b.floats, n: n, k: k, m: m, transposeA: transposeA, transposeB: transposeB, pool: pool)
            if alpha != 1 { for index in values.indices { values[index] *= alpha } }
            if inputs.count > 2, let c = inputs[2] {
                let scaled = c.floats.map { $0 * beta }
                values = try Broadcast.apply(values, [n, m], scaled, c.shape) { $0 + $1 }.values
            }
            return [Tensor(shape: [n, m], storage: .float(values))]
        }
    }

    /// Softmax over `axis`; before opset 13 the input is flattened to 2-D at `axis` (default 1).
    static func softmax(_ attributes: NodeAttributes, opset: Int) throws -> any ONNXOperator {
        let requested = try attributes.int("axis", default: opset >= 13 ? -1 : 1)
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let rank = max(1, x.shape.count)
            let axis = try ShapeOperators.axis(requested, rank: rank, attributes)
            var values = x.doubles
            let (outer, width, inner): (Int, Int, Int)
            if opset >= 13 {
                outer = x.shape[..<axis].reduce(1, *)
                width = x.shape.isEmpty ? 1 : x.shape[axis]
                inner = x.shape.isEmpty ? 1 : x.shape[(axis + 1)...].reduce(1, *)
            } else {
                outer = x.shape[..<axis].reduce(1, *)
                width = outer == 0 ? 0 : x.count / outer
                inner = 1
            }
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * width * inner + i
                    var largest = -Double.infinity
                    for j in 0..<width { largest = max(largest, values[base + j * inner]) }
                    var sum = 0.0
                    for j in 0..<width {
                        let e = exp(values[base + j * inner] - largest)
                        values[base + j * inner] = e
                        sum += e
                    }
                    for j in 0..<width { values[base + j * inner] /= sum }
                }
            }
            if case .double = x.storage { return [Tensor(shape: x.shape, storage: .double(values))] }
            return [x.with(floats: values.map { Float($0) })]
        }
    }

    static func argMax(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let requested = try attributes.int("axis", default: 0)
        let keepDims = try attributes.int("keepdims", default: 1) != 0
        let selectLast = try attributes.int("select_last_index", default: 0) != 0
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let axis = try ShapeOperators.axis(requested, rank: x.shape.count, attributes)
            let values = x.doubles
            let outer = x.shape[..<axis].reduce(1, *)
            let width = x.shape[axis]
            let inner = x.shape[(axis + 1)...].reduce(1, *)
            var result = [Int64]()
            result.reserveCapacity(outer * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = 0
                    for j in 0..<width {
                        let value = values[(o * width + j) * inner + i]
                        let current = values[(o * width + best) * inner + i]
                        if value > current || (selectLast && value == current) { best = j }
                    }
                    result.append(Int64(best))
                }
            }
            var shape = x.shape
            if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
            return [Tensor(shape: shape, storage: .int64(result))]
        }
    }

    static func reduce(_ attributes: NodeAttributes, product: Bool) throws -> any ONNXOperator {
        let attributeAxes = attributes.ints("axes")?.map { Int($0) }
        let keepDims = try attributes.int("keepdims", default: 1) != 0
        let noopWithEmptyAxes = try attributes.int("noop_with_empty_axes", default: 0) != 0
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            var axes = attributeAxes ?? (inputs.count > 1 ? inputs[1]?.int64s.map { Int($0) } : nil) ?? []
            if axes.isEmpty {
                if noopWithEmptyAxes { return [x] }
                axes = Array(0..<x.shape.count)
            }
            let resolved = Set(try axes.map { try ShapeOperators.axis($0, rank: x.shape.count, attributes) })
            var shape = x.shape
            for axis in resolved { shape[axis] = 1 }
            let indices = Broadcast.sourceIndices(of: shape, in: x.shape)
            let values = x.doubles
            var result = [Double](repeating: product ? 1 : 0, count: shape.reduce(1, *))
            for (position, target) in indices.enumerated() {
                if product { result[target] *= values[position] } else { result[target] += values[position] }
            }
            let finalShape =
                keepDims ? shape : x.shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
            switch x.storage {
            case .double: return [Tensor(shape: finalShape, storage: .double(result))]
            case .int64: return [Tensor(shape: finalShape, storage: .int64(result.map { Int64($0) }))]
            default: return [Tensor(shape: finalShape, storage: .float(result.map { Float($0) }))]
            }
        }
    }
}
