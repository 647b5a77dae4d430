import Foundation

/// Drift tests on raw samples, reproducing Evidently 0.7's legacy stattests on cleaned columns.
///
/// Missing values (NaN) and ±∞ are dropped first, as Evidently does; sizes, unique counts and proportions
/// then refer to the remaining values.
public enum ExactDrift {
    /// Tests a numerical column.
    ///
    /// - Parameters:
    ///   - reference: reference values; NaN and ±∞ are treated as missing.
    ///   - current: current values, same convention.
    ///   - method: the test; nil selects Evidently's default by reference size and unique count.
    ///   - threshold: nil uses the method's default.
    ///   - integerValued: true when both columns are integer-typed in the source (NumPy then widens Sturges
    ///     bins narrower than 1 to width 1).
    /// - Throws: `StatsError` `.emptyReference` / `.emptyCurrent` when a side has no usable value.
    /// - Complexity: O(n) radix sort, plus the test's own cost (O(n) for all but exact KS).
    public static func numerical(
        reference: [Double],
        current: [Double],
        method: DriftMethod? = nil,
        threshold: Double? = nil,
        integerValued: Bool = false
    ) throws(StatsError) -> ColumnDrift {
        var ref = reference.filter { $0.isFinite }
        var cur = current.filter { $0.isFinite }
        RadixSort.sort(&ref)
        RadixSort.sort(&cur)
        return try numerical(
            sortedReference: ref, sortedCurrent: cur, method: method, threshold: threshold,
            integerValued: integerValued)
    }

    /// Tests a numerical column whose samples are already cleaned (finite) and sorted ascending.
    ///
    /// Same semantics as ``numerical(reference:current:method:threshold:integerValued:)``.
    public static func numerical(
        sortedReference ref: [Double],
        sortedCurrent cur: [Double],
        method: DriftMethod? = nil,
        threshold: Double? = nil,
        integerValued: Bool = false
    ) throws(StatsError) -> ColumnDrift {
        if ref.isEmpty { throw StatsError(.emptyReference, "the reference column has no values") }
        if cur.isEmpty { throw StatsError(.emptyCurrent, "the current column has no values") }
        let (refValues, refCounts) = runLengths(ref)
        let (curValues, curCounts) = runLengths(cur)
        let union = mergeKeys(refValues, refCounts, curValues, curCounts)
        let chosen =
            method
            ?? DriftMethod.defaultMethod(kind: .numerical, referenceCount: ref.count, uniqueCount: union.keys.count)
        let t = threshold ?? chosen.defaultThreshold
        let n1 = ref.count
        let n2 = cur.count
        let statistic: Double
        switch chosen {
        case .ks:
            statistic = KolmogorovSmirnov.test(sortedReference: ref, sortedCurrent: cur)?.pValue ?? .nan
        case .wasserstein:
            let std = populationStandardDeviation(ref)
            statistic = wasserstein(sortedU: ref, sortedV: cur) / max(std, 0.001)
        case .chisquare:
            statistic = CountTests.chiSquare(reference: union.ref, current: union.cur)
        case .z:
            statistic = CountTests.zTest(reference: union.ref, current: union.cur)
        case .jensenshannon, .psi, .kl:
            let p: [Double]
            let q: [Double]
            if refValues.count > 20 {
                let edges = Binning.sturgesEdges(
                    minimum: min(ref[0], cur[0]), maximum: max(ref[n1 - 1], cur[n2 - 1]), count: n1 + n2,
                    integerValued: integerValued)
                p = sortedHistogram(ref, edges: edges).map { Double($0) / Double(n1) }
                q = sortedHistogram(cur, edges: edges).map { Double($0) / Double(n2) }
            } else {
                p = union.ref.map { Double($0) / Double(n1) }
                q = union.cur.map { Double($0) / Double(n2) }
            }
            statistic = CountTests.binnedDistance(chosen, p, q)
        case .hellinger:
            let keys = union.keys
            let edges = Binning.sturgesEdges(
                minimum: keys[0], maximum: keys[keys.count - 1], count: keys.count, integerValued: integerValued)
            statistic = CountTests.hellingerDensity(
                referenceCounts: sortedHistogram(ref, edges: edges),
                currentCounts: sortedHistogram(cur, edges: edges), edges: edges)
        }
        return ColumnDrift(method: chosen, statistic: statistic, threshold: t)
    }

