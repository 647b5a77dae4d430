import SkiffInference

extension Tensor {
    /// Stacks tensors of the same element type and trailing shape along the first dimension.
    /// - Returns: nil when the element types or trailing dimensions differ (the caller then runs them one by one).
    static func concatenated(_ parts: [Tensor]) -> Tensor? {
        guard let first = parts.first else { return nil }
        if parts.count == 1 { return first }
        let trailing = Array(first.shape.dropFirst())
        var rows = 0
        for part in parts {
            guard Array(part.shape.dropFirst()) == trailing, part.elementType == first.elementType else { return nil }
            rows += part.shape.first ?? 1
        }
        let storage: Storage
        switch first.storage {
        case .double:
            storage = .double(joined(parts) { if case .double(let v) = $0 { v } else { [] } })
        case .float:
            storage = .float(joined(parts) { if case .float(let v) = $0 { v } else { [] } })
        case .int64:
            storage = .int64(joined(parts) { if case .int64(let v) = $0 { v } else { [] } })
        case .string:
            storage = .string(joined(parts) { if case .string(let v) = $0 { v } else { [] } })
        case .bool:
            storage = .bool(joined(parts) { if case .bool(let v) = $0 { v } else { [] } })
        }
        return Tensor(shape: [rows] + trailing, storage: storage)
    }

    private static func joined<Element>(_ parts: [Tensor], _ values: (Storage) -> [Element]) -> [Element] {
        var result = [Element]()
        result.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { result.append(contentsOf: values(part.storage)) }
        return result
    }

    /// The rows `range` of a tensor whose first dimension is `totalRows` rows.
    /// - Returns: nil when the element count is not a multiple of `totalRows`.
    func rows(_ range: Range<Int>, of totalRows: Int) -> Tensor? {
        if range.lowerBound == 0 && range.upperBound == totalRows { return self }
        guard totalRows > 0, count % totalRows == 0 else { return nil }
        let width = count / totalRows
        let elements = range.lowerBound * width..<range.upperBound * width
        var shape = self.shape
        if shape.isEmpty { shape = [range.count] } else { shape[0] = range.count }
        switch storage {
        case .double(let v): return Tensor(shape: shape, storage: .double(Array(v[elements])))
        case .float(let v): return Tensor(shape: shape, storage: .float(Array(v[elements])))
        case .int64(let v): return Tensor(shape: shape, storage: .int64(Array(v[elements])))
        case .string(let v): return Tensor(shape: shape, storage: .string(Array(v[elements])))
        case .bool(let v): return Tensor(shape: shape, storage: .bool(Array(v[elements])))
        }
    }
}
