import Foundation
import Testing

@testable import SkiffTables

@Suite("JSON Lines tables")
struct JSONLinesTableReaderTests {
    func jsonl(_ text: String, _ options: ReadOptions = ReadOptions()) throws -> (Schema, [[String?]], ReadReport) {
        let dir = try ScratchDirectory()
        return try readAll(try dir.write("t.jsonl", text), options)
    }

    @Test("Types come from the values; absent keys and null are missing; CRLF, BOM and blank lines are fine")
    func basics() throws {
        let text = "\u{FEFF}{\"i\": 1, \"f\": 1.5, \"b\": true, \"s\": \"a\"}\r\n\n{\"i\": -2, \"f\": 2, \"s\": null}\n"
        let (schema, rows, _) = try jsonl(text)
        #expect(schema.fields.map(\.type) == [.int64, .float64, .boolean, .string])
        #expect(rows == [["1", "1.5", "True", "a"], ["-2", "2.0", nil, nil]])
    }

    @Test("Nested objects flatten to dotted names; arrays stay JSON text; escapes and non-ASCII text decode")
    func nesting() throws {
        let text = #"{"a": {"b": 1, "c": {"d": "x"}}, "l": [1, {"k": 2}], "e": "tab\there \u00e9", "u": "ü"}"#
        let (schema, rows, _) = try jsonl(text + "\n")
        #expect(schema.names == ["a.b", "a.c.d", "l", "e", "u"])
        #expect(rows == [["1", "x", #"[1,{"k":2}]"#, "tab\there é", "ü"]])
    }

    @Test("A later line's unknown key is a ragged row; a repeated key keeps its last value, as JSON does")
    func raggedAndRepeated() throws {
        let lines = (0..<5).map { #"{"x": \#($0)}"# } + [#"{"x": 9, "y": 1}"#, #"{"x": 1, "x": 2}"#]
        let text = lines.joined(separator: "\n")
        #expect {
            try jsonl(text, ReadOptions(inferenceRows: 2))
        } throws: { ($0 as? TableError)?.message.contains("line 6: key 'y'") == true }
        let (_, rows, report) = try jsonl(text, ReadOptions(inferenceRows: 2, raggedRows: .pad))
        #expect(rows.map { $0[0] } == ["0", "1", "2", "3", "4", "9", "2"])
        #expect(report.longRows == 1 && report.raggedExamples == [6])
    }

    @Test("A line that is not a JSON object is a malformed record naming its line")
    func malformed() throws {
        for bad in [#"{"x": 1,}"#, "[1, 2]", #"{"x": 01}"#, #"{"x": "unterminated}"#, "{\"x\": \"\u{01}\"}"] {
            #expect {
                try jsonl("{\"x\": 1}\n" + bad + "\n")
            } throws: { error in
                let e = error as? TableError
                return e?.code == .malformedRecord && e!.message.contains("line 2")
            }
        }
    }

    @Test("Wrong-typed values fail with their column, or count as missing when lenient")
    func invalidValues() throws {
        let text = "{\"x\": 1.5}\n{\"x\": \"2.5\"}\n{\"x\": \"abc\"}\n{\"x\": true}\n"
        #expect {
            try jsonl(text, ReadOptions(inferenceRows: 1))
        } throws: { ($0 as? TableError)?.message.hasSuffix("line 3, column 'x': 'abc' is not a number") == true }
        let (_, rows, report) = try jsonl(text, ReadOptions(inferenceRows: 1, invalidValues: .treatAsMissing))
        #expect(rows.map { $0[0] } == ["1.5", "2.5", nil, nil])
        #expect(report.invalidValues == ["x": 2])
    }

    @Test("The fast path for flat lines and the full parser read random lines alike")
    func fastAndFullAgree() throws {
        var rng = SeededGenerator(seed: 7)
        var lines: [String] = []
        for i in 0..<2000 {
            var members = [#""n": \#(Double.random(in: -1e6...1e6, using: &rng))"#, #""i": \#(i)"#]
            members.append(Bool.random(using: &rng) ? #""s": "v\#(i % 13)""# : #""s": null"#)
            if i % 17 == 0 { members.append(#""s2": "esc\"aped""#) }
            if i % 5 == 0 { members.shuffle(using: &rng) }
            lines.append("{" + members.joined(separator: ", ") + "}")
        }
        let text = lines.joined(separator: "\n")
        // With every line sampled, the full parser reads them all; with one, the fast path reads the rest.
        let full = try jsonl(text, ReadOptions(inferenceRows: 5000))
        let fast = try jsonl(text, ReadOptions(batchRows: 333, inferenceRows: 1000))
        #expect(full.0 == fast.0)
        #expect(full.1 == fast.1)
        #expect(full.1.count == 2000)
    }
}
