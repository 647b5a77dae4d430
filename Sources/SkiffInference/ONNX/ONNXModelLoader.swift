import Foundation
import SwiftProtobuf

/// Loads ONNX models (as skl2onnx and onnxmltools write them) into an `ONNXPredictor`.
///
/// Each node becomes a compiled `ONNXOperator`; a node whose operator Skiff does not implement fails the load with
/// `unsupportedOperator` naming the operator and the node. `ZipMap` (which turns probabilities into a sequence of
/// maps) is removed at load: its output carries the probability tensor itself, one column per class. A single 2-D
/// input takes its column names from the `skiff.feature_names` metadata entry (a JSON list) when the model has one.
enum ONNXModelLoader {
    /// Loads a model from the bytes of an `.onnx` file.
    /// - Throws: `unsupportedFormat` when the bytes are not an ONNX model, `corruptModel` for malformed graphs,
    ///   `unsupportedOperator` for operators Skiff does not implement.
    static func load(_ bytes: [UInt8]) throws -> any Predictor {
        let model: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw InferenceError(.unsupportedFormat, "The file is not a valid ONNX model (it does not decode as one).")
        }
        guard model.hasGraph, model.irVersion > 0, !model.graph.output.isEmpty else {
            throw InferenceError(.unsupportedFormat, "The file is not an ONNX model (it has no graph outputs).")
        }
        var opsets = [String: Int]()
        for entry in model.opsetImport {
            opsets[entry.domain == "ai.onnx" ? "" : entry.domain] = Int(clamping: entry.version)
        }
        let graph = model.graph

        var slots = [String: Int]()
        func slot(_ name: String) -> Int {
            if let existing = slots[name] { return existing }
            slots[name] = slots.count
            return slots.count - 1
        }
        var constants = [(Int, Tensor)]()
        var initializerNames = Set<String>()
        for initializer in graph.initializer {
            let tensor = try TensorConversion.tensor(from: initializer, context: "initializer '\(initializer.name)'")
            constants.append((slot(initializer.name), tensor))
            initializerNames.insert(initializer.name)
        }
        var inputs = [ModelInput]()
        var inputSlots = [Int]()
        for input in graph.input where !initializerNames.contains(input.name) {
            guard case .tensorType(let type)? = input.type.value,
                let elementType = TensorConversion.elementType(type.elemType)
            else {
                throw InferenceError(
                    .unsupportedModel, "Input '\(input.name)' is not a tensor of a supported element type.")
            }
            let dims = type.shape.dim
            var columns: Int?
            if dims.count == 2, case .dimValue(let value)? = dims[1].value, value >= 0 { columns = Int(value) }
            if dims.count == 1 { columns = 1 }
            inputs.append(ModelInput(name: input.name, elementType: elementType, columnCount: columns))
            inputSlots.append(slot(input.name))
        }
        if inputs.count == 1, let names = featureNames(model), names.count == inputs[0].columnCount {
            inputs[0].featureNames = names
        }

        var available = Set(slots.keys)
        var steps = [ONNXPredictor.Step]()
        var pending = graph.node
        // Nodes are normally topologically sorted; a few passes order the rest, and a cycle fails.
        while !pending.isEmpty {
            var progressed = false
            var remaining = [Onnx_NodeProto]()
            for node in pending {
                guard node.input.allSatisfy({ $0.isEmpty || available.contains($0) }) else {
                    remaining.append(node)
                    continue
                }
                let op = try ONNXOperatorFactory.make(node, opsets: opsets)
                steps.append(
                    ONNXPredictor.Step(
                        op: op, inputs: node.input.map { $0.isEmpty ? -1 : slot($0) },
                        outputs: node.output.map { $0.isEmpty ? -1 : slot($0) },
                        description: "'\(node.name)' (\(node.opType))"))
                for output in node.output where !output.isEmpty { available.insert(output) }
                progressed = true
            }
            guard progressed else {
                let node = remaining[0]
                let missing = node.input.first { !$0.isEmpty && !available.contains($0) } ?? "?"
                throw InferenceError.corrupt(
                    "Node '\(node.name)' (\(node.opType)) reads '\(missing)', which nothing produces.")
            }
            pending = remaining
        }
        var outputs = [(String, Int)]()
        for output in graph.output {
            guard available.contains(output.name) else {
                throw InferenceError.corrupt("The graph output '\(output.name)' is not produced by any node.")
            }
            outputs.append((output.name, slot(output.name)))
        }
        return ONNXPredictor(
            inputs: inputs, inputSlots: inputSlots, constants: constants, steps: steps, outputs: outputs,
            slotCount: slots.count)
    }

    /// The metadata key under which `skiff convert` records the training columns of a single 2-D input, as a JSON
    /// list of names in column order.
    static let featureNamesKey = "skiff.feature_names"

    /// The column names a model records in its metadata (`skiff.feature_names`), or nil.
    private static func featureNames(_ model: Onnx_ModelProto) -> [String]? {
        guard let entry = model.metadataProps.first(where: { $0.key == featureNamesKey }),
            let names = try? JSONDecoder().decode([String].self, from: Data(entry.value.utf8)), !names.isEmpty
        else { return nil }
        return names
    }
}
