import Foundation
import SkiffDrift
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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

@Suite("Number parsing")
struct NumberParsingTests {
    @Test("Fast decimal path and strtod agree bit for bit; malformed numbers are rejected")
    func parsing() throws {
        let dir = try TempDirectory()
        var rng = SystemRandomNumberGenerator()
        var lines = ["x"]
        var expected: [Double] = []
        for _ in 0..<2000 {
            let digits = Int.random(in: 0...9, using: &rng)
            let whole = Int.random(in: -99_999...99_999, using: &rng)
            let frac = String(Int.random(in: 0...999_999_999, using: &rng)).prefix(digits)
            let text = digits == 0 ? "\(whole)" : "\(whole).\(frac)"
            lines.append(text)
            expected.append(strtod(text, nil))
        }
        for text in ["1e-7", "-0.0", "123456789012345678", "0.1234567890123456789", ".5", "5.", "+3"] {
            lines.append(text)
            expected.append(strtod(text, nil))
        }
        for bad in ["1.2.3", "12abc", "0x10", " 7", "--1"] { lines.append(bad) }
        let path = try dir.write("n.csv", lines.joined(separator: "\n") + "\n")
        let table = try LoadedTable.load(path: path, kinds: ["x": .numerical], mode: .exact)
        let column = try #require(table.column(named: "x"))
        #expect(column.invalid == 5)
        #expect(column.numbers.count == expected.count)
        #expect(zip(column.numbers, column.numbers.dropFirst()).allSatisfy { $0 <= $1 })
        let byBits: (Double, Double) -> Bool = { $0 < $1 || ($0 == $1 && $0.bitPattern < $1.bitPattern) }
        for (got, want) in zip(column.numbers.sorted(by: byBits), expected.sorted(by: byBits)) {
            #expect(got.bitPattern == want.bitPattern, "\(got) vs \(want)")
        }
    }
}
