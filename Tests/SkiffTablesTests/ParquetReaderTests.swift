import Foundation
import SkiffJSON
import Testing

@testable import SkiffTables

/// The Parquet reader against files written by pyarrow and pandas (`Fixtures/make_parquet_fixtures.py`), whose
/// values pyarrow read back into `Fixtures/parquet/expected/`.
@Suite("Parquet tables")
struct ParquetReaderTests {
    static let fixtures = [
        "codec_none", "codec_snappy", "codec_zstd", "codec_gzip", "page_v2", "page_v2_plain", "page_v2_uncompressed",
        "plain", "row_groups", "encodings", "encodings_v2", "pandas", "logical", "empty",
    ]

    static func path(_ name: String) -> String { tableFixturePath("parquet/\(name).parquet") }

    /// The expected columns: name, type and per row the value (`.null` for null). SkiffJSON keeps each number's
    /// text, so a double compares bit for bit.
    static func expected(_ name: String) throws -> (rows: Int, columns: [(String, String, [JSON])]) {
        let bytes = try [UInt8](
            Data(contentsOf: URL(fileURLWithPath: tableFixturePath("parquet/expected/\(name).json"))))
        guard case .object(let document) = try JSONParser.parse(bytes),
            case .number(let rows) = document["rows"], let rowCount = Int(rows),
            case .array(let columns) = document["columns"]
        else { throw ExpectedFileError(name: name) }
        return (
            rowCount,
            try columns.map { column in
                guard case .object(let column) = column, case .string(let name) = column["name"],
                    case .string(let type) = column["type"], case .array(let values) = column["values"]
                else { throw ExpectedFileError(name: name) }
                return (name, type, values)
            }
        )
    }

    struct ExpectedFileError: Error { var name: String }

    /// Reads every batch, checking the batches' bounds, and returns the columns joined.
    static func readAll(_ path: String, _ options: ReadOptions = ReadOptions()) throws -> (Schema, [Column]) {
        let reader = try Tables.open(path: path, options: options)
        var columns: [Column] = []
        var rows = 0
        while let batch = try reader.nextBatch() {
            #expect(batch.rowCount <= options.batchRows && batch.rowCount > 0)
            #expect(batch.firstRow == rows)
            rows += batch.rowCount
            columns = columns.isEmpty ? batch.columns : zip(columns, batch.columns).map { $0.appending($1) }
        }
        #expect(reader.report.rows == rows)
        if columns.isEmpty {
            columns = reader.schema.fields.map { Column.empty($0.type) }
        }
        return (reader.schema, columns)
    }

    /// The `TableError` that `body` throws; records an issue when it throws nothing or something else.
    static func tableError(_ what: String, _ body: () throws -> Void) -> TableError? {
        do {
            try body()
            Issue.record("\(what): no error")
        } catch let error as TableError {
            return error
        } catch {
            Issue.record("\(what): \(error) is not a TableError")
        }
        return nil
    }

    /// Whether `actual` row `row` is exactly `expected` (NaN equals NaN, -0.0 differs from 0.0).
    static func matches(_ actual: Column, _ row: Int, _ expected: JSON) -> Bool {
        if expected == .null { return !actual.isValid(row) }
        guard actual.isValid(row) else { return false }
        func same(_ x: Double) -> Bool {
            switch expected {
            case .string("NaN"): return x.isNaN
            case .string("Infinity"): return x == .infinity
            case .string("-Infinity"): return x == -.infinity
            case .number(let text): return Double(text)?.bitPattern == x.bitPattern
            default: return false
            }
        }
        switch actual.values {
        case .int64(let v): return expected == .number(String(v[row]))
        case .float64(let v): return same(v[row])
        case .float32(let v): return same(Double(v[row]))
        case .boolean(let v): return expected == .bool(v[row])
        case .string(let s): return expected == .string(s.dictionary[Int(s.indices[row])])
        }
    }

    static func check(_ name: String, _ options: ReadOptions, columns selected: [String]? = nil) throws {
        let (schema, columns) = try readAll(path(name), options)
        var expected = try Self.expected(name)
        if let selected { expected.columns = expected.columns.filter { selected.contains($0.0) } }
        #expect(schema.names == expected.columns.map(\.0))
        #expect(schema.fields.map(\.type.rawValue) == expected.columns.map(\.1))
        for (column, (name, _, values)) in zip(columns, expected.columns) {
            #expect(column.count == expected.rows)
            let wrong = values.indices.filter { !matches(column, $0, values[$0]) }
            #expect(wrong.isEmpty, "column '\(name)': rows \(wrong.prefix(5)) differ")
        }
    }

