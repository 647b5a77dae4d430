import Foundation
import SkiffDrift
import SkiffStats
import Testing

@Suite("Drift analysis of CSV files")
struct DriftAnalysisTests {
    static let scenarios = ["small", "large", "asymptotic", "mostly_drifted"]

    func expected(_ scenario: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturePath("\(scenario)/expected.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func options(for expected: [String: Any]) -> DriftOptions {
        var options = DriftOptions()
        for column in expected["columns"] as? [[String: Any]] ?? [] {
            let name = column["name"] as! String
            if column["type"] as? String == "categorical" {
                options.categorical.append(name)
            } else {
                options.numerical.append(name)
            }
        }
        return options
    }

    @Test("CSV to verdicts: same methods, verdicts and dataset drift as Evidently", arguments: scenarios)
    func fixturesFromCSV(scenario: String) throws {
        let want = try expected(scenario)
        let report = try DriftAnalysis.run(
            reference: .table(path: fixturePath("\(scenario)/reference.csv")),
            currentPath: fixturePath("\(scenario)/current.csv"), options: options(for: want))
        for column in want["columns"] as? [[String: Any]] ?? [] {
            let name = column["name"] as! String
            let got = try #require(report.columns.first { $0.name == name }?.drift, "\(scenario).\(name)")
            #expect(got.method.rawValue == column["method"] as? String)
            #expect(got.drifted == column["drifted"] as? Bool, "\(scenario).\(name)")
            let statistic = column["statistic"] as? Double ?? .nan
            #expect(abs(got.statistic - statistic) <= 1e-9 * max(abs(statistic), 1e-300) || got.statistic == statistic)
        }
        #expect(report.driftedColumns == want["drifted_columns"] as? Int)
        #expect(report.datasetDrift == want["dataset_drift"] as? Bool)
    }

    @Test("Inferred types equal the types Evidently was given for these fixtures", arguments: scenarios)
    func inferredTypes(scenario: String) throws {
        let want = try expected(scenario)
        let report = try DriftAnalysis.run(
            reference: .table(path: fixturePath("\(scenario)/reference.csv")),
            currentPath: fixturePath("\(scenario)/current.csv"), options: DriftOptions())
        for column in want["columns"] as? [[String: Any]] ?? [] {
            let got = report.columns.first { $0.name == column["name"] as? String }
            #expect(got?.kind.rawValue == column["type"] as? String)
        }
        #expect(report.notes.contains { $0.hasPrefix("inferred column types") })
    }

    @Test("A saved profile as reference gives the same verdicts on every fixture column")
    func profileReference() throws {
        for scenario in ["small", "large", "mostly_drifted"] {
            let want = try expected(scenario)
            let opts = options(for: want)
            let (profile, _) = try DriftAnalysis.profile(path: fixturePath("\(scenario)/reference.csv"), options: opts)
            let restored = try DatasetProfile.deserialized(try profile.serialized())
            let report = try DriftAnalysis.run(
                reference: .profile(restored, path: "ref.profile"), currentPath: fixturePath("\(scenario)/current.csv"),
                options: opts)
            for column in want["columns"] as? [[String: Any]] ?? [] {
                let got = report.columns.first { $0.name == column["name"] as? String }?.drift
                #expect(got?.drifted == column["drifted"] as? Bool, "\(scenario).\(column["name"]!)")
            }
        }
    }

    @Test("JSON output has exactly the documented keys and values")
    func jsonShape() throws {
        let report = try DriftAnalysis.run(
            reference: .table(path: fixturePath("small/reference.csv")), currentPath: fixturePath("small/current.csv"),
            options: DriftOptions())
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["dataset_drift", "drift_share", "drifted_columns", "share", "columns"])
        #expect(object["drift_share"] as? Double == 0.5)
        #expect(object["dataset_drift"] as? Bool == false)
        #expect(object["drifted_columns"] as? Int == 3)
        let columns = try #require(object["columns"] as? [[String: Any]])
        #expect(columns.count == 7)
        for column in columns {
            #expect(Set(column.keys) == ["name", "type", "method", "statistic", "threshold", "drifted"])
        }
        let age = try #require(columns.first { $0["name"] as? String == "age" })
        #expect(age["method"] as? String == "ks" && age["drifted"] as? Bool == true)
    }
}

