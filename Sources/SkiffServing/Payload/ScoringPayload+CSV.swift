import Foundation
import SkiffInference
import SkiffTables

extension ScoringPayload {
    /// Decodes a `text/csv` body as pandas' `read_csv` would (MLflow's scoring server uses it): a header row,
    /// columns typed from all their values, pandas' missing markers as missing values.
    /// - Throws: `ServingError` `badRequest` for a missing header, a row of the wrong width or a malformed
    ///   quote, naming the line.
    static func decodeCSV(_ bytes: [UInt8]) throws(ServingError) -> ScoringPayload {
        var columns: [String] = []
        var cells = [Cell]()
        var rows = 0
        do {
            // The body is in memory and bounded by the request limit, so every row takes part in typing.
            let options = ReadOptions(batchRows: 1 << 16, inferenceRows: Int.max)
            let reader = try Tables.reader(bytes: bytes, name: "CSV body", format: .csv, options: options)
            columns = reader.schema.names.map { $0.trimmingCharacters(in: .whitespaces) }
            while let batch = try reader.nextBatch() {
                cells.reserveCapacity(cells.count + batch.rowCount * columns.count)
                for row in 0..<batch.rowCount {
                    for column in batch.columns { cells.append(cell(column, row)) }
                }
                rows += batch.rowCount
            }
        } catch {
            if error.code == .emptyFile { throw .badRequest("The CSV body is empty: it needs a header row.") }
            throw .badRequest(error.message)
        }
        return .frame(Frame(columns: columns, cells: cells, rowCount: rows, origin: "CSV"))
    }

    private static func cell(_ column: Column, _ row: Int) -> Cell {
        guard column.isValid(row) else { return .missing }
        switch column.values {
        case .boolean(let values): return .bool(values[row])
        case .string: return .string(column.string(at: row) ?? "")
        default: return column.double(at: row).map(Cell.number) ?? .missing
        }
    }
}
