import SkiffJSON

extension ScoringPayload {
    /// The JSON keys of MLflow's scoring protocol; a body holds exactly one of them.
    static let mlflowInputKeys = ["dataframe_split", "dataframe_records", "instances", "inputs"]

    /// Decodes an MLflow `/invocations` JSON body.
    /// - Throws: `ServingError` `badRequest` naming the key or element at fault.
    static func decodeMLflow(_ bytes: [UInt8]) throws(ServingError) -> ScoringPayload {
        let document: JSON
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .badRequest("The body is not valid JSON: \(error.reason) at byte \(error.position).")
        }
        guard case .object(let body) = document else {
            throw .badRequest(
                "The body must be a JSON object with one of the keys "
                    + mlflowInputKeys.joined(separator: ", ")
                    + " (the pre-2.0 format of a bare list or records is no longer accepted).")
        }
        let present = mlflowInputKeys.filter { body[$0] != nil }
        guard present.count == 1, let key = present.first, let value = body[key] else {
            let found = body.keys.map { "'\($0)'" }.joined(separator: ", ")
            throw .badRequest(
                "The body must have exactly one of the keys " + mlflowInputKeys.joined(separator: ", ")
                    + "; it has \(found.isEmpty ? "none" : found).")
        }
        for other in body.keys where other != key && other != "params" {
            throw .badRequest("Unknown key '\(other)': the body takes \(key) and, optionally, params.")
        }
        switch key {
        case "dataframe_split": return .frame(try splitFrame(value))
        case "dataframe_records": return .frame(try recordsFrame(value, origin: "dataframe_records"))
        case "instances": return try instances(value)
        default: return try inputs(value)
        }
    }

    private static func splitFrame(_ value: JSON) throws(ServingError) -> Frame {
        guard case .object(let split) = value else {
            throw .badRequest("dataframe_split must be an object with 'columns' and 'data'.")
        }
        guard case .array(let rows)? = split["data"] else {
            throw .badRequest("dataframe_split.data must be a list of rows.")
        }
        var columns = [String]()
        switch split["columns"] {
        case .array(let names)?:
            for (index, name) in names.enumerated() {
                switch name {
                case .string(let text): columns.append(text)
                case .number(let text): columns.append(text)
                default: throw .badRequest("dataframe_split.columns[\(index)] must be a string.")
                }
            }
        case nil, .null?:
            if case .array(let first)? = rows.first { columns = first.indices.map(String.init) }
        default:
            throw .badRequest("dataframe_split.columns must be a list of column names.")
        }
        var cells = [Cell]()
        cells.reserveCapacity(rows.count * columns.count)
        for (rowIndex, row) in rows.enumerated() {
            guard case .array(let values) = row else {
                throw .badRequest("dataframe_split.data[\(rowIndex)] must be a list of values.")
            }
            guard values.count == columns.count else {
                throw .badRequest(
                    "dataframe_split.data[\(rowIndex)] has \(values.count) values; columns has \(columns.count).")
            }
            for (columnIndex, value) in values.enumerated() {
                cells.append(try cell(value) { "dataframe_split.data[\(rowIndex)][\(columnIndex)]" })
            }
        }
        return Frame(columns: columns, cells: cells, rowCount: rows.count, origin: "dataframe_split.data")
    }

    /// A frame from a list of `{column: value}` objects; a key missing from a row is a missing value.
    static func recordsFrame(_ value: JSON, origin: String) throws(ServingError) -> Frame {
        guard case .array(let records) = value else { throw .badRequest("\(origin) must be a list of objects.") }
        var columns = [String]()
        var positions = [String: Int]()
        var objects = [JSONObject]()
        objects.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            guard case .object(let object) = record else {
                throw .badRequest("\(origin)[\(index)] must be an object of column: value.")
            }
            for key in object.keys where positions[key] == nil {
                positions[key] = columns.count
                columns.append(key)
            }
            objects.append(object)
        }
        var cells = [Cell](repeating: .missing, count: objects.count * columns.count)
        for (rowIndex, object) in objects.enumerated() {
            for (key, value) in object.members {
                guard let column = positions[key] else { continue }
                cells[rowIndex * columns.count + column] = try cell(value) { "\(origin)[\(rowIndex)].\(key)" }
            }
        }
        return Frame(columns: columns, cells: cells, rowCount: objects.count, origin: origin)
    }

    private static func instances(_ value: JSON) throws(ServingError) -> ScoringPayload {
        guard case .array(let items) = value else { throw .badRequest("instances must be a list.") }
        if case .object? = items.first { return .frame(try recordsFrame(value, origin: "instances")) }
        return .matrix(try tensor(value, name: "", origin: "instances"))
    }

    private static func inputs(_ value: JSON) throws(ServingError) -> ScoringPayload {
        switch value {
        case .object(let named):
            var tensors = [NamedCells]()
            for (name, member) in named.members {
                tensors.append(try tensor(member, name: name, origin: "inputs.\(name)"))
            }
            guard let rows = tensors.first?.rowCount else { throw .badRequest("inputs has no tensors.") }
            for tensor in tensors where tensor.rowCount != rows {
                throw .badRequest(
                    "inputs.\(tensor.name) has \(tensor.rowCount) rows; inputs.\(tensors[0].name) has \(rows).")
            }
            return .tensors(tensors)
        case .array:
            return .matrix(try tensor(value, name: "", origin: "inputs"))
        default:
            throw .badRequest("inputs must be a list of rows or an object of named tensors.")
        }
    }

    /// A rectangular nested list as a tensor; a scalar is a tensor of shape [1].
    static func tensor(_ value: JSON, name: String, origin: String) throws(ServingError) -> NamedCells {
        var shape = [Int]()
        var probe = value
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        if shape.isEmpty { shape = [1] }
        var cells = [Cell]()
        cells.reserveCapacity(shape.reduce(1, *))
        try flatten(value, depth: 0, shape: shape, into: &cells, path: origin)
        return NamedCells(name: name, shape: shape, cells: cells, origin: origin)
    }

    private static func flatten(
        _ value: JSON, depth: Int, shape: [Int], into cells: inout [Cell], path: String
    ) throws(ServingError) {
        if depth == shape.count || (depth == 0 && shape == [1] && !isArray(value)) {
            cells.append(try cell(value) { path })
            return
        }
        guard case .array(let items) = value else {
            throw .badRequest("\(path) must be a list of \(shape[depth]) values, like its siblings.")
        }
        guard items.count == shape[depth] else {
            throw .badRequest("\(path) has \(items.count) values; the rows before it have \(shape[depth]).")
        }
        for (index, item) in items.enumerated() {
            try flatten(item, depth: depth + 1, shape: shape, into: &cells, path: "\(path)[\(index)]")
        }
    }

    private static func isArray(_ value: JSON) -> Bool {
        if case .array = value { return true }
        return false
    }

    /// One scalar cell; a list or object where a value belongs is an error naming its place.
    static func cell(_ value: JSON, path: () -> String) throws(ServingError) -> Cell {
        switch value {
        case .number(let text): return .number(DecimalParsing.double(text) ?? .nan)
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .null: return .missing
        case .array, .object: throw .badRequest("\(path()) must be a single value, not a list or object.")
        }
    }
}