@Suite("Bad data is reported per column while the rest of the report is produced")
struct BadDataTests {
    func run(_ reference: String, _ current: String, options: DriftOptions = DriftOptions()) throws -> DriftReport {
        let dir = try TempDirectory()
        return try DriftAnalysis.run(
            reference: .table(path: try dir.write("ref.csv", reference)),
            currentPath: try dir.write("cur.csv", current),
            options: options)
    }

    static func rows(_ n: Int, _ make: (Int) -> String) -> String {
        (0..<n).map(make).joined(separator: "\n") + "\n"
    }

    @Test("Ragged rows: short rows count as missing for the absent columns, long rows are noted")
    func ragged() throws {
        let ref = "a,b,c\n" + Self.rows(50) { "\($0),\($0 % 7),x" }
        let cur = "a,b,c\n" + Self.rows(50) { $0 == 3 ? "\($0)" : ($0 == 4 ? "\($0),1,x,extra" : "\($0),\($0 % 7),x") }
        let report = try run(ref, cur)
        #expect(report.notes.contains { $0.contains("current: 1 row(s) have fewer fields") })
        #expect(report.notes.contains { $0.contains("current: 1 row(s) have more fields") })
        let b = try #require(report.columns.first { $0.name == "b" })
        #expect(b.drift != nil)
        #expect(b.notes.contains { $0.contains("absent from short rows") })
        #expect(report.testedColumns.count == 3)
    }

    @Test("Unparsable numbers are named with their line and treated as missing")
    func unparsable() throws {
        let ref = "x,y\n" + Self.rows(40) { "\(Double($0) * 0.5),\($0)" }
        let cur = "x,y\n" + Self.rows(40) { $0 == 7 ? "oops,\($0)" : "\(Double($0) * 0.5),\($0)" }
        let report = try run(
            ref, cur,
            options: {
                var o = DriftOptions()
                o.numerical = ["x"]
                return o
            }())
        let x = try #require(report.columns.first { $0.name == "x" })
        #expect(x.kind == .numerical)
        #expect(x.drift != nil)
        #expect(x.notes.contains { $0.contains("1 value(s) are not numbers") && $0.contains("'oops' on line 9") })
    }

    @Test("Empty and all-missing columns are not tested, with the reason; other columns are")
    func emptyColumns() throws {
        let ref = "a,empty,gone\n" + Self.rows(30) { "\($0),,\($0)" }
        let cur = "a,empty,gone\n" + Self.rows(30) { "\($0 + 1),NaN,NA" }
        let report = try run(ref, cur)
        let empty = try #require(report.columns.first { $0.name == "empty" })
        #expect(empty.drift == nil && empty.error == "every reference value is missing")
        let gone = try #require(report.columns.first { $0.name == "gone" })
        #expect(gone.drift == nil && gone.error == "every current value is missing")
        #expect(report.columns.first { $0.name == "a" }?.drift != nil)
        #expect(report.testedColumns.count == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let cols = try #require(json["columns"] as? [[String: Any]])
        #expect(
            cols.first { $0["name"] as? String == "empty" }?["error"] as? String == "every reference value is missing")
    }

    @Test("A column on one side only is reported; shared columns are tested")
    func oneSided() throws {
        let ref = "a,onlyref\n" + Self.rows(30) { "\($0),1" }
        let cur = "a,onlycur\n" + Self.rows(30) { "\($0),2" }
        let report = try run(ref, cur)
        #expect(report.columns.first { $0.name == "onlyref" }?.error == "the column is only in the reference data")
        #expect(report.columns.first { $0.name == "onlycur" }?.error == "the column is only in the current data")
        #expect(report.columns.first { $0.name == "a" }?.drift != nil)
    }

    @Test("No shared column is an error, not an empty report")
    func nothingShared() {
        #expect(throws: DriftError.self) { try run("a\n1\n", "b\n1\n") }
    }

    @Test("A new category in the current data is named, and chi-squared reports drift as Evidently does")
    func newCategory() throws {
        let ref = "c\n" + Self.rows(90) { ["a", "b", "c"][$0 % 3] }
        let cur = "c\n" + Self.rows(90) { $0 == 0 ? "new" : ["a", "b", "c"][$0 % 3] }
        let report = try run(ref, cur)
        let c = try #require(report.columns.first { $0.name == "c" })
        #expect(c.drift?.method == .chisquare && c.drift?.statistic == 0 && c.drift?.drifted == true)
        #expect(c.notes.contains { $0.contains("1 category not in the reference ('new'") })
    }

    @Test("An option naming an unknown column is an error that lists the columns")
    func unknownColumn() {
        var options = DriftOptions()
        options.methods = ["nope": .psi]
        #expect(throws: DriftError.self) { try run("a\n1\n2\n", "a\n1\n2\n", options: options) }
    }
}

