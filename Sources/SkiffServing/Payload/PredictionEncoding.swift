import SkiffInference
import SkiffJSON

/// Writes model outputs in the answer forms of the two protocols.
enum PredictionEncoding {
    /// Writes MLflow's `predictions` value: one element per row, a scalar when the model has a single output
    /// with one value per row, otherwise an object keyed by output name (a list for an output with several
    /// values per row, such as class probabilities).
    static func writeMLflowPredictions(_ outputs: [NamedTensor], rows: Int, into writer: inout JSONWriter) {
        writer.beginArray()
        let widths = outputs.map { rows == 0 ? 0 : $0.tensor.count / rows }
        if outputs.count == 1, widths[0] == 1 {
            for row in 0..<rows { writeElement(outputs[0].tensor, row, into: &writer) }
        } else {
            for row in 0..<rows {
                writer.beginObject()
                for (output, width) in zip(outputs, widths) {
                    writer.key(output.name)
                    if width == 1 {
                        writeElement(output.tensor, row, into: &writer)
                    } else {
                        writer.beginArray()
                        for column in 0..<width { writeElement(output.tensor, row * width + column, into: &writer) }
                        writer.endArray()
                    }
                }
                writer.endObject()
            }
        }
        writer.endArray()
    }

    /// Writes Open Inference Protocol output tensors: `[{name, shape, datatype, data}]`, data flat row-major.
    static func writeOpenInferenceOutputs(_ outputs: [NamedTensor], into writer: inout JSONWriter) {
        writer.beginArray()
        for output in outputs {
            writer.beginObject()
            writer.field("name", output.name)
            writer.key("shape")
            writer.beginArray()
            for dimension in output.tensor.shape { writer.int(Int64(dimension)) }
            writer.endArray()
            writer.field("datatype", datatype(output.tensor.elementType))
            writer.key("data")
            writer.beginArray()
            for index in 0..<output.tensor.count { writeElement(output.tensor, index, into: &writer) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
    }

    /// The Open Inference Protocol datatype of an element type.
    static func datatype(_ type: Tensor.ElementType) -> String {
        switch type {
        case .float: "FP32"
        case .double: "FP64"
        case .int64: "INT64"
        case .string: "BYTES"
        case .bool: "BOOL"
        }
    }

    static func writeElement(_ tensor: Tensor, _ index: Int, into writer: inout JSONWriter) {
        switch tensor.storage {
        case .float(let values): writer.float(values[index])
        case .double(let values): writer.double(values[index])
        case .int64(let values): writer.int(values[index])
        case .string(let values): writer.string(values[index])
        case .bool(let values): writer.bool(values[index])
        }
    }
}