    @Test(
        "Every fixture reads back exactly as pyarrow reads it, in one batch per row group or small batches",
        arguments: fixtures)
    func roundTrip(_ name: String) throws {
        try Self.check(name, ReadOptions())
        try Self.check(name, ReadOptions(batchRows: 7))
    }

    @Test("Selected columns come in file order, and an unknown name lists the columns")
    func projection() throws {
        try Self.check(
            "row_groups", ReadOptions(batchRows: 33, columns: ["unique", "i32", "text"]),
            columns: ["unique", "i32", "text"])
        let error = Self.tableError("an unknown column") {
            _ = try Tables.open(path: Self.path("codec_none"), options: ReadOptions(columns: ["id", "nope"]))
        }
        #expect(error?.code == .unknownColumn)
        #expect(error?.message.contains("'nope'") == true)
        #expect(error?.message.contains("id, i32, i64, f32, f64, flag, text") == true)
    }

    @Test("Batches hold at most batchRows rows and never span row groups")
    func batches() throws {
        let reader = try Tables.open(path: Self.path("row_groups"), options: ReadOptions(batchRows: 30))
        var sizes: [Int] = []
        while let batch = try reader.nextBatch() { sizes.append(batch.rowCount) }
        // Row groups of 80, 80, 80 and 60 rows.
        #expect(sizes == [30, 30, 20, 30, 30, 20, 30, 30, 20, 30, 30])
        let whole = try Tables.open(path: Self.path("row_groups"))
        var groups: [Int] = []
        while let batch = try whole.nextBatch() { groups.append(batch.rowCount) }
        #expect(groups == [80, 80, 80, 60])
        #expect(try whole.nextBatch() == nil)
    }

    @Test("A dictionary-encoded chunk's batches reuse its dictionary; a plain chunk's strings are interned")
    func dictionaries() throws {
        let (_, dictionary) = try Self.readAll(Self.path("codec_none"), ReadOptions(columns: ["text"]))
        let (_, plain) = try Self.readAll(Self.path("plain"), ReadOptions(columns: ["text"]))
        for column in [dictionary[0], plain[0]] {
            guard case .string(let strings) = column.values else {
                Issue.record("text is not a string column")
                continue
            }
            #expect(Set(strings.dictionary).count == strings.dictionary.count)
            #expect(strings.dictionary.count <= 7)
        }
    }

    @Test("Declared types convert integers and floats, and reject what does not fit")
    func declaredTypes() throws {
        let (schema, columns) = try Self.readAll(
            Self.path("codec_snappy"), ReadOptions(types: ["i32": .float64, "f32": .float64, "id": .float64]))
        #expect(schema.fields.map(\.type) == [.float64, .float64, .int64, .float64, .float64, .boolean, .string])
        let expected = try Self.expected("codec_snappy").columns
        for (column, values) in [(columns[0], expected[0].2), (columns[1], expected[1].2), (columns[3], expected[3].2)]
        {
            #expect(values.indices.allSatisfy { Self.matches(column, $0, values[$0]) })
        }

        let fractions = Self.tableError("fractions as integers") {
            _ = try Self.readAll(Self.path("codec_snappy"), ReadOptions(types: ["f64": .int64]))
        }
        #expect(fractions?.code == .invalidValue && fractions?.message.contains("column 'f64'") == true)
        let reader = try Tables.open(
            path: Self.path("codec_snappy"),
            options: ReadOptions(types: ["f64": .int64], invalidValues: .treatAsMissing))
        while try reader.nextBatch() != nil {}
        #expect((reader.report.invalidValues["f64"] ?? 0) > 150)
        #expect(reader.report.invalidExamples["f64"]?.count == 3)

        let flags = Self.tableError("numbers as booleans") {
            _ = try Tables.open(path: Self.path("codec_snappy"), options: ReadOptions(types: ["i64": .boolean]))
        }
        #expect(flags?.code == .invalidValue && flags?.message.contains("INT64") == true)
    }

