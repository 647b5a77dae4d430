import Foundation
import Testing

@testable import SkiffTables

/// Files from `ParquetWriter` read back by the Parquet reader; pyarrow reads them in Tests/cli.
@Suite("Parquet writing")
struct ParquetWriterTests {
    /// A table of every type, with missing values, long enough to span pages and row groups.
    static func table(rows: Int) -> (Schema, [Column]) {
        var random = SeededGenerator(seed: 11)
        var validity = Validity(capacity: rows)
        for i in 0..<rows { validity.append(i % 5 != 3) }
        let words = ["alpha", "βeta", "", "a much longer value with spaces, and a comma"]
        let schema = Schema([
            Field(name: "i", type: .int64), Field(name: "x", type: .float64), Field(name: "f", type: .float32),
            Field(name: "b", type: .boolean), Field(name: "s", type: .string), Field(name: "dense", type: .float64),
        ])
        let columns = [
            Column(.int64((0..<rows).map { Int64($0) * 7_919 - 1_000_000 }), validity: validity),
            Column(.float64((0..<rows).map { _ in Double(bitPattern: random.next() >> 2) }), validity: validity),
            Column(.float32((0..<rows).map { Float($0) / 3 }), validity: validity),
            Column(.boolean((0..<rows).map { $0 % 3 == 0 }), validity: validity),
            Column(
                .string(DictionaryStrings(interning: (0..<rows).map { words[$0 % words.count] })), validity: validity),
            Column(.float64((0..<rows).map { Double($0) * 0.5 })),
        ]
        return (schema, columns)
    }

    static func slice(_ columns: [Column], _ range: Range<Int>) -> [Column] {
        columns.map { column in
            var validity = Validity(capacity: range.count)
            for i in range { validity.append(column.isValid(i)) }
            let values: ColumnValues
            switch column.values {
            case .int64(let v): values = .int64(Array(v[range]))
            case .float64(let v): values = .float64(Array(v[range]))
            case .float32(let v): values = .float32(Array(v[range]))
            case .boolean(let v): values = .boolean(Array(v[range]))
            case .string(let s):
                values = .string(DictionaryStrings(dictionary: s.dictionary, indices: Array(s.indices[range])))
            }
            return Column(values, validity: validity)
        }
    }

    @Test(
        "Every type and missing value round-trips through every codec, across pages and row groups",
        arguments: ParquetCompression.allCases)
    func roundTrip(_ compression: ParquetCompression) throws {
        let scratch = try ScratchDirectory()
        let rows = 300_000
        let (schema, columns) = Self.table(rows: rows)
        let path = scratch.url.appendingPathComponent("t.parquet").path
        let writer = try ParquetWriter(path: path, schema: schema, compression: compression, rowGroupRows: 120_000)
        var start = 0
        for size in [1, 9_999, 150_000, rows] where start < rows {
            let end = min(rows, start + size)
            try writer.write(
                RecordBatch(
                    schema: schema, columns: Self.slice(columns, start..<end), rowCount: end - start, firstRow: start))
            start = end
        }
        try writer.close()

        let reader = try Tables.open(path: path, options: ReadOptions(batchRows: 65_536))
        #expect(reader.schema == schema)
        var row = 0
        var groups = Set<Int>()
        while let batch = try reader.nextBatch() {
            for (k, column) in batch.columns.enumerated() {
                let wrong = (0..<batch.rowCount).first { i in
                    column.isValid(i) != columns[k].isValid(row + i)
                        || column.string(at: i) != columns[k].string(at: row + i)
                }
                #expect(wrong == nil, "\(schema.fields[k].name) row \(row + (wrong ?? 0))")
            }
            row += batch.rowCount
            groups.insert(row / 120_000)
        }
        #expect(row == rows && groups.count == 3)
    }

    @Test("An empty table is a valid file with its schema and no rows; a batch of other columns is refused")
    func emptyAndMismatched() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.url.appendingPathComponent("empty.parquet").path
        let schema = Schema([Field(name: "a", type: .int64), Field(name: "b", type: .string)])
        let writer = try ParquetWriter(path: path, schema: schema)
        do {
            try writer.write(
                RecordBatch(
                    schema: Schema([Field(name: "a", type: .float64)]), columns: [Column(.float64([1]))], rowCount: 1,
                    firstRow: 0))
            Issue.record("a batch of other columns was written")
        } catch {
            #expect(error.code == .invalidValue && error.message.contains("a float64"))
        }
        try writer.close()
        let reader = try Tables.open(path: path)
        #expect(reader.schema == schema)
        #expect(try reader.nextBatch() == nil)
        #expect(throws: TableError.self) {
            try ParquetWriter(
                path: path, schema: Schema([Field(name: "a", type: .int64), Field(name: "a", type: .int64)]))
        }
        #expect(throws: TableError.self) {
            try ParquetWriter(path: scratch.url.path + "/no/such/dir/x.parquet", schema: schema)
        }
    }
}
