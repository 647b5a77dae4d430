import Foundation
import SkiffDrift
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Reading tables for drift")
struct LoadedTableTests {
    @Test("Type inference: numbers (with missing markers) are numerical, anything else categorical")
    func inference() throws {
        let dir = try TempDirectory()
        let path = try dir.write("t.csv", "n,c,m,e\n1.5,a,NaN,\n-2e3,b,3,\nNA,1,,\n")
        let kinds = try LoadedTable.inferTypes(path: path)
        #expect(kinds == ["n": .numerical, "c": .categorical, "m": .numerical, "e": .numerical])
    }

    @Test("Ragged rows, unparsable numbers, integer columns and categories are counted as before")
    func counting() throws {
        let dir = try TempDirectory()
        let path = try dir.write("t.csv", "i,x,c\n1,1.5,a\n2,oops,b\n3\n4,2,a,extra\n")
        let table = try LoadedTable.load(path: path, kinds: ["x": .numerical], mode: .exact)
        #expect(table.rows == 4 && table.shortRows == 1 && table.longRows == 1 && table.raggedExamples == [4, 5])
        let i = try #require(table.column(named: "i"))
        #expect(i.integerValued && i.numbers == [1, 2, 3, 4] && i.missing == 0)
        let x = try #require(table.column(named: "x"))
        #expect(x.invalid == 1 && x.invalidExamples == ["'oops' on line 3"] && x.absentInShortRows == 1)
        #expect(x.numbers == [1.5, 2] && x.missing == 2 && !x.integerValued)
        let c = try #require(table.column(named: "c"))
        #expect(c.categories == ["a": 2, "b": 1] && c.missing == 1)
        let profiled = try LoadedTable.load(path: path, kinds: ["x": .numerical], mode: .profile)
        let profile = try #require(profiled.column(named: "x")?.profile)
        #expect(profile.rows == 4 && profile.missing == 2 && profile.invalid == 1)
    }

    @Test("A Parquet file pandas wrote loads with its own types: booleans and text categorical, numbers numerical")
    func parquet() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SkiffTablesTests/Fixtures/parquet/pandas.parquet").path
        let kinds = try LoadedTable.inferTypes(path: path)
        #expect(kinds == ["age": .numerical, "score": .numerical, "city": .categorical, "member": .categorical])
        let table = try LoadedTable.load(path: path, kinds: kinds, mode: .exact)
        #expect(table.rows == 120 && table.shortRows == 0)
        let age = try #require(table.column(named: "age"))
        #expect(age.integerValued && age.numbers.count == 120 && age.missing == 0)
        let score = try #require(table.column(named: "score"))
        #expect(score.numbers.count == 102 && score.missing == 18 && score.invalid == 0)
        let member = try #require(table.column(named: "member"))
        #expect(Set(member.categories.keys) == ["True", "False"] && member.categories.values.reduce(0, +) == 120)
        let city = try #require(table.column(named: "city"))
        #expect(Set(city.categories.keys).isSubset(of: ["Oslo", "Lima", "Pune"]) && city.missing == 33)
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
        for bad in ["1.2.3", "12abc", "0x10", "7 x", "--1"] { lines.append(bad) }
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
