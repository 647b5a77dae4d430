import Foundation

/// Special functions behind the p-values of the drift tests.
///
/// All functions are pure, allocation-free and run in O(1) or O(iterations) time.
public enum SpecialFunctions {
    /// The standard normal cumulative distribution function Φ(x).
    ///
    /// Computed as `erfc(-x / √2) / 2`, which keeps full relative precision in the lower tail.
    /// Returns NaN for NaN input, 0 for −∞ and 1 for +∞.
    public static func normalCDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        return 0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a).
    ///
    /// Method: the power series of P(a, x) when `x < a + 1`, otherwise the continued fraction of
    /// Q(a, x) evaluated with the modified Lentz algorithm; both converge to a relative error below 1e-15.
    /// Returns NaN when `a <= 0`, `x < 0` or either argument is NaN; Q(a, 0) = 1 and Q(a, ∞) = 0.
    /// Complexity: O(√a) iterations at most a few hundred for the arguments met in drift testing.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        if a.isNaN || x.isNaN || a <= 0 || x < 0 { return .nan }
        if x == 0 { return 1 }
        if x.isInfinite { return 0 }
        if x < a + 1 {
            return 1 - gammaPSeries(a, x)
        }
        return gammaQContinuedFraction(a, x)
    }

    /// The survival function of the chi-squared distribution, P(X ≥ x) for `dof` degrees of freedom.
    ///
    /// Equal to Q(dof/2, x/2). Returns 1 for `x <= 0`, 0 for `x = ∞`, NaN when `dof <= 0` or `x` is NaN.
    public static func chiSquaredSurvival(_ x: Double, degreesOfFreedom dof: Double) -> Double {
        if x.isNaN || dof.isNaN || dof <= 0 { return .nan }
        if x <= 0 { return 1 }
        return regularizedGammaQ(dof / 2, x / 2)
    }

    private static func gammaPSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a
        var term = 1.0 / a
        var sum = term
        for _ in 0..<10_000 {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(-x + a * log(x) - lgamma(a))
    }

    private static func gammaQContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 10_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-17 { break }
            i += 1
        }
        return exp(-x + a * log(x) - lgamma(a)) * h
    }
}
