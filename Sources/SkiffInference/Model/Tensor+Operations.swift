import Foundation

extension Tensor {
    /// The elements as `Float`s (ONNX float arithmetic); strings that are not numbers become NaN.
    var floats: [Float] {
        switch storage {
        case .float(let values): values
        case .double(let values): values.map { Float($0) }
        case .int64(let values): values.map { Float($0) }
        case .string(let values): values.map { Float($0) ?? .nan }
        case .bool(let values): values.map { $0 ? 1 : 0 }
        }
    }

    /// The elements as integers (doubles truncated toward zero; NaN and out-of-range become 0).
    var int64s: [Int64] {
        switch storage {
        case .int64(let values): values
        case .float(let values): values.map { $0.isFinite && abs($0) < 9.2e18 ? Int64($0) : 0 }
        case .double(let values): values.map { $0.isFinite && abs($0) < 9.2e18 ? Int64($0) : 0 }
        case .string(let values): values.map { Int64($0) ?? 0 }
        case .bool(let values): values.map { $0 ? 1 : 0 }
        }
    }

    /// The elements as strings.
    var strings: [String] {
        switch storage {
        case .string(let values): values
        default: (0..<count).map { formattedElement($0) }
        }
    }

    /// The number of rows (first dimension) and the number of elements per row.
    var rowsAndColumns: (rows: Int, columns: Int) {
        let rows = shape.first ?? 1
        return (rows, rows == 0 ? 0 : count / max(rows, 1))
    }

    /// Checks that the shape's product equals the element count.
    func validated(_ context: String) throws -> Tensor {
        var product = 1
        for dimension in shape {
            guard dimension >= 0 else { throw InferenceError(.invalidInput, "\(context) has a negative dimension.") }
            product = product.multipliedReportingOverflow(by: dimension).partialValue
        }
        guard product == count else {
            throw InferenceError(.invalidInput, "\(context) has shape \(shape) but \(count) values.")
        }
        return self
    }

    /// A copy with the same shape and new float elements.
    func with(floats values: [Float]) -> Tensor { Tensor(shape: shape, storage: .float(values)) }
}

extension Tensor {
    /// A tensor of `shape` whose elements are this tensor's elements at `indices`.
    func picking(_ indices: [Int], shape: [Int]) -> Tensor {
        switch storage {
        case .float(let values): Tensor(shape: shape, storage: .float(indices.map { values[$0] }))
        case .double(let values): Tensor(shape: shape, storage: .double(indices.map { values[$0] }))
        case .int64(let values): Tensor(shape: shape, storage: .int64(indices.map { values[$0] }))
        case .string(let values): Tensor(shape: shape, storage: .string(indices.map { values[$0] }))
        case .bool(let values): Tensor(shape: shape, storage: .bool(indices.map { values[$0] }))
        }
    }

    /// The same elements with another shape.
    func reshaped(_ shape: [Int]) -> Tensor { Tensor(shape: shape, storage: storage) }
}
