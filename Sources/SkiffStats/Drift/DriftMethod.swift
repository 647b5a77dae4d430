/// A per-column drift test, named as Evidently names it.
///
/// Hypothesis tests report a p-value and flag drift when it falls below the threshold (KS also when it
/// equals it); distances report a distance and flag drift when it reaches the threshold.
public enum DriftMethod: String, Sendable, Codable, CaseIterable {
    /// Two-sample Kolmogorov–Smirnov, p-value; drift when p ≤ threshold.
    case ks
    /// Pearson chi-squared goodness of fit of current counts against scaled reference counts; drift when p < threshold.
    case chisquare
    /// Pooled two-proportion Z-test; drift when p < threshold.
    case z
    /// Wasserstein-1 distance divided by the reference's population standard deviation; drift when ≥ threshold.
    case wasserstein
    /// Jensen–Shannon distance (natural log) over Evidently's bins; drift when ≥ threshold.
    case jensenshannon
    /// Population stability index over Evidently's bins with zero fill; drift when ≥ threshold.
    case psi
    /// Kullback–Leibler divergence KL(reference ‖ current) over Evidently's bins with zero fill; drift when ≥ threshold.
    case kl = "kl_div"
    /// Hellinger distance; drift when ≥ threshold.
    case hellinger

    /// Parses a method name as written on the command line (`ks`, `chisquare`, `z`, `wasserstein`,
    /// `jensenshannon`, `psi`, `kl_div`, `hellinger`, plus the aliases `chi2`, `js`, `kl`).
    public init?(name: String) {
        switch name.lowercased() {
        case "chi2", "chi_square", "chi-square", "chisquare": self = .chisquare
        case "js", "jensen_shannon", "jensenshannon": self = .jensenshannon
        case "kl", "kl_div", "kl-div": self = .kl
        case "wasserstein", "wasserstein_distance_norm", "wd": self = .wasserstein
        case "z", "ztest", "z-test": self = .z
        default:
            guard let value = DriftMethod(rawValue: name.lowercased()) else { return nil }
            self = value
        }
    }

    /// True for the hypothesis tests, whose statistic is a p-value.
    public var isHypothesisTest: Bool {
        switch self {
        case .ks, .chisquare, .z: true
        default: false
        }
    }

    /// Evidently's default threshold for the method: 0.05 for the p-value tests, 0.1 for the distances.
    public var defaultThreshold: Double { isHypothesisTest ? 0.05 : 0.1 }

    /// Applies Evidently's comparison direction: `p ≤ t` for KS, `p < t` for chi-squared and Z,
    /// `s ≥ t` for distances. A NaN statistic is never drift.
    public func isDrift(statistic: Double, threshold: Double) -> Bool {
        if statistic.isNaN { return false }
        switch self {
        case .ks: return statistic <= threshold
        case .chisquare, .z: return statistic < threshold
        default: return statistic >= threshold
        }
    }

    /// A human-readable name for tables and reports.
    public var displayName: String {
        switch self {
        case .ks: "K-S p_value"
        case .chisquare: "chi-square p_value"
        case .z: "Z-test p_value"
        case .wasserstein: "Wasserstein distance (normed)"
        case .jensenshannon: "Jensen-Shannon distance"
        case .psi: "PSI"
        case .kl: "Kullback-Leibler divergence"
        case .hellinger: "Hellinger distance (normed)"
        }
    }

    /// Evidently's default test for a column.
    ///
    /// - Parameters:
    ///   - kind: the column's type.
    ///   - referenceCount: non-missing values in the reference sample.
    ///   - uniqueCount: distinct non-missing values in reference and current together.
    public static func defaultMethod(kind: ColumnKind, referenceCount: Int, uniqueCount: Int) -> DriftMethod {
        let small = referenceCount <= 1000
        switch kind {
        case .numerical:
            if uniqueCount > 5 { return small ? .ks : .wasserstein }
            if !small { return .jensenshannon }
            return uniqueCount > 2 ? .chisquare : .z
        case .categorical:
            if !small { return .jensenshannon }
            return uniqueCount > 2 ? .chisquare : .z
        }
    }
}

/// The type a column is tested as.
public enum ColumnKind: String, Sendable, Codable {
    /// Real numbers; missing values are NaN.
    case numerical
    /// Labels compared by equality.
    case categorical
}
