import Foundation

/// Tests on aligned count vectors (one entry per category or bin), shared by the exact and sketch paths.
public enum CountTests {
    /// Pearson's chi-squared p-value of current counts against reference counts scaled to the current total
    /// (Evidently's `chisquare(f_obs=current, f_exp=reference × n_cur / n_ref)`), k − 1 degrees of freedom.
    ///
    /// A category absent from the reference but present in the current data has an expected count of 0,
    /// which makes the statistic infinite and the p-value 0. Returns NaN for fewer than two categories or
    /// an empty side. Complexity O(k).
    public static func chiSquare(reference: [Int], current: [Int]) -> Double {
        let n1 = reference.reduce(0, +)
        let n2 = current.reduce(0, +)
        guard n1 > 0, n2 > 0, reference.count == current.count, reference.count >= 2 else { return .nan }
        let scale = Double(n2) / Double(n1)
        var terms: [Double] = []
        for i in reference.indices {
            let expected = Double(reference[i]) * scale
            let diff = Double(current[i]) - expected
            if expected == 0 {
                terms.append(diff == 0 ? .nan : .infinity)
            } else {
                terms.append(diff * diff / expected)
            }
        }
        let statistic = Divergences.compensatedSum(terms)
        if statistic.isNaN { return .nan }
        return SpecialFunctions.chiSquaredSurvival(statistic, degreesOfFreedom: Double(reference.count - 1))
    }

    /// Evidently's pooled two-proportion Z-test, p = 2 (1 − Φ(|z|)).
    ///
    /// The first category (in sorted key order) is coded 0 and every other category 1. When both samples
    /// hold the same single category the p-value is 1. Complexity O(k).
    public static func zTest(reference: [Int], current: [Int]) -> Double {
        let n1 = reference.reduce(0, +)
        let n2 = current.reduce(0, +)
        guard n1 > 0, n2 > 0, reference.count == current.count, !reference.isEmpty else { return .nan }
        let refPresent = reference.indices.filter { reference[$0] > 0 }
        let curPresent = current.indices.filter { current[$0] > 0 }
        if refPresent.count == 1 && curPresent.count == 1 && refPresent[0] == curPresent[0] { return 1 }
        let p1 = Double(n1 - reference[0]) / Double(n1)
        let p2 = Double(n2 - current[0]) / Double(n2)
        let pooled = (p1 * Double(n1) + p2 * Double(n2)) / Double(n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1.0 / Double(n1) + 1.0 / Double(n2))).squareRoot()
        return 2 * (1 - SpecialFunctions.normalCDF(abs(z)))
    }

    /// Jensen–Shannon, PSI or KL on proportion vectors, with Evidently's zero fill for PSI and KL.
    public static func binnedDistance(_ method: DriftMethod, _ p: [Double], _ q: [Double]) -> Double {
        switch method {
        case .jensenshannon:
            return Divergences.jensenShannon(p, q)
        case .psi:
            return Divergences.populationStability(Divergences.fillZeroes(p), Divergences.fillZeroes(q))
        case .kl:
            return Divergences.kullbackLeibler(Divergences.fillZeroes(p), Divergences.fillZeroes(q))
        default:
            return .nan
        }
    }

    /// Hellinger distance √(1 − Σ √(pᵢ qᵢ)) of two categorical count vectors, the sum clipped to [0, 1].
    public static func hellingerDiscrete(reference: [Int], current: [Int]) -> Double {
        let n1 = Double(reference.reduce(0, +))
        let n2 = Double(current.reduce(0, +))
        guard n1 > 0, n2 > 0 else { return .nan }
        var bc = 0.0
        for i in reference.indices {
            bc += (Double(reference[i]) / n1 * (Double(current[i]) / n2)).squareRoot()
        }
        return (1 - min(max(bc, 0), 1)).squareRoot()
    }

    /// Hellinger distance of two histograms on shared `edges`, from their densities:
    /// √(1 − Σ √(f_ref,i f_cur,i) · w), w the mean bin width, the sum clipped to [0, 1].
    public static func hellingerDensity(referenceCounts: [Int], currentCounts: [Int], edges: [Double]) -> Double {
        let bins = edges.count - 1
        guard bins > 0 else { return .nan }
        let n1 = Double(referenceCounts.reduce(0, +))
        let n2 = Double(currentCounts.reduce(0, +))
        guard n1 > 0, n2 > 0 else { return .nan }
        let width = (edges[bins] - edges[0]) / Double(bins)
        var bc = 0.0
        for i in 0..<bins {
            let db = edges[i + 1] - edges[i]
            let f1 = Double(referenceCounts[i]) / db / n1
            let f2 = Double(currentCounts[i]) / db / n2
            bc += (f1 * f2).squareRoot() * width
        }
        return (1 - min(max(bc, 0), 1)).squareRoot()
    }
}
