/// Value counts that are exact up to `capacity` distinct values and a Misra–Gries frequent-items summary beyond.
///
/// While no more than `capacity` distinct values have been seen, ``isExact`` is true and every count is exact.
/// After that, each count underestimates the true count by at most ``maximumError`` (≤ n / (capacity + 1)),
/// and every value with frequency above that bound is retained. Merging (Agarwal et al. 2012) keeps the
/// same bound. `add` is amortised O(1); merge is O(capacity log capacity).
public struct FrequentItems<Key: Hashable & Codable & Sendable & Comparable>: Sendable, Codable, Equatable {
    /// Most counters kept.
    public let capacity: Int
    /// Retained values and their (lower-bound) counts.
    public private(set) var counts: [Key: Int]
    /// Total number of values added.
    public private(set) var total: Int
    /// Sum of the amounts subtracted from all counters: the largest possible undercount of any value.
    public private(set) var maximumError: Int

    /// An empty summary.
    public init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        self.counts = [:]
        self.total = 0
        self.maximumError = 0
    }

    /// True when no value has been dropped or undercounted.
    public var isExact: Bool { maximumError == 0 }

    /// Adds `weight` occurrences of `key`.
    public mutating func add(_ key: Key, weight: Int = 1) {
        total += weight
        if let c = counts[key] {
            counts[key] = c + weight
            return
        }
        counts[key] = weight
        if counts.count > capacity { shrink() }
    }

    /// Merges another summary. - Throws: `.incompatibleSketches` when capacities differ.
    public mutating func merge(_ other: FrequentItems<Key>) throws(StatsError) {
        guard other.capacity == capacity else {
            throw StatsError(
                .incompatibleSketches, "frequent-items capacities \(capacity) and \(other.capacity) differ")
        }
        for (key, c) in other.counts { counts[key, default: 0] += c }
        total += other.total
        maximumError += other.maximumError
        if counts.count > capacity { shrink() }
    }

    /// Subtracts the (capacity+1)-th largest count from every counter and drops those at or below zero.
    private mutating func shrink() {
        let sorted = counts.values.sorted(by: >)
        let cut = sorted[capacity]
        var kept: [Key: Int] = [:]
        for (key, c) in counts where c > cut { kept[key] = c - cut }
        counts = kept
        maximumError += cut
    }

    /// The `limit` most frequent retained values, ties broken by key order.
    public func top(_ limit: Int) -> [(key: Key, count: Int)] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map {
            (key: $0.key, count: $0.value)
        }
    }
}
