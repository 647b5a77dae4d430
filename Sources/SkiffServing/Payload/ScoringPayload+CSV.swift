import Foundation
import SkiffInference

extension ScoringPayload {
    /// Decodes a `text/csv` body: a header row, then one row per line (pandas' `to_csv` without the index).
    /// Empty fields are missing values; fields that read as numbers are numbers, others strings.
    /// - Throws: `ServingError` `badRequest` for a missing header or a row of the wrong width, naming the line.
    static func decodeCSV(_ bytes: [UInt8]) throws(ServingError) -> ScoringPayload {
        var reader = CSVReader(bytes: bytes)
        guard let header = reader.nextRow() else { throw .badRequest("The CSV body is empty: it needs a header row.") }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var cells = [Cell]()
        var rows = 0
        while let row = reader.nextRow() {
            guard row.count == columns.count else {
                throw .badRequest("CSV line \(reader.line) has \(row.count) fields; the header has \(columns.count).")
            }
            for field in row {
                let text = field.trimmingCharacters(in: .whitespaces)
                if text.isEmpty {
                    cells.append(.missing)
                } else if let number = Double(text) {
                    cells.append(.number(number))
                } else {
                    cells.append(.string(field))
                }
            }
            rows += 1
        }
        return .frame(Frame(columns: columns, cells: cells, rowCount: rows, origin: "CSV"))
    }
}
