import SkiffInference
import SkiffTables

/// Writes `skiff predict`'s outputs, one row per input row: CSV with a header, or, when the output file ends in
/// `.parquet` or `.pq`, the same columns in a Parquet file. An output is one column named after it, or
/// `<output>_<i>` for each element of a vector output.
final class PredictionWriter {
    private enum Target {
        case csv(CSVWriter)
        /// The Parquet writer starts with the first batch, whose outputs give its schema.
        case parquet(path: String, ParquetWriter?)
    }

    struct Failure: Error {
        let message: String
    }

    private var target: Target
    private var wroteHeader = false
    private var rowsWritten = 0

    /// Creates `path` (`-` for standard output, always CSV).
    init(path: String) throws(TableError) {
        if path != "-" && TableFormat(path: path) == .parquet {
            target = .parquet(path: path, nil)
        } else {
            target = .csv(try CSVWriter(path: path))
        }
    }

    /// Appends the outputs of a batch of `rowCount` rows.
    func write(_ outputs: [NamedTensor], rowCount: Int) throws {
        for output in outputs where Self.width(output.tensor) * rowCount != output.tensor.count {
            throw Failure(message: "The model's output '\(output.name)' does not have one entry per row.")
        }
        switch target {
        case .csv(let writer):
            if !wroteHeader {
                for output in outputs { for name in Self.names(output) { writer.field(name) } }
                try writer.endRow()
                wroteHeader = true
            }
            try Self.rows(outputs, rowCount: rowCount, into: writer)
        case .parquet(let path, let existing):
            let columns = Self.columns(outputs, rowCount: rowCount)
            let schema = Schema(columns.map(\.field))
            let writer = try existing ?? ParquetWriter(path: path, schema: schema)
            target = .parquet(path: path, writer)
            guard writer.schema == schema else {
                throw Failure(message: "The model's outputs changed type between batches; Parquet needs one schema.")
            }
            try writer.write(
                RecordBatch(schema: schema, columns: columns.map(\.column), rowCount: rowCount, firstRow: rowsWritten))
        }
        rowsWritten += rowCount
    }

    func close() throws {
        switch target {
        case .csv(let writer): try writer.close()
        case .parquet(_, let writer): try writer?.close()
        }
    }

    /// Elements per row: the product of the dimensions after the first.
    private static func width(_ tensor: Tensor) -> Int {
        tensor.shape.count <= 1 ? 1 : tensor.shape.dropFirst().reduce(1, *)
    }

    private static func names(_ output: NamedTensor) -> [String] {
        let width = width(output.tensor)
        if output.tensor.shape.count <= 1 || (output.tensor.shape.count == 2 && width == 1) { return [output.name] }
        return (0..<width).map { "\(output.name)_\($0)" }
    }

    private static func rows(_ outputs: [NamedTensor], rowCount: Int, into writer: CSVWriter) throws {
        let widths = outputs.map { width($0.tensor) }
        for row in 0..<rowCount {
            for (output, width) in zip(outputs, widths) {
                for column in 0..<width { field(output.tensor, element: row * width + column, into: writer) }
            }
            try writer.endRow()
        }
    }

    @inline(__always)
    private static func field(_ tensor: Tensor, element index: Int, into writer: CSVWriter) {
        switch tensor.storage {
        case .float(let values): writer.field(values[index])
        case .double(let values): writer.field(values[index])
        case .int64(let values): writer.field(values[index])
        case .string(let values): writer.field(values[index])
        case .bool(let values): writer.field(values[index] ? "1" : "0")
        }
    }

    /// Each output element as a typed column: float outputs stay float32, labels stay int64 or text.
    private static func columns(_ outputs: [NamedTensor], rowCount: Int) -> [(field: Field, column: Column)] {
        outputs.flatMap { output in
            let width = width(output.tensor)
            return names(output).enumerated().map { c, name in
                let elements = (0..<rowCount).map { $0 * width + c }
                let values: ColumnValues
                switch output.tensor.storage {
                case .float(let v): values = .float32(elements.map { v[$0] })
                case .double(let v): values = .float64(elements.map { v[$0] })
                case .int64(let v): values = .int64(elements.map { v[$0] })
                case .bool(let v): values = .boolean(elements.map { v[$0] })
                case .string(let v): values = .string(DictionaryStrings(interning: elements.map { v[$0] }))
                }
                let column = Column(values)
                return (Field(name: name, type: column.type), column)
            }
        }
    }
}
