import Foundation

/// Distances and divergences between two discrete distributions given as aligned proportion vectors.
///
/// All run in O(k) for k bins. Inputs need not sum to one: the functions that normalise say so.
public enum Divergences {
    /// Jensen–Shannon distance √(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2, natural log, in [0, √ln 2].
    ///
    /// p and q are first rescaled to sum to one (as SciPy's `jensenshannon` does). Returns NaN when
    /// either vector sums to zero or the vectors differ in length.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        guard p.count == q.count, !p.isEmpty else { return .nan }
        let sp = compensatedSum(p)
        let sq = compensatedSum(q)
        guard sp > 0, sq > 0 else { return .nan }
        var terms: [Double] = []
        terms.reserveCapacity(2 * p.count)
        for i in p.indices {
            let pi = p[i] / sp
            let qi = q[i] / sq
            let mi = (pi + qi) / 2
            terms.append(relativeEntropy(pi, mi))
            terms.append(relativeEntropy(qi, mi))
        }
        return (compensatedSum(terms) / 2).squareRoot()
    }

    /// Population stability index Σ (pᵢ − qᵢ) ln(pᵢ / qᵢ), without normalisation.
    ///
    /// Callers apply Evidently's zero fill first (`fillZeroes`); a zero left in either vector gives ∞ or NaN.
    public static func populationStability(_ p: [Double], _ q: [Double]) -> Double {
        guard p.count == q.count, !p.isEmpty else { return .nan }
        return compensatedSum(p.indices.map { (p[$0] - q[$0]) * log(p[$0] / q[$0]) })
    }

    /// Kullback–Leibler divergence KL(p ‖ q) = Σ pᵢ ln(pᵢ / qᵢ) after rescaling both to sum to one
    /// (SciPy's `entropy(p, q)`). A bin with p > 0 and q = 0 gives ∞.
    public static func kullbackLeibler(_ p: [Double], _ q: [Double]) -> Double {
        guard p.count == q.count, !p.isEmpty else { return .nan }
        let sp = compensatedSum(p)
        let sq = compensatedSum(q)
        guard sp > 0, sq > 0 else { return .nan }
        return compensatedSum(p.indices.map { relativeEntropy(p[$0] / sp, q[$0] / sq) })
    }

    /// Evidently's zero fill: each zero proportion becomes 0.0001, or (smallest non-zero)/10⁶ when the
    /// smallest non-zero proportion is itself ≤ 0.0001. No renormalisation. An all-zero vector is unchanged.
    public static func fillZeroes(_ p: [Double]) -> [Double] {
        guard let smallest = p.filter({ $0 != 0 }).min() else { return p }
        let fill = smallest <= 0.0001 ? smallest / 1_000_000 : 0.0001
        return p.map { $0 == 0 ? fill : $0 }
    }

    /// x ln(x / y) with the conventions 0 ln(0 / y) = 0 and x ln(x / 0) = ∞ (SciPy's `rel_entr`).
    @inline(__always)
    public static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        if x.isNaN || y.isNaN { return .nan }
        if x > 0 && y > 0 { return x * log(x / y) }
        if x == 0 && y >= 0 { return 0 }
        return .infinity
    }

    /// Neumaier-compensated sum: error independent of n to first order. Infinite or NaN terms give the
    /// plain IEEE sum (∞, −∞ or NaN).
    public static func compensatedSum(_ values: [Double]) -> Double {
        var sum = 0.0
        var compensation = 0.0
        for v in values where !v.isFinite { sum += v }
        if sum != 0 { return sum }
        for v in values {
            let t = sum + v
            if abs(sum) >= abs(v) {
                compensation += (sum - t) + v
            } else {
                compensation += (v - t) + sum
            }
            sum = t
        }
        return sum + compensation
    }
}
