import Foundation

/// The two-sample Kolmogorov–Smirnov test, two-sided, with SciPy's `ks_2samp(method="auto")` p-values.
///
/// The p-value is exact (lattice-path counting, Hodges 1958 with Viehmann's 1 − p recursion) when both
/// samples have at most 10,000 values, and otherwise Smirnov's asymptotic form: the Kolmogorov
/// distribution with n = round(n₁n₂ / (n₁ + n₂)). When the exact computation would overflow it falls
/// back to the asymptotic form, as SciPy does.
public enum KolmogorovSmirnov {
    /// The largest sample size for which the exact p-value is used.
    public static let maxExactSize = 10_000

    /// The result of a two-sample test.
    public struct Result: Sendable, Equatable {
        /// The statistic D = sup |F₁ − F₂|.
        public var statistic: Double
        /// The two-sided p-value.
        public var pValue: Double
    }

    /// Runs the test on two samples that are already sorted ascending and free of NaN.
    ///
    /// - Returns: nil when either sample is empty.
    /// - Complexity: O(n₁ + n₂) for the statistic, plus O(n₁ · window) for the exact p-value.
    public static func test(sortedReference a: [Double], sortedCurrent b: [Double]) -> Result? {
        let n1 = a.count
        let n2 = b.count
        if n1 == 0 || n2 == 0 { return nil }
        // Walk both sorted samples; at every distinct value compare the counts i/n1 and j/n2.
        var i = 0
        var j = 0
        var best = 0  // max |i*n2 - j*n1|
        var bestI = 0
        var bestJ = 0
        while i < n1 || j < n2 {
            let v: Double
            if j >= n2 || (i < n1 && a[i] <= b[j]) { v = a[i] } else { v = b[j] }
            while i < n1 && a[i] <= v { i += 1 }
            while j < n2 && b[j] <= v { j += 1 }
            let diff = abs(i * n2 - j * n1)
            if diff > best {
                best = diff
                bestI = i
                bestJ = j
            }
        }
        let d = abs(Double(bestI) / Double(n1) - Double(bestJ) / Double(n2))
        return Result(statistic: d, pValue: pValue(statistic: d, exactNumerator: best, n1: n1, n2: n2))
    }

    /// Runs the test on two samples in any order; NaN values are dropped first.
    ///
    /// - Returns: nil when either sample has no non-NaN value.
    /// - Complexity: O(n log n) for sorting.
    public static func test(reference: [Double], current: [Double]) -> Result? {
        test(
            sortedReference: reference.filter { !$0.isNaN }.sorted(),
            sortedCurrent: current.filter { !$0.isNaN }.sorted()
        )
    }

    /// The two-sided p-value for statistic `d` between samples of sizes `n1` and `n2`.
    ///
    /// - Parameter exactNumerator: |i·n₂ − j·n₁| at the supremum when known exactly; otherwise it is
    ///   recovered as round(d · lcm(n₁, n₂)) like SciPy does.
    public static func pValue(statistic d: Double, exactNumerator: Int? = nil, n1: Int, n2: Int) -> Double {
        if n1 <= 0 || n2 <= 0 || d.isNaN { return .nan }
        let g = gcd(n1, n2)
        if max(n1, n2) <= maxExactSize {
            let lcm = Double((n1 / g) * n2)
            let h = exactNumerator.map { $0 / g } ?? Int((d * lcm).rounded(.toNearestOrEven))
            if h == 0 { return 1 }
            let p: Double
            if n1 == n2 {
                p = probabilityOutsideSquare(n: n1, h: h)
            } else {
                p = probabilityOutsideInside(m: n1, n: n2, g: g, h: h)
            }
            if p.isFinite && p >= 0 && p <= 1 { return p }
        }
        let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
        let en = (m * n / (m + n)).rounded(.toNearestOrEven)
        return min(max(KolmogorovDistribution.survival(d, n: Int(en)), 0), 1)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// P(D_{n,n} ≥ h/n) by the alternating binomial sum in Horner form.
    static func probabilityOutsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            p = p1 * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm.
    static func probabilityOutsideInside(m mIn: Int, n nIn: Int, g: Int, h: Int) -> Double {
        let m = max(mIn, nIn)
        let n = min(mIn, nIn)
        let mg = m / g
        let ng = n / g
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1, count: lenA)
        for idx in minj..<maxj where idx < lenA { a[idx] = 0 }
        for i in 1...m {
            let lastminj = minj
            let lastlen = curlen
            minj = max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = min(minj, n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1 }
            var val = minj == 0 ? 0.0 : 1.0
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                val = (a[jj + minj - lastminj] * Double(i) + val * Double(j)) / Double(i + j)
                a[jj] = val
            }
            curlen = maxj - minj
            if lastlen > curlen {
                for idx in (maxj - minj)..<min(maxj - minj + (lastlen - curlen), lenA) { a[idx] = 1 }
            }
        }
        return a[maxj - minj - 1]
    }
}
