import Foundation

/// Typed access to an ONNX node's attributes, with errors that name the node.
struct NodeAttributes {
    let node: String
    let opType: String
    private let attributes: [String: Onnx_AttributeProto]

    init(_ node: Onnx_NodeProto) {
        self.node = node.name.isEmpty ? (node.output.first ?? "?") : node.name
        self.opType = node.opType
        var attributes = [String: Onnx_AttributeProto]()
        for attribute in node.attribute { attributes[attribute.name] = attribute }
        self.attributes = attributes
    }

    func has(_ name: String) -> Bool { attributes[name] != nil }

    func int(_ name: String, default value: Int? = nil) throws -> Int {
        if let attribute = attributes[name] {
            guard let result = Int(exactly: attribute.i) else { throw invalid(name) }
            return result
        }
        guard let value else { throw missing(name) }
        return value
    }

    func float(_ name: String, default value: Float? = nil) throws -> Float {
        if let attribute = attributes[name] { return attribute.f }
        guard let value else { throw missing(name) }
        return value
    }

    func string(_ name: String, default value: String? = nil) throws -> String {
        if let attribute = attributes[name] { return String(decoding: attribute.s, as: UTF8.self) }
        guard let value else { throw missing(name) }
        return value
    }

    func ints(_ name: String) -> [Int64]? { attributes[name]?.ints }

    func floats(_ name: String) -> [Float]? { attributes[name]?.floats }

    func strings(_ name: String) -> [String]? {
        attributes[name]?.strings.map { String(decoding: $0, as: UTF8.self) }
    }

    func tensor(_ name: String) throws -> Tensor? {
        guard let attribute = attributes[name], attribute.hasT else { return nil }
        return try TensorConversion.tensor(from: attribute.t, context: "attribute '\(name)' of node '\(node)'")
    }

    /// A list of doubles from `name_as_tensor` (ai.onnx.ml v3) or `name` (floats).
    func doubles(_ name: String) throws -> [Double]? {
        if let tensor = try tensor(name + "_as_tensor") { return tensor.doubles }
        return floats(name)?.map { Double($0) }
    }

    func invalid(_ name: String) -> InferenceError {
        InferenceError.corrupt("Node '\(node)' (\(opType)) has an invalid '\(name)' attribute.")
    }

    func missing(_ name: String) -> InferenceError {
        InferenceError.corrupt("Node '\(node)' (\(opType)) has no '\(name)' attribute.")
    }

    func unsupported(_ what: String) -> InferenceError {
        InferenceError(.unsupportedOperator, "Node '\(node)' (\(opType)): \(what) is not supported.")
    }
}
