/// One compiled node of an ONNX graph: attributes are parsed and validated at load, `run` only computes.
protocol ONNXOperator: Sendable {
    /// Computes the node's outputs from its inputs (nil for an omitted optional input).
    func run(_ inputs: [Tensor?], pool: ComputePool) throws -> [Tensor]
}

/// An operator defined by a closure, for the many small operators.
struct ClosureOperator: ONNXOperator {
    let body: @Sendable ([Tensor?]) throws -> [Tensor]

    func run(_ inputs: [Tensor?], pool: ComputePool) throws -> [Tensor] {
        try body(inputs)
    }
}
