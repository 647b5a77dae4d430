/// The class labels of an ai.onnx.ml classifier: `classlabels_int64s` or `classlabels_strings`.
enum ClassLabels: Sendable {
    case integers([Int64])
    case strings([String])

    init(_ attributes: NodeAttributes) throws {
        if let strings = attributes.strings("classlabels_strings"), !strings.isEmpty {
            self = .strings(strings)
        } else if let integers = attributes.ints("classlabels_int64s") ?? attributes.ints("classlabels_ints"),
            !integers.isEmpty
        {
            self = .integers(integers)
        } else {
            throw attributes.missing("classlabels_int64s")
        }
    }

    var count: Int {
        switch self {
        case .integers(let values): values.count
        case .strings(let values): values.count
        }
    }

    /// A label tensor of shape `[rows]` from class indices.
    func tensor(_ indices: [Int]) -> Tensor {
        switch self {
        case .integers(let values): Tensor(shape: [indices.count], storage: .int64(indices.map { values[$0] }))
        case .strings(let values): Tensor(shape: [indices.count], storage: .string(indices.map { values[$0] }))
        }
    }
}