    @Test("Any column reads as text, as pandas prints it; text reads as numbers value by value, as a CSV field would")
    func textConversions() throws {
        let (_, columns) = try Self.readAll(
            Self.path("pandas"), ReadOptions(types: ["age": .string, "score": .string, "member": .string]))
        let expected = try Self.expected("pandas").columns
        for (column, (name, _, values)) in zip(columns, expected) where name != "city" {
            for row in values.indices {
                switch values[row] {
                case .null: #expect(column.string(at: row) == nil)
                case .bool(let b): #expect(column.string(at: row) == (b ? "True" : "False"))
                case .number(let text):
                    let shown = text.contains(".") || text.contains("e") ? Double(text)!.description : text
                    #expect(column.string(at: row) == shown, "\(name) row \(row)")
                default: Issue.record("unexpected \(values[row])")
                }
            }
        }

        let failed = Self.tableError("text as integers") {
            _ = try Self.readAll(Self.path("codec_snappy"), ReadOptions(types: ["text": .int64]))
        }
        #expect(failed?.code == .invalidValue)
        #expect(failed?.message.contains("column 'text'") == true && failed?.message.contains(": row ") == true)
        let lenient = try Tables.open(
            path: Self.path("codec_snappy"),
            options: ReadOptions(types: ["text": .float64], invalidValues: .treatAsMissing))
        var rows = 0
        while let batch = try lenient.nextBatch() {
            let text = try #require(batch.column(named: "text"))
            guard case .float64 = text.values else {
                Issue.record("text was not read as float64")
                break
            }
            // Each value is absent, a missing marker ('', 'None') or not a number.
            #expect(text.missingCount == batch.rowCount)
            rows += batch.rowCount
        }
        #expect(lenient.report.invalidValues["text"] ?? 0 > 0)
        #expect(lenient.report.invalidValues["text"]! <= rows)
    }

    @Test("Nested columns, decimals and fixed-length types are unsupported, naming the column; others still read")
    func unsupported() throws {
        for (file, column, words) in [
            ("nested", "tags", "list"), ("nested", "point", "nested"), ("fixed", "price", "DECIMAL"),
            ("fixed", "hash", "FIXED_LEN_BYTE_ARRAY"),
        ] {
            let error = Self.tableError("\(file).\(column)") {
                _ = try Tables.open(path: Self.path(file), options: ReadOptions(columns: ["flat", column]))
            }
            #expect(error?.code == .unsupportedFeature)
            let message = error?.message ?? ""
            #expect(message.contains("column '\(column)'") && message.contains(words), "\(message)")
            let (schema, columns) = try Self.readAll(Self.path(file), ReadOptions(columns: ["flat"]))
            #expect(schema.names == ["flat"])
            #expect(columns[0].values == .int64([1, 2, 3]))
        }
        #expect(Self.tableError("all of nested") { _ = try Tables.open(path: Self.path("nested")) } != nil)
    }

    @Test("Standard input is refused: Parquet needs random access")
    func standardInput() throws {
        let error = Self.tableError("standard input") { _ = try Tables.open(path: "-", format: .parquet) }
        #expect(error?.code == .unsupportedFormat)
    }

