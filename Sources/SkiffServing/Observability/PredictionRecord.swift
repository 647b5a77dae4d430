import Foundation
import SkiffInference
import SkiffJSON

/// One prediction as the prediction log keeps it, for monitoring: what was asked, what was answered, by which
/// version and route, and how long it took. Encoded to JSON by the log's writer, off the request path.
struct PredictionRecord: Sendable {
    var timestamp: Date
    var requestID: String
    var model: String
    var version: String
    var route: ModelRoute.Role
    var latency: Duration
    var inputs: ScoringPayload
    var outputs: [NamedTensor]
    /// For a shadow record: whether it agreed with the primary answer.
    var agreesWithPrimary: Bool?

    /// The number of input and output values the record holds: its weight in the log's buffer.
    var valueCount: Int {
        inputs.cellCount + outputs.reduce(0) { $0 + $1.tensor.count }
    }

    /// One line of newline-delimited JSON.
    func encoded(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("timestamp", Self.format(timestamp))
        writer.field("request_id", requestID)
        writer.field("model", model)
        writer.field("version", version)
        writer.field("route", route.rawValue)
        let components = latency.components
        writer.field("latency_ms", Double(components.seconds) * 1e3 + Double(components.attoseconds) * 1e-15)
        if let agreesWithPrimary { writer.field("agrees_with_primary", agreesWithPrimary) }
        writer.key("inputs")
        Self.write(inputs, into: &writer)
        writer.key("outputs")
        PredictionEncoding.writeMLflowPredictions(outputs, rows: inputs.rowCount, into: &writer)
        writer.endObject()
    }

    private static func write(_ payload: ScoringPayload, into writer: inout JSONWriter) {
        writer.beginObject()
        switch payload {
        case .frame(let frame):
            writer.key("columns")
            writer.beginArray()
            for column in frame.columns { writer.string(column) }
            writer.endArray()
            writer.key("data")
            writer.beginArray()
            let width = frame.columns.count
            for row in 0..<frame.rowCount {
                writer.beginArray()
                for column in 0..<width { write(frame.cells[row * width + column], into: &writer) }
                writer.endArray()
            }
            writer.endArray()
        case .tensors(let tensors):
            for tensor in tensors { write(tensor, named: tensor.name, into: &writer) }
        case .matrix(let matrix):
            write(matrix, named: "instances", into: &writer)
        }
        writer.endObject()
    }

    private static func write(_ tensor: ScoringPayload.NamedCells, named name: String, into writer: inout JSONWriter) {
        writer.key(name)
        writer.beginObject()
        writer.key("shape")
        writer.beginArray()
        for dimension in tensor.shape { writer.int(Int64(dimension)) }
        writer.endArray()
        writer.key("data")
        writer.beginArray()
        for cell in tensor.cells { write(cell, into: &writer) }
        writer.endArray()
        writer.endObject()
    }

    private static func write(_ cell: ScoringPayload.Cell, into writer: inout JSONWriter) {
        switch cell {
        case .number(let value): writer.double(value)
        case .string(let text): writer.string(text)
        case .bool(let flag): writer.bool(flag)
        case .missing: writer.null()
        }
    }

    /// RFC 3339 UTC with milliseconds.
    static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var time = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }
}
