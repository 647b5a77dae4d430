import SkiffInference

/// Turns a decoded request into the tensors a model reads, checking it against the model's inputs.
enum ModelFeeds {
    /// Binds a request to a model's inputs.
    /// - Parameters:
    ///   - payload: The decoded request.
    ///   - inputs: The inputs of the model version that will run it.
    /// - Returns: One tensor per model input, keyed by input name, with the request's row count first.
    /// - Throws: `ServingError` `badRequest` naming the missing column, the input or the cell at fault.
    static func build(_ payload: ScoringPayload, for inputs: [ModelInput]) throws(ServingError) -> [String: Tensor] {
        switch payload {
        case .frame(let frame):
            return try feeds(frame, inputs)
        case .matrix(let matrix):
            guard inputs.count == 1, let only = inputs.first else {
                throw .badRequest(
                    "The model has several named inputs (" + inputs.map(\.name).joined(separator: ", ")
                        + "): send named columns (dataframe_split, dataframe_records) or named tensors.")
            }
            return [only.name: try tensor(matrix, for: only)]
        case .tensors(let tensors):
            let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
            if inputs.allSatisfy({ byName[$0.name] != nil }) {
                var result = [String: Tensor]()
                for input in inputs { result[input.name] = try tensor(byName[input.name]!, for: input) }
                return result
            }
            // Otherwise each tensor is one column (MLServer's tabular convention, MLflow's columnar inputs).
            guard tensors.allSatisfy({ $0.shape.count == 1 || ($0.shape.count == 2 && $0.shape[1] == 1) }) else {
                throw .badRequest(
                    "The tensors (" + tensors.map(\.name).joined(separator: ", ")
                        + ") do not match the model inputs (" + inputs.map(\.name).joined(separator: ", ")
                        + "); send one tensor per model input, or one one-dimensional tensor per column.")
            }
            let rows = tensors.first?.rowCount ?? 0
            var cells = [ScoringPayload.Cell]()
            cells.reserveCapacity(rows * tensors.count)
            for row in 0..<rows {
                for tensor in tensors { cells.append(tensor.cells[row]) }
            }
            let frame = ScoringPayload.Frame(
                columns: tensors.map(\.name), cells: cells, rowCount: rows, origin: "inputs")
            return try feeds(frame, inputs)
        }
    }

    private static func feeds(_ frame: ScoringPayload.Frame, _ inputs: [ModelInput]) throws(ServingError)
        -> [String: Tensor]
    {
        let bindings: [InputBinding]
        do {
            bindings = try InputBinding.bind(inputs, columns: frame.columns)
        } catch {
            throw .badRequest(error.description)
        }
        let width = frame.columns.count
        var result = [String: Tensor]()
        for binding in bindings {
            let shape = [frame.rowCount, binding.columns.count]
            if binding.input.elementType == .string {
                var values = [String]()
                values.reserveCapacity(frame.rowCount * binding.columns.count)
                for row in 0..<frame.rowCount {
                    for column in binding.columns { values.append(text(frame.cells[row * width + column])) }
                }
                result[binding.input.name] = Tensor(shape: shape, storage: .string(values))
                continue
            }
            var values = [Double]()
            values.reserveCapacity(frame.rowCount * binding.columns.count)
            for row in 0..<frame.rowCount {
                for column in binding.columns {
                    guard let value = number(frame.cells[row * width + column]) else {
                        throw .badRequest(
                            "\(frame.origin) row \(row), column '\(frame.columns[column])': expected a number, got "
                                + "'\(text(frame.cells[row * width + column]).prefix(40))'.")
                    }
                    values.append(value)
                }
            }
            result[binding.input.name] = Tensor(shape: shape, storage: .double(values))
        }
        return result
    }

    private static func tensor(_ cells: ScoringPayload.NamedCells, for input: ModelInput) throws(ServingError)
        -> Tensor
    {
        let rows = cells.rowCount
        let width = cells.shape.dropFirst().reduce(1, *)
        if let needed = input.columnCount, needed != width {
            throw .badRequest(
                "\(cells.origin) has \(width) values per row; the model input '\(input.name)' takes \(needed).")
        }
        let shape = [rows, width]
        if input.elementType == .string {
            return Tensor(shape: shape, storage: .string(cells.cells.map(text)))
        }
        var values = [Double]()
        values.reserveCapacity(cells.cells.count)
        for (index, cell) in cells.cells.enumerated() {
            guard let value = number(cell) else {
                throw .badRequest(
                    "\(cells.origin) row \(index / max(width, 1)), element \(index % max(width, 1)): expected a "
                        + "number, got '\(text(cell).prefix(40))'.")
            }
            values.append(value)
        }
        return Tensor(shape: shape, storage: .double(values))
    }

    /// A cell as a number: missing is NaN, booleans 0/1, numeric strings (and "NaN") parse.
    private static func number(_ cell: ScoringPayload.Cell) -> Double? {
        switch cell {
        case .number(let value): value
        case .missing: .nan
        case .bool(let flag): flag ? 1 : 0
        case .string(let text): Double(text)
        }
    }

    private static func text(_ cell: ScoringPayload.Cell) -> String {
        switch cell {
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        case .missing: ""
        case .bool(let flag): flag ? "true" : "false"
        case .string(let text): text
        }
    }
}
