import Foundation
import SkiffStats
import Testing

@Suite("Sketch-based drift agrees with exact drift")
struct SketchAgreementTests {
    static func profiles(_ column: FixtureColumn) -> (ColumnProfile, ColumnProfile) {
        var r = ColumnProfile(name: column.name, kind: column.kind)
        var c = ColumnProfile(name: column.name, kind: column.kind)
        switch column.kind {
        case .numerical:
            for v in column.reference { if v.isEmpty { r.addMissing() } else { r.add(Double(v)!) } }
            for v in column.current { if v.isEmpty { c.addMissing() } else { c.add(Double(v)!) } }
        case .categorical:
            for v in column.reference { if v.isEmpty { r.addMissing() } else { r.add(category: v) } }
            for v in column.current { if v.isEmpty { c.addMissing() } else { c.add(category: v) } }
        }
        return (r, c)
    }

    @Test(
        "Evidently fixtures from profiles: same verdicts; statistics exact while the sketches are",
        arguments: Fixtures.scenarios)
    func fixtures(scenario: String) throws {
        let (expected, columns) = try loadScenario(scenario)
        let perColumn = expected["per_column_method"] as? [String: String] ?? [:]
        for entry in expected["columns"] as? [[String: Any]] ?? [] {
            let name = entry["name"] as! String
            let column = try #require(columns[name])
            let (r, c) = Self.profiles(column)
            let result = try SketchDrift.test(
                reference: r, current: c, method: perColumn[name].flatMap(DriftMethod.init(name:)))
            #expect(result.method.rawValue == entry["method"] as? String, "\(scenario).\(name)")
            #expect(result.drifted == entry["drifted"] as? Bool, "\(scenario).\(name)")
            let want = fixtureNumber(entry["statistic"])
            let exactSketches = (r.quantiles?.isExact ?? true) && (c.quantiles?.isExact ?? true)
            let tolerance = exactSketches ? 1e-9 : 0.05
            #expect(
                close(result.statistic, want, relative: tolerance, absolute: exactSketches ? 1e-15 : 0.01),
                "\(scenario).\(name): \(result.statistic) vs \(want)")
        }
    }

    /// Measured agreement on 200k-row samples (k = 1024): the figures quoted in SketchDrift's documentation.
    @Test(
        "Large samples: Wasserstein, JS and KS statistic within a small absolute error",
        arguments: [0.0, 0.05, 0.1, 0.3])
    func largeSamples(shift: Double) throws {
        var rng = SplitMix64(seed: UInt64(shift * 1000) + 7)
        let ref = (0..<200_000).map { _ in rng.normal() }
        let cur = (0..<150_000).map { _ in rng.normal(mean: shift, std: 1.1) }
        let r = profile("x", ref)
        let c = profile("x", cur)
        // Measured worst cases on these samples: Wasserstein 0.002, Jensen-Shannon 0.011, PSI 0.043 (tail bins
        // with few values carry the sketch's rank error, which PSI's logarithm amplifies).
        let bounds: [DriftMethod: Double] = [.wasserstein: 0.005, .jensenshannon: 0.015, .psi: 0.05]
        for (method, bound) in bounds {
            let sketch = try SketchDrift.test(reference: r, current: c, method: method)
            let exact = try ExactDrift.numerical(reference: ref, current: cur, method: method)
            #expect(
                abs(sketch.statistic - exact.statistic) < bound,
                "\(method) shift \(shift): \(sketch.statistic) vs \(exact.statistic)")
        }
        let exactKS = try #require(KolmogorovSmirnov.test(reference: ref, current: cur))
        let sketchKS = try SketchDrift.test(reference: r, current: c, method: .ks)
        let ksFromD = KolmogorovSmirnov.pValue(statistic: exactKS.statistic, n1: ref.count, n2: cur.count)
        #expect(close(ksFromD, exactKS.pValue, relative: 1e-9, absolute: 1e-300))
        #expect(sketchKS.drifted == (exactKS.pValue <= 0.05))
    }
}
