import Foundation
import SkiffStats
import Testing

@Suite("Distributions match SciPy")
struct DistributionTests {
    let cases: [String: Any]

    init() throws {
        cases = try Fixtures.json("distributions.json")
    }

    @Test("Kolmogorov survival function equals scipy.stats.kstwo.sf")
    func kolmogorovSurvival() throws {
        let rows = try #require(cases["kstwo_sf"] as? [[String: Any]])
        #expect(rows.count > 50)
        for row in rows {
            let n = try #require(row["n"] as? Int)
            let d = fixtureNumber(row["d"])
            let expected = fixtureNumber(row["p"])
            let actual = KolmogorovDistribution.survival(d, n: n)
            #expect(close(actual, expected, relative: 1e-9, absolute: 1e-15), "n=\(n) d=\(d): \(actual) vs \(expected)")
        }
    }

    @Test("Two-sample KS statistic and p-value equal scipy.stats.ks_2samp")
    func twoSampleKS() throws {
        let rows = try #require(cases["ks_2samp"] as? [[String: Any]])
        for row in rows {
            let a = try #require(row["a"] as? [Double])
            let b = try #require(row["b"] as? [Double])
            let result = try #require(KolmogorovSmirnov.test(reference: a, current: b))
            #expect(close(result.statistic, fixtureNumber(row["statistic"]), relative: 1e-12))
            #expect(
                close(result.pValue, fixtureNumber(row["p"]), relative: 1e-9, absolute: 1e-15),
                "n=\(a.count),\(b.count): \(result.pValue) vs \(fixtureNumber(row["p"]))")
        }
    }

    @Test("Wasserstein-1 distance equals scipy.stats.wasserstein_distance")
    func wasserstein() throws {
        let rows = try #require(cases["wasserstein"] as? [[String: Any]])
        for row in rows {
            let a = try #require(row["a"] as? [Double]).sorted()
            let b = try #require(row["b"] as? [Double]).sorted()
            #expect(
                close(ExactDrift.wasserstein(sortedU: a, sortedV: b), fixtureNumber(row["distance"]), relative: 1e-10))
        }
    }

    @Test("Chi-squared survival equals scipy.special.chdtrc")
    func chiSquared() throws {
        let rows = try #require(cases["chi2_sf"] as? [[String: Any]])
        for row in rows {
            let dof = fixtureNumber(row["dof"])
            let x = fixtureNumber(row["x"])
            let actual = SpecialFunctions.chiSquaredSurvival(x, degreesOfFreedom: dof)
            #expect(close(actual, fixtureNumber(row["p"]), relative: 1e-9, absolute: 1e-300), "dof=\(dof) x=\(x)")
        }
    }

    @Test("Normal CDF equals scipy.stats.norm.cdf")
    func normal() throws {
        let rows = try #require(cases["norm_cdf"] as? [[String: Any]])
        for row in rows {
            let x = fixtureNumber(row["x"])
            #expect(close(SpecialFunctions.normalCDF(x), fixtureNumber(row["p"]), relative: 1e-12), "x=\(x)")
        }
    }

    @Test("Empty and NaN inputs give nil or NaN, not a crash")
    func degenerate() {
        #expect(KolmogorovSmirnov.test(reference: [], current: [1]) == nil)
        #expect(KolmogorovSmirnov.test(reference: [.nan], current: [1]) == nil)
        #expect(KolmogorovDistribution.survival(.nan, n: 10).isNaN)
        #expect(SpecialFunctions.chiSquaredSurvival(.nan, degreesOfFreedom: 2).isNaN)
        #expect(SpecialFunctions.normalCDF(.nan).isNaN)
    }
}
