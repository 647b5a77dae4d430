/// A mergeable summary of one column: counts, moments, quantile, distinct-count and frequency sketches.
///
/// Built one value at a time in O(1) amortised per value and merged in O(sketch size); the sketches' own
/// error bounds apply (see ``QuantileSketch``, ``HyperLogLog``, ``FrequentItems``). Missing values (empty,
/// NaN, ±∞) and unparsable numbers are counted, never added to the sketches.
public struct ColumnProfile: Sendable, Codable, Equatable {
    /// Capacity of the exact value counts kept for numerical columns (enough to decide Evidently's
    /// ≤ 5 and ≤ 20 distinct-value rules exactly).
    public static let numericValueCapacity = 64
    /// Capacity of the category counts: exact up to this many distinct categories.
    public static let categoryCapacity = 4096

    /// Column name.
    public var name: String
    /// The type the column is profiled as.
    public let kind: ColumnKind
    /// Values seen, missing ones included.
    public private(set) var rows: Int = 0
    /// Missing values (empty field, NaN, ±∞, or unparsable).
    public private(set) var missing: Int = 0
    /// Unparsable entries in a numerical column (also counted in `missing`).
    public private(set) var invalid: Int = 0
    /// True while every value was an integer and none was missing: NumPy would see an integer column.
    public private(set) var integerValued: Bool = true
    /// Count, mean, variance, min and max of the numerical values.
    public private(set) var moments = Moments()
    /// Quantile sketch of the numerical values (nil for categorical columns).
    public private(set) var quantiles: QuantileSketch?
    /// Distinct-count sketch of the non-missing values.
    public private(set) var distinct = HyperLogLog()
    /// Exact counts of numerical values while there are at most ``numericValueCapacity`` of them.
    public private(set) var values: FrequentItems<Double>?
    /// Category counts (categorical columns), exact up to ``categoryCapacity`` categories.
    public private(set) var categories: FrequentItems<String>?

    /// An empty profile. - Parameter quantileK: accuracy parameter of the quantile sketch.
    public init(name: String, kind: ColumnKind, quantileK: Int = 1024) {
        self.name = name
        self.kind = kind
        switch kind {
        case .numerical:
            quantiles = QuantileSketch(k: quantileK)
            values = FrequentItems(capacity: Self.numericValueCapacity)
        case .categorical:
            categories = FrequentItems(capacity: Self.categoryCapacity)
        }
    }

    /// Non-missing values.
    public var count: Int { rows - missing }

    /// Adds a number to a numerical column; NaN and ±∞ count as missing.
    public mutating func add(_ x: Double) {
        rows += 1
        guard x.isFinite else {
            missing += 1
            integerValued = false
            return
        }
        moments.add(x)
        quantiles?.add(x)
        distinct.add(x)
        if integerValued && x.rounded() != x { integerValued = false }
        // Stop counting once the exact counts have overflowed: the column then has > 64 distinct values.
        if values?.isExact == true { values?.add(x == 0 ? 0 : x) }
    }

    /// Adds `count` occurrences of a category to a categorical column (same result as adding it `count` times).
    public mutating func add(category: String, count: Int = 1) {
        guard count > 0 else { return }
        rows += count
        distinct.add(category)
        categories?.add(category, weight: count)
    }

    /// Counts a missing value.
    public mutating func addMissing() {
        rows += 1
        missing += 1
        integerValued = false
    }

    /// Counts an entry that could not be parsed as a number (it is also missing).
    public mutating func addInvalid() {
        addMissing()
        invalid += 1
    }

    /// Marks `count` of the missing values counted so far as entries that could not be parsed as numbers, for a
    /// reader that reports unparsable values after reading them as missing.
    public mutating func markInvalid(_ count: Int) {
        invalid += min(max(count, 0), missing - invalid)
    }

    /// Merges another profile of the same column.
    ///
    /// - Throws: `.incompatibleSketches` when the kinds or sketch parameters differ.
    public mutating func merge(_ other: ColumnProfile) throws(StatsError) {
        guard other.kind == kind else {
            throw StatsError(
                .incompatibleSketches,
                "column '\(name)' is \(kind.rawValue) in one profile and \(other.kind.rawValue) in the other")
        }
        rows += other.rows
        missing += other.missing
        invalid += other.invalid
        integerValued = integerValued && other.integerValued
        moments.merge(other.moments)
        // Merged in place through optional chaining, so no sketch is copied.
        if let oq = other.quantiles { try quantiles?.merge(oq) }
        try distinct.merge(other.distinct)
        if let ov = other.values { try values?.merge(ov) }
        if let oc = other.categories { try categories?.merge(oc) }
    }
}
