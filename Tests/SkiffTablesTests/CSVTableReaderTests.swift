import Foundation
import Testing

@testable import SkiffTables

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a whole table as text cells (nil for missing) with its final schema.
func readAll(_ path: String, _ options: ReadOptions = ReadOptions()) throws -> (Schema, [[String?]], ReadReport) {
    let reader = try Tables.open(path: path, options: options)
    var rows: [[String?]] = []
    try reader.forEachBatch { batch in
        for r in 0..<batch.rowCount { rows.append(batch.columns.map { $0.string(at: r) }) }
    }
    return (reader.schema, rows, reader.report)
}

@Suite("CSV tables")
struct CSVTableReaderTests {
    func csv(_ text: String, _ options: ReadOptions = ReadOptions()) throws -> (Schema, [[String?]], ReadReport) {
        let dir = try ScratchDirectory()
        return try readAll(try dir.write("t.csv", text), options)
    }

    @Test("Quoted fields keep delimiters, escaped quotes and line breaks; CRLF and no final newline work")
    func quoting() throws {
        let (_, rows, _) = try csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",3\r\n\"two\nlines\",q,5")
        #expect(rows == [["x, y", "say \"hi\"", "3"], ["two\nlines", "q", "5"]])
    }

    @Test("A quote inside an unquoted field is text; text after a closing quote is kept")
    func strayQuotes() throws {
        let (_, rows, _) = try csv("h,w\n5'10\",1\n\"ab\"cd,2\n")
        #expect(rows == [["5'10\"", "1"], ["abcd", "2"]])
    }

    @Test("A byte order mark is skipped, blank lines are skipped, pandas' missing markers are missing")
    func missingAndBlank() throws {
        let (schema, rows, _) = try csv("\u{FEFF}a,b\n\n1,NA\n\n2,\n3,null\n4,x\n")
        #expect(schema.names == ["a", "b"])
        #expect(rows == [["1", nil], ["2", nil], ["3", nil], ["4", "x"]])
    }

    @Test("Types are inferred as pandas would: int64, float64, boolean, string; all-missing is float64")
    func inference() throws {
        let (schema, rows, _) = try csv("i,f,b,s,m\n1,1.5,True,a,\n-2,2,false,1,NA\n")
        #expect(schema.fields.map(\.type) == [.int64, .float64, .boolean, .string, .float64])
        #expect(rows[1] == ["-2", "2.0", "False", "1", nil])
    }

    @Test("An inferred integer column widens to float64 when a later row has a fraction")
    func widening() throws {
        var options = ReadOptions(batchRows: 2, inferenceRows: 2)
        options.invalidValues = .fail
        let (schema, rows, _) = try csv("x\n1\n2\n3\n4.5\n99999999999999999999\n", options)
        #expect(schema.fields[0].type == .float64)
        #expect(rows.map { $0[0] } == ["1", "2", "3.0", "4.5", "1e+20"])
    }

    @Test("A value of the wrong type names the file, line, column and value; lenient reading counts it")
    func invalidValues() throws {
        let text = "x,y\n1,a\n2,b\n\"multi\nline\",c\nabc,d\n"
        let strict = ReadOptions(types: ["x": .float64])
        #expect {
            try csv(text, strict)
        } throws: { error in
            let e = error as? TableError
            return e?.code == .invalidValue
                && e!.message.hasSuffix(", line 4, column 'x': 'multi?line' is not a number")
        }
        var lenient = strict
        lenient.invalidValues = .treatAsMissing
        let (_, rows, report) = try csv(text, lenient)
        #expect(rows.map { $0[0] } == ["1.0", "2.0", nil, nil])
        #expect(report.invalidValues == ["x": 2])
        #expect(report.invalidExamples["x"] == ["'multi?line' on line 4", "'abc' on line 6"])
    }

    @Test("Ragged rows fail by default; padded, they are counted and their absent fields are missing")
    func raggedRows() throws {
        let text = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n"
        #expect {
            try csv(text)
        } throws: { error in
            (error as? TableError)?.message.hasSuffix("line 3: the row has 2 fields; the header has 3") == true
        }
        let (_, rows, report) = try csv(text, ReadOptions(raggedRows: .pad))
        #expect(rows == [["1", "2", "3"], ["4", "5", nil], ["6", "7", "8"]])
        #expect(report.shortRows == 1 && report.longRows == 1 && report.raggedExamples == [3, 4])
        #expect(report.absentValues == ["c": 1])
    }

    @Test("A quote left open at the end of the file is a malformed record on the line it opened")
    func openQuote() throws {
        #expect {
            try csv("a,b\n1,2\n3,\"four\n5,6\n")
        } throws: { error in
            let e = error as? TableError
            return e?.code == .malformedRecord && e!.message.contains("line 3")
        }
    }

    @Test("Projection keeps the named columns in file order; an unknown name lists the columns")
    func projection() throws {
        let (schema, rows, _) = try csv("a,b,c\n1,x,2\n", ReadOptions(columns: ["c", "a"]))
        #expect(schema.names == ["a", "c"])
        #expect(rows == [["1", "2"]])
        #expect(throws: TableError.self) { try csv("a,b\n1,2\n", ReadOptions(columns: ["z"])) }
    }

    @Test("Batches hold at most batchRows rows and number the rows across the file")
    func batching() throws {
        let dir = try ScratchDirectory()
        let body = (0..<1000).map { "\($0),\($0 % 7)" }.joined(separator: "\n")
        let path = try dir.write("t.csv", "n,m\n" + body + "\n")
        let reader = try Tables.open(path: path, options: ReadOptions(batchRows: 300, inferenceRows: 50))
        var sizes: [Int] = []
        var firsts: [Int] = []
        var values: [Double] = []
        try reader.forEachBatch { batch in
            sizes.append(batch.rowCount)
            firsts.append(batch.firstRow)
            values += batch.columns[0].doubles()
        }
        #expect(sizes == [300, 300, 300, 100])
        #expect(firsts == [0, 300, 600, 900])
        #expect(values == (0..<1000).map(Double.init))
        #expect(reader.report.rows == 1000)
    }

    @Test("A record longer than the read block, and a tab delimiter for .tsv files")
    func longRecordAndTabs() throws {
        let dir = try ScratchDirectory()
        let long = String(repeating: "z", count: 3 << 20)
        let (_, rows, _) = try readAll(try dir.write("t.csv", "a,b\n\(long),1\n"))
        #expect(rows.first?.first??.count == long.count)
        let (schema, tabRows, _) = try readAll(try dir.write("t.tsv", "a\tb\n1,5\t2\n"))
        #expect(schema.names == ["a", "b"] && tabRows == [["1,5", "2"]])
    }

    @Test("An empty file, a missing file and a directory are clear errors")
    func unreadable() throws {
        let dir = try ScratchDirectory()
        #expect { try csv("") } throws: { ($0 as? TableError)?.code == .emptyFile }
        #expect { try readAll("/nonexistent/x.csv") } throws: { ($0 as? TableError)?.code == .unreadableFile }
        #expect { try readAll(dir.url.path) } throws: { ($0 as? TableError)?.code == .unreadableFile }
    }

    @Test("Numbers parse bit for bit as strtod does; malformed numbers are rejected")
    func numbers() throws {
        var rng = SystemRandomNumberGenerator()
        var texts: [String] = []
        for _ in 0..<3000 {
            let digits = Int.random(in: 0...17, using: &rng)
            let whole = Int.random(in: -99_999...99_999, using: &rng)
            let fraction = String(UInt64.random(in: 0...UInt64.max, using: &rng)).prefix(digits)
            texts.append(digits == 0 ? "\(whole)" : "\(whole).\(fraction)")
            texts.append(String(Double.random(in: -1e300...1e300, using: &rng)))
            texts.append(String(Double.random(in: -1...1, using: &rng) * 1e-300))
        }
        texts += ["1e-7", "-0.0", "123456789012345678", "0.1234567890123456789", ".5", "5.", "+3", "inf", "-inf"]
        for text in texts {
            let got = text.utf8CString.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UInt8.self) {
                    TextValues.double(UnsafeBufferPointer(rebasing: $0.dropLast()))
                }
            }
            #expect(got?.bitPattern == strtod(text, nil).bitPattern, "\(text)")
        }
        for spaced in [" 7", "7 ", "\t-2.5 "] {
            var text = spaced
            #expect(text.withUTF8 { TextValues.double($0) } == strtod(spaced, nil), "\(spaced)")
        }
        for bad in ["1.2.3", "12abc", "0x10", "7 x", "--1", "", " ", "e5", "nan", "1e", "."] {
            var text = bad
            #expect(text.withUTF8 { TextValues.double($0) } == nil, "\(bad)")
        }
    }

    @Test("Random fields with delimiters, quotes, CR, LF and long runs round-trip through an RFC 4180 encoding")
    func randomRoundTrip() throws {
        var rng = SeededGenerator(seed: 42)
        let alphabet: [Character] = ["a", "b", ",", "\"", "\n", "\r", " ", "7", "é", "\t"]
        let dir = try ScratchDirectory()
        for round in 0..<40 {
            let width = Int.random(in: 1...6, using: &rng)
            var rows: [[String]] = []
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                rows.append(
                    (0..<width).map { _ in
                        let length = Int.random(in: 1...(round % 4 == 0 ? 40 : 12), using: &rng)
                        return "x" + String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
                    })
            }
            func encode(_ field: String) -> String {
                // By scalar: "\r\n" is one Character, which a Character test would miss.
                field.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }
            let header = (0..<width).map { "c\($0)" }
            let text = ([header] + rows).map { $0.map(encode).joined(separator: ",") }.joined(separator: "\r\n")
            let types = Dictionary(uniqueKeysWithValues: header.map { ($0, ColumnType.string) })
            let (_, read, _) = try readAll(
                try dir.write("r\(round).csv", text), ReadOptions(batchRows: 7, types: types))
            #expect(read == rows.map { $0.map { Optional($0) } }, "round \(round)")
        }
    }
}
