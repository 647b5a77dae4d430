/// Count, mean, variance, minimum and maximum of a stream of numbers, mergeable without loss.
///
/// Method: Welford's update for single values and Chan et al.'s pairwise formula for merges
/// (M2 = M2a + M2b + δ² · na · nb / (na + nb)), both numerically stable. NaN and ±∞ are not accepted by
/// ``add(_:)``; callers count them as missing. O(1) time and space per update and per merge.
public struct Moments: Sendable, Codable, Equatable {
    /// Number of values added.
    public private(set) var count: Int = 0
    /// Running mean; 0 when empty.
    public private(set) var mean: Double = 0
    /// Sum of squared deviations from the mean.
    public private(set) var m2: Double = 0
    /// Smallest value; +∞ when empty.
    public private(set) var minimum: Double = .infinity
    /// Largest value; −∞ when empty.
    public private(set) var maximum: Double = -.infinity

    /// An empty accumulator.
    public init() {}

    /// Adds one finite value; non-finite values are ignored.
    public mutating func add(_ x: Double) {
        guard x.isFinite else { return }
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
    }

    /// Merges another accumulator into this one (Chan et al.). Exact up to rounding.
    public mutating func merge(_ other: Moments) {
        if other.count == 0 { return }
        if count == 0 {
            self = other
            return
        }
        let n = Double(count + other.count)
        let delta = other.mean - mean
        mean += delta * Double(other.count) / n
        m2 += other.m2 + delta * delta * Double(count) * Double(other.count) / n
        count += other.count
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// Population variance (divisor n); NaN when empty.
    public var populationVariance: Double { count > 0 ? m2 / Double(count) : .nan }
    /// Sample variance (divisor n − 1); NaN with fewer than two values.
    public var sampleVariance: Double { count > 1 ? m2 / Double(count - 1) : .nan }
    /// Population standard deviation; NaN when empty.
    public var populationStandardDeviation: Double { populationVariance.squareRoot() }
}