@Suite("HTML report")
struct HTMLReportTests {
    @Test("Self-contained page with a verdict, an SVG per tested column and escaped names")
    func page() throws {
        let dir = try TempDirectory()
        let ref = try dir.write(
            "r.csv", "x,<b>&c\n" + (0..<60).map { "\($0),\(["p", "q"][$0 % 2])" }.joined(separator: "\n"))
        let cur = try dir.write(
            "c.csv",
            "x,<b>&c\n" + (0..<60).map { "\($0 * 2),\(["p", "q"][$0 % 3 == 0 ? 0 : 1])" }.joined(separator: "\n"))
        var options = DriftOptions()
        options.charts = true
        let report = try DriftAnalysis.run(reference: .table(path: ref), currentPath: cur, options: options)
        let html = HTMLReport.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 2)
        #expect(html.contains("&lt;b&gt;&amp;c"))
        #expect(!html.contains("<b>&c"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"))
        #expect(html.contains(report.datasetDrift ? "Dataset drift detected" : "No dataset drift"))
    }
}

@Suite("Profiles of files merge like a profile of the concatenated file")
struct ProfileMergeTests {
    @Test("Counts, missing values, moments, distinct sketches and categories agree")
    func mergeMatchesConcatenation() throws {
        let dir = try TempDirectory()
        let header = "x,c\n"
        var rng = SystemRandomNumberGenerator()
        let rowsA = (0..<700).map { i in
            i % 50 == 0 ? ",a" : "\(Double.random(in: -5...5, using: &rng)),\(["a", "b", "c"][i % 3])"
        }
        let rowsB = (0..<900).map { i in "\(Double.random(in: 0...9, using: &rng)),\(["b", "d"][i % 2])" }
        let a = try dir.write("a.csv", header + rowsA.joined(separator: "\n") + "\n")
        let b = try dir.write("b.csv", header + rowsB.joined(separator: "\n") + "\n")
        let both = try dir.write("ab.csv", header + (rowsA + rowsB).joined(separator: "\n") + "\n")
        var options = DriftOptions()
        options.numerical = ["x"]
        options.categorical = ["c"]
        var merged = try DriftAnalysis.profile(path: a, options: options).0
        try merged.merge(try DriftAnalysis.profile(path: b, options: options).0)
        let whole = try DriftAnalysis.profile(path: both, options: options).0
        #expect(merged.rows == whole.rows)
        let mx = try #require(merged.column(named: "x"))
        let wx = try #require(whole.column(named: "x"))
        #expect(mx.rows == wx.rows && mx.missing == wx.missing && mx.count == 1586)
        #expect(mx.moments.minimum == wx.moments.minimum && mx.moments.maximum == wx.moments.maximum)
        #expect(abs(mx.moments.mean - wx.moments.mean) <= 1e-12 * max(1, abs(wx.moments.mean)))
        #expect(
            abs(mx.moments.populationVariance - wx.moments.populationVariance) <= 1e-9 * wx.moments.populationVariance)
        #expect(mx.distinct == wx.distinct)
        #expect(mx.quantiles?.count == wx.quantiles?.count)
        #expect(merged.column(named: "c")?.categories?.counts == whole.column(named: "c")?.categories?.counts)
        var expected: [String: Int] = [:]
        for row in rowsA + rowsB {
            expected[String(row.split(separator: ",", omittingEmptySubsequences: false)[1]), default: 0] += 1
        }
        #expect(merged.column(named: "c")?.categories?.counts == expected)
    }
}
