import Foundation
import SkiffDrift
import Testing

@Suite("CSV reading")
struct CSVReaderTests {
    func records(_ text: String) throws -> [[String]] {
        let dir = try TempDirectory()
        let path = try dir.write("t.csv", text)
        var out: [[String]] = []
        try CSVReader(path: path).forEachRecord { record in
            out.append((0..<record.count).map { record.string($0) })
            return true
        }
        return out
    }

    @Test("Quoted fields keep commas, escaped quotes and line breaks; CRLF and a missing final newline work")
    func quoting() throws {
        let rows = try records("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",3\r\n\"two\nlines\",,5")
        #expect(rows == [["a", "b", "c"], ["x, y", "say \"hi\"", "3"], ["two\nlines", "", "5"]])
    }

    @Test("Empty lines are skipped and trailing empty fields are kept")
    func emptyLines() throws {
        #expect(try records("a,b\n\n1,\n") == [["a", "b"], ["1", ""]])
    }

    @Test("A missing file is an unreadable-file error")
    func missingFile() {
        #expect(throws: DriftError.self) {
            try CSVReader(path: "/nonexistent/skiff.csv").forEachRecord { _ in true }
        }
    }

    @Test("Type inference: numbers (with missing markers) are numerical, anything else categorical")
    func inference() throws {
        let dir = try TempDirectory()
        let path = try dir.write("t.csv", "n,c,m,e\n1.5,a,NaN,\n-2e3,b,3,\nNA,1,,\n")
        let kinds = try LoadedTable.inferTypes(path: path)
        #expect(kinds == ["n": .numerical, "c": .categorical, "m": .numerical, "e": .numerical])
    }
}