    /// Tests a categorical column given its value counts (missing values excluded).
    ///
    /// - Throws: `.emptyReference` / `.emptyCurrent` when a side has no value, `.methodNotApplicable` for
    ///   KS and Wasserstein.
    /// - Complexity: O(k log k) for k categories.
    public static func categorical(
        reference: [String: Int],
        current: [String: Int],
        method: DriftMethod? = nil,
        threshold: Double? = nil
    ) throws(StatsError) -> ColumnDrift {
        let n1 = reference.values.reduce(0, +)
        let n2 = current.values.reduce(0, +)
        if n1 == 0 { throw StatsError(.emptyReference, "the reference column has no values") }
        if n2 == 0 { throw StatsError(.emptyCurrent, "the current column has no values") }
        let keys = Set(reference.keys.filter { reference[$0]! > 0 }).union(current.keys.filter { current[$0]! > 0 })
            .sorted()
        let ref = keys.map { reference[$0] ?? 0 }
        let cur = keys.map { current[$0] ?? 0 }
        let chosen =
            method ?? DriftMethod.defaultMethod(kind: .categorical, referenceCount: n1, uniqueCount: keys.count)
        let t = threshold ?? chosen.defaultThreshold
        let statistic: Double
        switch chosen {
        case .ks, .wasserstein:
            throw StatsError(.methodNotApplicable, "\(chosen.rawValue) applies to numerical columns only")
        case .chisquare:
            statistic = CountTests.chiSquare(reference: ref, current: cur)
        case .z:
            statistic = CountTests.zTest(reference: ref, current: cur)
        case .jensenshannon, .psi, .kl:
            statistic = CountTests.binnedDistance(
                chosen, ref.map { Double($0) / Double(n1) }, cur.map { Double($0) / Double(n2) })
        case .hellinger:
            statistic = CountTests.hellingerDiscrete(reference: ref, current: cur)
        }
        return ColumnDrift(method: chosen, statistic: statistic, threshold: t)
    }

    /// Population standard deviation (ddof 0) by two passes over the data. NaN for an empty sample.
    public static func populationStandardDeviation(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let mean = Divergences.compensatedSum(x) / Double(x.count)
        let squares = Divergences.compensatedSum(x.map { ($0 - mean) * ($0 - mean) })
        return (squares / Double(x.count)).squareRoot()
    }

    /// The Wasserstein-1 distance ∫|F_u − F_v| between two sorted, non-empty samples. O(n + m).
    public static func wasserstein(sortedU u: [Double], sortedV v: [Double]) -> Double {
        let nu = Double(u.count)
        let nv = Double(v.count)
        var i = 0
        var j = 0
        var sum = 0.0
        var compensation = 0.0
        var previous = min(u[0], v[0])
        while i < u.count || j < v.count {
            let x: Double
            if j >= v.count || (i < u.count && u[i] <= v[j]) { x = u[i] } else { x = v[j] }
            let term = abs(Double(i) / nu - Double(j) / nv) * (x - previous)
            let t = sum + term
            compensation += abs(sum) >= abs(term) ? (sum - t) + term : (term - t) + sum
            sum = t
            previous = x
            while i < u.count && u[i] <= x { i += 1 }
            while j < v.count && v[j] <= x { j += 1 }
        }
        return sum + compensation
    }

    /// Distinct values and their counts of a sorted sample.
    static func runLengths(_ sorted: [Double]) -> ([Double], [Int]) {
        var values: [Double] = []
        var counts: [Int] = []
        for x in sorted {
            if let last = values.last, last == x {
                counts[counts.count - 1] += 1
            } else {
                values.append(x)
                counts.append(1)
            }
        }
        return (values, counts)
    }

    /// Aligns two sorted key/count lists over the union of their keys.
    static func mergeKeys(_ a: [Double], _ ac: [Int], _ b: [Double], _ bc: [Int]) -> (
        keys: [Double], ref: [Int], cur: [Int]
    ) {
        var keys: [Double] = []
        var ref: [Int] = []
        var cur: [Int] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j >= b.count || (i < a.count && a[i] < b[j]) {
                keys.append(a[i])
                ref.append(ac[i])
                cur.append(0)
                i += 1
            } else if i >= a.count || b[j] < a[i] {
                keys.append(b[j])
                ref.append(0)
                cur.append(bc[j])
                j += 1
            } else {
                keys.append(a[i])
                ref.append(ac[i])
                cur.append(bc[j])
                i += 1
                j += 1
            }
        }
        return (keys, ref, cur)
    }

    /// Histogram of a sorted sample; same bin rule as ``Binning/histogram(_:edges:)``.
    static func sortedHistogram(_ sorted: [Double], edges: [Double]) -> [Int] {
        Binning.histogram(sorted, edges: edges)
    }
}