    @Test("Bad magic, a footer length beyond the file and a too-short file are corrupt, naming the file")
    func corruptFooters() throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path("codec_none"))))
        let scratch = try ScratchDirectory()
        var badHead = original
        badHead[0] = UInt8(ascii: "Q")
        var badTail = original
        badTail[badTail.count - 1] = UInt8(ascii: "2")
        var longFooter = original
        longFooter.replaceSubrange((original.count - 8)..<(original.count - 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        var shortFooter = original
        shortFooter.replaceSubrange((original.count - 8)..<(original.count - 4), with: [3, 0, 0, 0])
        for (label, bytes) in [
            ("head", badHead), ("tail", badTail), ("footer", longFooter), ("short footer", shortFooter),
            ("tiny", Array("PAR1PAR1".utf8)), ("empty", []),
        ] {
            let path = try scratch.write("mutated.parquet", Data(bytes))
            let error = Self.tableError(label) { _ = try Self.readAll(path) }
            #expect(error?.code == .corruptFile, "\(label)")
            #expect(error?.message.hasPrefix(path) == true, "\(label): \(String(describing: error))")
        }
    }

    @Test("A lying page or dictionary index names the row group and column")
    func corruptPages() throws {
        // A flipped byte inside the 'text' chunk of a file with one row group.
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path("codec_none"))))
        let scratch = try ScratchDirectory()
        var seen = false
        for offset in stride(from: 4, to: original.count / 2, by: 1) {
            var bytes = original
            bytes[offset] ^= 0xFF
            let path = try scratch.write("mutated.parquet", Data(bytes))
            do {
                _ = try Self.readAll(path)
            } catch let error as TableError {
                guard error.message.contains("row group 0, column '") else { continue }
                #expect(error.code == .corruptFile || error.code == .unsupportedFeature)
                seen = true
            }
        }
        #expect(seen)
    }

    /// Reads a mutated file to its end: batches or a TableError, never a trap; the batches stay bounded.
    static func survive(_ bytes: [UInt8], _ scratch: ScratchDirectory, _ options: ReadOptions) throws -> Bool {
        let path = try scratch.write("mutated.parquet", Data(bytes))
        do {
            let reader = try Tables.open(path: path, format: .parquet, options: options)
            while let batch = try reader.nextBatch() {
                #expect(batch.rowCount <= options.batchRows)
            }
            return true
        } catch {
            return false
        }
    }

    @Test("Every fixture truncated at many lengths is corrupt, never a crash", arguments: fixtures)
    func truncations(_ name: String) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path(name))))
        let scratch = try ScratchDirectory()
        var lengths = Set(stride(from: 0, to: original.count, by: max(1, original.count / 120)))
        lengths.formUnion((max(0, original.count - 40))..<original.count)
        for length in lengths.sorted() {
            let path = try scratch.write("cut.parquet", Data(original.prefix(length)))
            let error = Self.tableError("\(name) cut to \(length) bytes") {
                _ = try Self.readAll(path, ReadOptions(batchRows: 50))
            }
            #expect(error?.code == .corruptFile, "\(name) cut to \(length): \(String(describing: error))")
        }
    }

    @Test("Flipped bytes at many offsets give batches or a TableError, never a crash", arguments: fixtures)
    func flips(_ name: String) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path(name))))
        let scratch = try ScratchDirectory()
        var random = SeededGenerator(seed: UInt64(name.utf8.count) &* 7919)
        let step = max(1, original.count / 200)
        var failures = 0
        var offsets = 0
        for offset in stride(from: 0, to: original.count, by: step) {
            var bytes = original
            let at = min(original.count - 1, offset + Int(random.next() % UInt64(step)))
            bytes[at] ^= [0xFF, 0x01, 0x80, UInt8(truncatingIfNeeded: random.next() | 1)][offsets % 4]
            offsets += 1
            let options = ReadOptions(batchRows: offsets % 2 == 0 ? 65_536 : 17)
            if try !Self.survive(bytes, scratch, options) { failures += 1 }
        }
        #expect(offsets > 100)
        // Most of a fixture is page data, so some flips still read; many must be caught.
        #expect(failures > 0)
    }
}

extension Column {
    /// This column's rows followed by `other`'s, for joining batches in tests.
    func appending(_ other: Column) -> Column {
        var validity = Validity(capacity: count + other.count)
        for i in 0..<count { validity.append(isValid(i)) }
        for i in 0..<other.count { validity.append(other.isValid(i)) }
        switch (values, other.values) {
        case (.int64(let a), .int64(let b)): return Column(.int64(a + b), validity: validity)
        case (.float64(let a), .float64(let b)): return Column(.float64(a + b), validity: validity)
        case (.float32(let a), .float32(let b)): return Column(.float32(a + b), validity: validity)
        case (.boolean(let a), .boolean(let b)): return Column(.boolean(a + b), validity: validity)
        case (.string(let a), .string(let b)):
            var dictionary = a.dictionary
            var indices = a.indices
            for i in 0..<other.count {
                let text = other.isValid(i) ? b.dictionary[Int(b.indices[i])] : nil
                if let text {
                    if let found = dictionary.firstIndex(of: text) {
                        indices.append(Int32(found))
                    } else {
                        dictionary.append(text)
                        indices.append(Int32(dictionary.count - 1))
                    }
                } else {
                    indices.append(0)
                }
            }
            return Column(.string(DictionaryStrings(dictionary: dictionary, indices: indices)), validity: validity)
        default:
            Issue.record("batches disagree on the column's type")
            return self
        }
    }

    static func empty(_ type: ColumnType) -> Column {
        switch type {
        case .int64: Column(.int64([]))
        case .float64: Column(.float64([]))
        case .float32: Column(.float32([]))
        case .boolean: Column(.boolean([]))
        case .string: Column(.string(DictionaryStrings(dictionary: [], indices: [])))
        }
    }
}
