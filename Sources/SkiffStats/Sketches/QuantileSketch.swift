import Foundation

/// A KLL quantile sketch (Karnin, Lang & Liberty 2016) over finite doubles, mergeable.
///
/// Items live in levels; an item at level h stands for 2ʰ input values. When a level exceeds its capacity
/// (k at the top, shrinking by 2/3 per level below, at least 2) it is sorted and every other item, starting
/// at a pseudo-random offset, moves up one level. Until the first compaction (n < k) the sketch is exact.
///
/// Error bound: with probability ≥ 99 %, every rank estimate is within ε·n of the true rank, with
/// ε ≈ 1.65 / (k / 200)^0.94 % — about 0.35 % at the default k = 1024 (the figures Apache DataSketches
/// publishes for this construction). Merging two sketches gives the same guarantee as one sketch of the union.
/// Space O(k + log(n/k)) values; `add` is amortised O(log k); rank queries O(retained · log) after sorting.
/// The offset generator is seeded deterministically, so the same input gives the same sketch.
public struct QuantileSketch: Sendable, Codable {
    /// The accuracy parameter: the capacity of the top level.
    public let k: Int
    /// Items per level; level h has weight 2ʰ.
    var levels: [[Double]]
    /// Number of values represented.
    public private(set) var count: Int
    var randomState: UInt64
    /// Capacity of level 0 for the current number of levels, cached so `add` does no floating-point work.
    /// Not serialised: a decoded sketch starts at the minimum, and its first `add` recomputes it.
    var baseCapacity = 2
    /// Capacities of all levels, recomputed when a level is added. Not serialised.
    var capacities: [Int] = []

    enum CodingKeys: String, CodingKey { case k, levels, count, randomState }

    /// An empty sketch. - Parameter k: accuracy parameter, at least 8 (default 1024).
    public init(k: Int = 1024) {
        self.k = Swift.max(8, k)
        self.levels = [[]]
        self.count = 0
        self.randomState = 0x9E37_79B9_7F4A_7C15
        self.baseCapacity = self.k
    }

    /// True while no compaction has happened: every input value is retained with weight 1.
    public var isExact: Bool { levels.count == 1 }

    /// Number of values retained.
    public var retained: Int { levels.reduce(0) { $0 + $1.count } }

    func capacity(_ level: Int) -> Int {
        let depth = levels.count - 1 - level
        return Swift.max(2, Int((Double(k) * pow(2.0 / 3.0, Double(depth))).rounded(.up)))
    }

    /// Adds one value; NaN and ±∞ are ignored.
    public mutating func add(_ x: Double) {
        guard x.isFinite else { return }
        levels[0].append(x)
        count += 1
        if levels[0].count >= baseCapacity { compress() }
    }

    /// Merges another sketch into this one. - Throws: `.incompatibleSketches` when `k` differs.
    public mutating func merge(_ other: QuantileSketch) throws(StatsError) {
        guard other.k == k else {
            throw StatsError(.incompatibleSketches, "quantile sketches with k \(k) and \(other.k) cannot be merged")
        }
        while levels.count < other.levels.count { levels.append([]) }
        for (h, items) in other.levels.enumerated() { levels[h].append(contentsOf: items) }
        count += other.count
        compress()
    }

    private mutating func nextBit() -> Int {
        randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) & 1)
    }

    private mutating func refreshCapacities() {
        capacities = (0..<levels.count).map { capacity($0) }
    }

    private mutating func compress() {
        if capacities.count != levels.count { refreshCapacities() }
        var h = 0
        while h < levels.count {
            if levels[h].count >= capacities[h] {
                if h + 1 == levels.count {
                    levels.append([])
                    refreshCapacities()
                }
                var items = levels[h]
                items.sort()
                var keep: [Double] = []
                if items.count % 2 == 1 {
                    keep.append(items.removeLast())
                }
                let offset = nextBit()
                var promoted: [Double] = []
                promoted.reserveCapacity(items.count / 2)
                var i = offset
                while i < items.count {
                    promoted.append(items[i])
                    i += 2
                }
                levels[h] = keep
                levels[h + 1].append(contentsOf: promoted)
            }
            h += 1
        }
        baseCapacity = capacities[0]
    }

    /// A sorted, weighted view of the retained items for rank and CDF queries.
    public func sortedView() -> SortedView {
        var pairs: [(Double, Int)] = []
        pairs.reserveCapacity(retained)
        for (h, items) in levels.enumerated() {
            let w = 1 << h
            for x in items { pairs.append((x, w)) }
        }
        pairs.sort { $0.0 < $1.0 }
        var values: [Double] = []
        var cumulative: [Int] = []
        var total = 0
        for (x, w) in pairs {
            total += w
            if let last = values.last, last == x {
                cumulative[cumulative.count - 1] = total
            } else {
                values.append(x)
                cumulative.append(total)
            }
        }
        return SortedView(values: values, cumulative: cumulative)
    }

    /// Retained items in sorted order with cumulative weights: an approximate empirical distribution.
    public struct SortedView: Sendable {
        /// Distinct retained values, ascending.
        public let values: [Double]
        /// Total weight of items ≤ `values[i]`.
        public let cumulative: [Int]

        /// Total weight (the number of values the sketch represents).
        public var total: Int { cumulative.last ?? 0 }

        /// Estimated number of input values ≤ x. O(log retained).
        public func rankInclusive(_ x: Double) -> Int {
            var lo = 0
            var hi = values.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if values[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            return lo == 0 ? 0 : cumulative[lo - 1]
        }

        /// Estimated number of input values < x. O(log retained).
        public func rankExclusive(_ x: Double) -> Int {
            var lo = 0
            var hi = values.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if values[mid] < x { lo = mid + 1 } else { hi = mid }
            }
            return lo == 0 ? 0 : cumulative[lo - 1]
        }

        /// The estimated q-quantile (smallest retained value whose normalised rank reaches q). NaN when empty.
        public func quantile(_ q: Double) -> Double {
            guard !values.isEmpty else { return .nan }
            let target = q * Double(total)
            for (i, c) in cumulative.enumerated() where Double(c) >= target { return values[i] }
            return values[values.count - 1]
        }
    }

    /// Sketches are equal when they hold the same items with the same parameters and generator state.
    public static func == (a: QuantileSketch, b: QuantileSketch) -> Bool {
        a.k == b.k && a.levels == b.levels && a.count == b.count && a.randomState == b.randomState
    }
}

extension QuantileSketch: Equatable {}
