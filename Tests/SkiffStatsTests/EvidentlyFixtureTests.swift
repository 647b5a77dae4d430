import Foundation
import SkiffStats
import Testing

/// One column of a fixture scenario, parsed the way pandas parses it.
struct FixtureColumn {
    var name: String
    var kind: ColumnKind
    var reference: [String]
    var current: [String]

    var referenceNumbers: [Double] { reference.map { Double($0) ?? .nan } }
    var currentNumbers: [Double] { current.map { Double($0) ?? .nan } }
    /// pandas reads a column with no missing field and only integer literals as int64.
    var integerValued: Bool {
        (reference + current).allSatisfy { !$0.isEmpty && Int($0) != nil }
    }

    static func counts(_ values: [String]) -> [String: Int] {
        var counts = [String: Int]()
        for v in values where !v.isEmpty { counts[v, default: 0] += 1 }
        return counts
    }

    func drift(method: DriftMethod?) throws -> ColumnDrift {
        switch kind {
        case .numerical:
            try ExactDrift.numerical(
                reference: referenceNumbers, current: currentNumbers, method: method, integerValued: integerValued)
        case .categorical:
            try ExactDrift.categorical(
                reference: Self.counts(reference), current: Self.counts(current), method: method)
        }
    }
}

func loadScenario(_ name: String) throws -> (expected: [String: Any], columns: [String: FixtureColumn]) {
    let expected = try Fixtures.json("\(name)/expected.json")
    let ref = try Fixtures.csvColumns("\(name)/reference.csv")
    let cur = try Fixtures.csvColumns("\(name)/current.csv")
    var columns = [String: FixtureColumn]()
    for entry in expected["columns"] as? [[String: Any]] ?? [] {
        let name = entry["name"] as! String
        let kind = ColumnKind(rawValue: entry["type"] as! String)!
        columns[name] = FixtureColumn(name: name, kind: kind, reference: ref[name]!, current: cur[name]!)
    }
    return (expected, columns)
}

@Suite("Exact drift tests reproduce Evidently 0.7")
struct EvidentlyFixtureTests {
    @Test(
        "Default and per-column methods: same method, verdict and statistic on every column",
        arguments: Fixtures.scenarios)
    func presetVerdicts(scenario: String) throws {
        let (expected, columns) = try loadScenario(scenario)
        let perColumn = expected["per_column_method"] as? [String: String] ?? [:]
        let entries = try #require(expected["columns"] as? [[String: Any]])
        var drifted = 0
        for entry in entries {
            let name = entry["name"] as! String
            let column = try #require(columns[name])
            let explicit = perColumn[name].flatMap(DriftMethod.init(name:))
            let result = try column.drift(method: explicit)
            #expect(result.method.rawValue == entry["method"] as? String, "\(scenario).\(name)")
            #expect(result.drifted == entry["drifted"] as? Bool, "\(scenario).\(name)")
            let want = fixtureNumber(entry["statistic"])
            #expect(
                close(result.statistic, want, relative: 1e-9, absolute: 1e-15),
                "\(scenario).\(name) \(result.method): \(result.statistic) vs \(want)")
            #expect(close(result.threshold, fixtureNumber(entry["threshold"])))
            if result.drifted { drifted += 1 }
        }
        #expect(drifted == expected["drifted_columns"] as? Int)
        let share = Double(drifted) / Double(entries.count)
        #expect(close(share, fixtureNumber(expected["share"])))
        #expect((share >= 0.5) == (expected["dataset_drift"] as? Bool))
    }

    @Test("Every selectable method matches Evidently's legacy stattest on every column", arguments: Fixtures.scenarios)
    func allMethods(scenario: String) throws {
        let (expected, columns) = try loadScenario(scenario)
        for entry in expected["columns"] as? [[String: Any]] ?? [] {
            let name = entry["name"] as! String
            let column = try #require(columns[name])
            let methods = try #require(entry["methods"] as? [String: [String: Any]])
            for (methodName, want) in methods {
                let method = try #require(DriftMethod(name: methodName))
                let result = try column.drift(method: method)
                let statistic = fixtureNumber(want["statistic"])
                #expect(
                    close(result.statistic, statistic, relative: 1e-9, absolute: 1e-15),
                    "\(scenario).\(name) \(methodName): \(result.statistic) vs \(statistic)")
                #expect(result.drifted == want["drifted"] as? Bool, "\(scenario).\(name) \(methodName)")
            }
        }
    }
}
