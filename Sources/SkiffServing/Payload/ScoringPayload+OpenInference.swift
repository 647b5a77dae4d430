import SkiffJSON

/// A decoded Open Inference Protocol (KServe v2) inference request.
struct OpenInferenceRequest: Sendable {
    /// The client's request id, echoed in the response.
    var id: String?
    /// The input tensors.
    var payload: ScoringPayload
    /// The outputs the client asked for by name; empty means all.
    var requestedOutputs: [String]

    /// The tensor datatypes of the protocol that Skiff reads.
    static let numericTypes: Set<String> = [
        "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64",
    ]

    /// Decodes a `POST /v2/models/{name}/infer` JSON body.
    /// - Throws: `ServingError` `badRequest` naming the input and field at fault.
    static func decode(_ bytes: [UInt8]) throws(ServingError) -> OpenInferenceRequest {
        let document: JSON
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .badRequest("The body is not valid JSON: \(error.reason) at byte \(error.position).")
        }
        guard case .object(let body) = document else { throw .badRequest("The body must be a JSON object.") }
        var id: String?
        switch body["id"] {
        case .string(let text)?: id = text
        case nil, .null?: id = nil
        default: throw .badRequest("id must be a string.")
        }
        guard case .array(let inputs)? = body["inputs"], !inputs.isEmpty else {
            throw .badRequest("inputs must be a non-empty list of tensors {name, shape, datatype, data}.")
        }
        var tensors = [ScoringPayload.NamedCells]()
        for (index, input) in inputs.enumerated() {
            tensors.append(try tensor(input, index: index))
        }
        let rows = tensors[0].rowCount
        for tensor in tensors where tensor.rowCount != rows {
            throw .badRequest(
                "inputs '\(tensor.name)' has \(tensor.rowCount) rows; inputs '\(tensors[0].name)' has \(rows).")
        }
        var requested = [String]()
        if case .array(let outputs)? = body["outputs"] {
            for (index, output) in outputs.enumerated() {
                guard case .object(let object) = output, case .string(let name)? = object["name"] else {
                    throw .badRequest("outputs[\(index)].name must be a string.")
                }
                requested.append(name)
            }
        }
        return OpenInferenceRequest(id: id, payload: .tensors(tensors), requestedOutputs: requested)
    }

    private static func tensor(_ value: JSON, index: Int) throws(ServingError) -> ScoringPayload.NamedCells {
        guard case .object(let input) = value else { throw .badRequest("inputs[\(index)] must be an object.") }
        guard case .string(let name)? = input["name"], !name.isEmpty else {
            throw .badRequest("inputs[\(index)].name must be a non-empty string.")
        }
        let place = "inputs '\(name)'"
        guard case .string(let datatype)? = input["datatype"] else {
            throw .badRequest("\(place): datatype must be a string such as FP32, INT64, BOOL or BYTES.")
        }
        guard case .array(let dims)? = input["shape"], !dims.isEmpty else {
            throw .badRequest("\(place): shape must be a non-empty list of dimensions.")
        }
        var shape = [Int]()
        for dim in dims {
            // JSON has one number type: `2.0` and `2e0` are the integer 2 as much as `2` is.
            guard case .number(let text) = dim,
                let size = Int(text) ?? DecimalParsing.double(text).flatMap(Int.init(exactly:)),
                size >= 0
            else {
                throw .badRequest("\(place): shape must hold non-negative integers.")
            }
            shape.append(size)
        }
        let (count, overflow) = shape.reduce((1, false)) { partial, size in
            let (product, over) = partial.0.multipliedReportingOverflow(by: size)
            return (product, partial.1 || over)
        }
        guard !overflow, count <= 50_000_000 else { throw .badRequest("\(place): shape is too large.") }
        guard let data = input["data"] else { throw .badRequest("\(place): data is missing.") }
        var cells = [ScoringPayload.Cell]()
        cells.reserveCapacity(count)
        try flatten(data, into: &cells, place: place, datatype: datatype, depth: 0)
        guard cells.count == count else {
            throw .badRequest("\(place): data has \(cells.count) elements; shape \(shape) needs \(count).")
        }
        return ScoringPayload.NamedCells(name: name, shape: shape, cells: cells, origin: place)
    }

    /// The deepest nesting of `data` lists accepted: a tensor of rank 4 written out in full (most clients send data flat).
    static let maxDataNesting = 4

    private static func flatten(
        _ value: JSON, into cells: inout [ScoringPayload.Cell], place: String, datatype: String, depth: Int
    ) throws(ServingError) {
        switch value {
        case .array(let items):
            guard depth < maxDataNesting else {
                throw .badRequest("\(place): data is nested more than \(maxDataNesting) lists deep.")
            }
            for item in items {
                try flatten(item, into: &cells, place: place, datatype: datatype, depth: depth + 1)
            }
        case .number(let text) where numericTypes.contains(datatype):
            guard let number = DecimalParsing.double(text) else {
                throw .badRequest("\(place): '\(text)' is not a number.")
            }
            if datatype.hasPrefix("INT") || datatype.hasPrefix("UINT"), number != number.rounded(.towardZero) {
                throw .badRequest("\(place): \(text) is not an integer, as \(datatype) needs.")
            }
            cells.append(.number(number))
        case .string(let text) where datatype == "BYTES":
            cells.append(.string(text))
        case .bool(let flag) where datatype == "BOOL":
            cells.append(.bool(flag))
        case .null where datatype.hasPrefix("FP"):
            cells.append(.missing)
        default:
            guard numericTypes.contains(datatype) || datatype == "BYTES" || datatype == "BOOL" else {
                throw .badRequest(
                    "\(place): datatype \(datatype) is not supported; use BOOL, INT8-64, UINT8-64, FP16-64 or BYTES.")
            }
            throw .badRequest("\(place): data holds a value that is not \(datatype).")
        }
    }
}
