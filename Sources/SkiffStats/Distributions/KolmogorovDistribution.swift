import Foundation

/// The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic Dₙ for finite n.
///
/// The survival function follows the algorithm selection of Simard & L'Ecuyer (2011), the same
/// selection SciPy's `kstwo` distribution makes: Ruben–Gambino closed forms at the extremes, the
/// Durbin matrix (Marsaglia–Tsang–Wang) and Pomeranz recursions for small n, the exact one-sided
/// Smirnov sum in the upper tail and the Pelz–Good expansion for large n. The result agrees with
/// SciPy to about 1e-12 relative (checked by the fixture suite).
public enum KolmogorovDistribution {
    /// P(Dₙ ≥ d): the survival function of the two-sided Kolmogorov–Smirnov statistic.
    ///
    /// - Parameters:
    ///   - d: the statistic, in [0, 1]. Values ≤ 0 give 1, values ≥ 1 give 0, NaN gives NaN.
    ///   - n: the sample size, ≥ 1. Non-positive n gives NaN.
    /// - Complexity: O(n) for the Smirnov sum, O(m³ log n) with m ≈ 2nd for the Durbin matrix,
    ///   O(n · nd) for Pomeranz; all small for the n where each is selected.
    public static func survival(_ d: Double, n: Int) -> Double {
        if d.isNaN || n <= 0 { return .nan }
        if d >= 1 { return 0 }
        if d <= 0 { return 1 }
        let nd = Double(n)
        let t = nd * d
        if t <= 1 {
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                var p = 1.0
                for i in 1...n { p *= Double(i) * (1.0 / nd) * (2 * t - 1) }
                cdf = p
            } else {
                cdf = exp(logFactorialOverPower(n) + nd * log(2 * t - 1))
            }
            return clip(1 - cdf)
        }
        if t >= nd - 1 {
            return clip(2 * pow(1 - d, nd))
        }
        if d >= 0.5 {
            return clip(2 * smirnovSurvival(n: n, d: d))
        }
        let nxSquared = t * d
        if n <= 140 {
            if nxSquared <= 0.754693 {
                return clip(1 - durbinMatrixCDF(n: n, d: d))
            }
            if nxSquared <= 4 {
                return clip(1 - pomeranzCDF(n: n, d: d))
            }
            return clip(2 * smirnovSurvival(n: n, d: d))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clip(2 * smirnovSurvival(n: n, d: d)) }
        let cdf: Double
        if n <= 100_000 && nd * pow(d, 1.5) <= 1.4 {
            cdf = durbinMatrixCDF(n: n, d: d)
        } else {
            cdf = pelzGoodCDF(n: n, d: d)
        }
        return clip(1 - cdf)
    }

    /// P(Dₙ⁺ ≥ d): the exact one-sided Smirnov survival function (Birnbaum–Tingey sum).
    ///
    /// All terms are positive and summed in log space, so the result keeps relative precision far into
    /// the tail. Complexity O(n). Returns 1 for d ≤ 0 and 0 for d ≥ 1.
    public static func smirnovSurvival(n: Int, d: Double) -> Double {
        if d.isNaN || n <= 0 { return .nan }
        if d <= 0 { return 1 }
        if d >= 1 { return 0 }
        let nd = Double(n)
        let jMax = Int((nd * (1 - d)).rounded(.down))
        let logNFactorial: Double = lgamma(nd + 1)
        var sum = 0.0
        for j in 0...max(jMax, 0) {
            let jd = Double(j)
            let a = 1 - d - jd / nd
            let b = d + jd / nd
            if a <= 0 { continue }
            let logTerm =
                logNFactorial - lgamma(jd + 1) - lgamma(nd - jd + 1) + (nd - jd) * log(a) + (jd - 1) * log(b)
            sum += exp(logTerm)
        }
        return min(max(d * sum, 0), 1)
    }

    private static func clip(_ p: Double) -> Double { min(max(p, 0), 1) }

    private static let stirling: [Double] = [
        -2.955065359477124183e-2, 6.4102564102564102564e-3,
        -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ]

    /// log(n! / nⁿ) by Stirling's series.
    private static func logFactorialOverPower(_ n: Int) -> Double {
        let nd = Double(n)
        let rn = 1.0 / nd
        let x = rn / nd
        var poly = 0.0
        for c in stirling { poly = poly * x + c }
        return log(nd) / 2 - nd + log(2 * Double.pi) / 2 + rn * poly
    }

    private static let scaleUp = 0x1p128
    private static let scaleDown = 0x1p-128

    /// Pr(Dₙ ≤ d) by the Durbin matrix method in the Marsaglia–Tsang–Wang formulation.
    static func durbinMatrixCDF(n: Int, d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = [Double](repeating: 0, count: m)
        var w = [Double](repeating: 0, count: m)
        var fac = 1.0
        for j in 1...m {
            v[j - 1] = 1 - pow(h, Double(j))
            w[j - 1] = fac
            fac /= Double(j)
            v[j - 1] *= fac
        }
        let tt = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1 + tt) * fac
        var hMatrix = [Double](repeating: 0, count: m * m)
        for i in 1..<max(m, 1) {
            for row in (i - 1)..<m {
                hMatrix[row * m + i] = w[row - (i - 1)]
            }
        }
        for row in 0..<m { hMatrix[row * m] = v[row] }
        for col in 0..<m { hMatrix[(m - 1) * m + col] = v[m - 1 - col] }
        var power = [Double](repeating: 0, count: m * m)
        for i in 0..<m { power[i * m + i] = 1 }
        var nn = n
        var exponent = 0
        var hExponent = 0
        while nn > 0 {
            if nn % 2 == 1 {
                power = multiply(power, hMatrix, m)
                exponent += hExponent
            }
            hMatrix = multiply(hMatrix, hMatrix, m)
            hExponent *= 2
            if abs(hMatrix[(k - 1) * m + (k - 1)]) > scaleUp {
                for i in hMatrix.indices { hMatrix[i] /= scaleUp }
                hExponent += 128
            }
            nn /= 2
        }
        var p = power[(k - 1) * m + (k - 1)]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < scaleDown {
                p *= scaleUp
                exponent -= 128
            }
        }
        if exponent != 0 { p = scalbn(p, exponent) }
        return clip(p)
    }

    private static func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for k in 0..<m {
                let aik = a[i * m + k]
                if aik == 0 { continue }
                for j in 0..<m {
                    c[i * m + j] += aik * b[k * m + j]
                }
            }
        }
        return c
    }

    private static func pomeranzBounds(_ i: Int, _ n: Int, _ ll: Int, _ ceilf: Int, _ roundf: Int) -> (Int, Int) {
        var j1: Int
        var j2: Int
        if i == 0 {
            j1 = -ll - ceilf - 1
            j2 = ll + ceilf - 1
        } else {
            let half = (i + 1) / 2
            let odd = (i + 1) % 2 == 0
            if odd {
                if half == n + 1 {
                    j1 = n - ll - ceilf - 1
                    j2 = n + ll + ceilf - 1
                } else {
                    j1 = half - 1 - ll - roundf - 1
                    j2 = half + ll - 1 + ceilf - 1
                }
            } else {
                j1 = half - 1 - ll - 1
                j2 = half + ll + roundf - 1
            }
        }
        return (max(j1 + 2, 0), min(j2, n))
    }

    /// Pr(Dₙ ≤ d) by Pomeranz's recursion.
    static func pomeranzCDF(n: Int, d: Double) -> Double {
        let t = Double(n) * d
        let ll = Int(t.rounded(.down))
        let f = t - Double(ll)
        let g = min(f, 1 - f)
        let ceilf = f > 0 ? 1 : 0
        let roundf = f > 0.5 ? 1 : 0
        let npwrs = 2 * (ll + 1)
        var gpower = [Double](repeating: 1, count: npwrs)
        var twogpower = [Double](repeating: 1, count: npwrs)
        var onem2gpower = [Double](repeating: 1, count: npwrs)
        let nD = Double(n)
        for m in 1..<npwrs {
            gpower[m] = gpower[m - 1] * (g / nD) / Double(m)
            twogpower[m] = twogpower[m - 1] * (2 * g / nD) / Double(m)
            onem2gpower[m] = onem2gpower[m - 1] * ((1 - 2 * g) / nD) / Double(m)
        }
        var v0 = [Double](repeating: 0, count: npwrs)
        var v1 = [Double](repeating: 0, count: npwrs)
        v1[0] = 1
        var v0s = 0
        var v1s = 0
        var exponent = 0
        var (j1, j2) = pomeranzBounds(0, n, ll, ceilf, roundf)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0s, &v1s)
            for idx in v1.indices { v1[idx] = 0 }
            (j1, j2) = pomeranzBounds(i, n, ll, ceilf, roundf)
            let pwrs: [Double]
            if i == 1 || i == 2 * n + 1 {
                pwrs = gpower
            } else {
                pwrs = i % 2 == 1 ? twogpower : onem2gpower
            }
            let ln2 = j2 - k1 + 1
            if ln2 > 0 {
                let start = j1 - k1
                let count = j2 - j1 + 1
                // Entries start..<start+count of the full convolution of V0[k1-v0s ..< +ln2] with pwrs[..<ln2].
                let base = k1 - v0s
                var maxValue = 0.0
                if count > 0 {
                    for r in 0..<count {
                        let idx = start + r
                        var s = 0.0
                        let lo = max(0, idx - (ln2 - 1))
                        let hi = min(idx, ln2 - 1)
                        if lo <= hi {
                            for a in lo...hi {
                                let vi = base + a
                                if vi >= 0 && vi < v0.count && idx - a < pwrs.count {
                                    s += v0[vi] * pwrs[idx - a]
                                }
                            }
                        }
                        v1[r] = s
                        maxValue = max(maxValue, s)
                    }
                }
                if maxValue > 0 && maxValue < scaleDown {
                    for idx in v1.indices { v1[idx] *= scaleUp }
                    exponent -= 128
                }
                v1s = v0s + j1 - k1
            }
        }
        var answer = v1[n - v1s]
        for m in 1...n {
            if abs(answer) > scaleUp {
                answer *= scaleDown
                exponent += 128
            }
            answer *= Double(m)
        }
        if exponent != 0 { answer = scalbn(answer, exponent) }
        return clip(answer)
    }

    /// Pr(Dₙ ≤ d) by the Pelz–Good asymptotic expansion (four terms).
    static func pelzGoodCDF(n: Int, d: Double) -> Double {
        if d <= 0 { return 0 }
        if d >= 1 { return 1 }
        let pi2 = Double.pi * Double.pi
        let pi4 = pi2 * pi2
        let pi6 = pi4 * pi2
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = Double(n).squareRoot() * d
        let z2 = z * z
        let z3 = z2 * z
        let z4 = z2 * z2
        let z6 = z4 * z2
        let qlog = -pi2 / 8 / z2
        if qlog < -708 { return 0 }
        var q = exp(qlog)
        let k1a = -z2
        let k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * pi2 / 4
        let k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64
        let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)
        var terms = [0.0, 0.0, 0.0, 0.0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let m = Double(2 * k - 1)
                let m2 = m * m
                let m4 = m2 * m2
                let m6 = m4 * m2
                let qpower = pow(q, Double(8 * k))
                let coeffs = [
                    1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6,
                ]
                for i in 0..<4 { terms[i] = terms[i] * qpower + coeffs[i] }
            }
        }
        let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for i in 0..<4 { terms[i] = terms[i] * q * sqrt2pi / divisors[i] }
        q = exp(-pi2 / 2 / z2)
        var k2extra = 0.0
        var k3extra = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let kd = Double(k)
                let k2 = kd * kd
                let qp = pow(q, k2)
                k2extra += k2 * qp
                let kpi = Double.pi * kd
                k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp
            }
        }
        terms[2] += k2extra * pi2 * sqrt2pi / (-36 * z3)
        terms[3] += k3extra * pi2 * sqrt2pi / (216 * z6)
        var sum = 0.0
        for i in 0..<4 { sum += terms[i] / pow(Double(n), Double(i) / 2) }
        return sum
    }
}
