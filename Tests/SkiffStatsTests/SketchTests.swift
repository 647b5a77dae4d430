import Foundation
import SkiffStats
import Testing

/// A seeded generator so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func normal(mean: Double = 0, std: Double = 1) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return mean + std * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

func profile(_ name: String, _ values: [Double], k: Int = 1024) -> ColumnProfile {
    var p = ColumnProfile(name: name, kind: .numerical, quantileK: k)
    for v in values { p.add(v) }
    return p
}

@Suite("Sketches and profiles")
struct SketchTests {
    @Test("Moments merged from random splits equal moments of the whole", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func momentsMerge(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let values = (0..<5_000).map { _ in rng.normal(mean: 1e6, std: 3) }
        var whole = Moments()
        for v in values { whole.add(v) }
        var parts = [Moments](repeating: Moments(), count: 7)
        for v in values { parts[Int.random(in: 0..<7, using: &rng)].add(v) }
        var merged = Moments()
        for part in parts.shuffled(using: &rng) { merged.merge(part) }
        #expect(merged.count == whole.count)
        #expect(close(merged.mean, whole.mean, relative: 1e-13))
        #expect(close(merged.populationVariance, whole.populationVariance, relative: 1e-9))
        #expect(merged.minimum == values.min() && merged.maximum == values.max())
        #expect(
            close(merged.populationStandardDeviation, ExactDrift.populationStandardDeviation(values), relative: 1e-9))
    }

    @Test("HyperLogLog merge equals the sketch of the union, estimate within 5 %", arguments: [11, 12, 13] as [UInt64])
    func hyperLogLog(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var whole = HyperLogLog()
        var a = HyperLogLog()
        var b = HyperLogLog()
        for i in 0..<50_000 {
            let x = Double(Int.random(in: 0..<30_000, using: &rng))
            whole.add(x)
            if i % 3 == 0 { a.add(x) } else { b.add(x) }
        }
        try a.merge(b)
        #expect(a == whole)
        let truth = 30_000 * (1 - exp(-50_000.0 / 30_000))
        #expect(abs(whole.estimate - truth) / truth < 0.05)
        var small = HyperLogLog()
        for s in ["a", "b", "c", "a"] { small.add(s) }
        #expect(abs(small.estimate - 3) < 0.5)
    }

    @Test(
        "Quantile sketch: exact below k, rank error within bound after compaction and merge",
        arguments: [21, 22] as [UInt64])
    func quantileSketch(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var small = QuantileSketch(k: 256)
        let few = (0..<200).map { _ in rng.normal() }
        for v in few { small.add(v) }
        #expect(small.isExact)
        let sortedFew = few.sorted()
        #expect(small.sortedView().rankInclusive(sortedFew[99]) == 100)

        let values = (0..<200_000).map { _ in rng.normal() }
        var parts = [QuantileSketch](repeating: QuantileSketch(k: 256), count: 4)
        for (i, v) in values.enumerated() { parts[i % 4].add(v) }
        var merged = parts[0]
        for p in parts.dropFirst() { try merged.merge(p) }
        #expect(merged.count == values.count)
        #expect(!merged.isExact)
        let view = merged.sortedView()
        #expect(view.total == values.count)
        let sorted = values.sorted()
        var worst = 0.0
        for q in stride(from: 0.01, to: 1.0, by: 0.01) {
            let x = sorted[Int(q * Double(sorted.count))]
            let err = abs(Double(view.rankInclusive(x)) - q * Double(sorted.count) - 1) / Double(sorted.count)
            worst = max(worst, err)
        }
        // Bound for k = 256: about 1.3 % at 99 % confidence.
        #expect(worst < 0.013, "worst normalised rank error \(worst)")
        var other = QuantileSketch(k: 128)
        other.add(1)
        #expect(throws: StatsError.self) { try merged.merge(other) }
    }

    @Test("Frequent items are exact under capacity and bound the error above it")
    func frequentItems() throws {
        var a = FrequentItems<String>(capacity: 3)
        for s in ["x", "y", "x", "z"] { a.add(s) }
        #expect(a.isExact && a.counts == ["x": 2, "y": 1, "z": 1])
        var heavy = FrequentItems<Int>(capacity: 10)
        var truth = [Int: Int]()
        var rng = SplitMix64(seed: 5)
        for _ in 0..<10_000 {
            let v =
                Bool.random(using: &rng) ? Int.random(in: 0..<3, using: &rng) : Int.random(in: 0..<1000, using: &rng)
            heavy.add(v)
            truth[v, default: 0] += 1
        }
        #expect(!heavy.isExact)
        #expect(heavy.maximumError <= 10_000 / 11)
        for v in 0..<3 {
            let estimate = try #require(heavy.counts[v])
            #expect(estimate <= truth[v]! && truth[v]! - estimate <= heavy.maximumError)
        }
    }

    @Test("Profiles round-trip through serialisation and reject other formats")
    func serialisation() throws {
        var rng = SplitMix64(seed: 9)
        var num = ColumnProfile(name: "x", kind: .numerical, quantileK: 64)
        for _ in 0..<1000 { num.add(rng.normal()) }
        num.addMissing()
        num.addInvalid()
        var cat = ColumnProfile(name: "c", kind: .categorical)
        for s in ["a", "b", "a"] { cat.add(category: s) }
        let empty = ColumnProfile(name: "e", kind: .numerical)
        let dataset = DatasetProfile(rows: 1002, columns: [num, cat, empty])
        let data = try dataset.serialized()
        let back = try DatasetProfile.deserialized(data)
        #expect(back == dataset)
        #expect(back.column(named: "x")?.invalid == 1)
        #expect(throws: StatsError.self) { try DatasetProfile.deserialized(Data("{\"a\":1}".utf8)) }
        let future = String(decoding: data, as: UTF8.self).replacingOccurrences(
            of: "\"version\":1", with: "\"version\":99")
        #expect(throws: StatsError.self) { try DatasetProfile.deserialized(Data(future.utf8)) }
    }

    @Test(
        "Merged dataset profiles give the same drift verdict as one profile of all rows",
        arguments: [31, 32, 33] as [UInt64])
    func mergedProfileDrift(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let ref = (0..<6_000).map { _ in rng.normal() }
        let cur = (0..<6_000).map { _ in rng.normal(mean: 0.15) }
        let whole = profile("x", ref)
        var merged = profile("x", Array(ref[0..<2_500]))
        try merged.merge(profile("x", Array(ref[2_500...])))
        let current = profile("x", cur)
        let a = try SketchDrift.test(reference: whole, current: current)
        let b = try SketchDrift.test(reference: merged, current: current)
        let exact = try ExactDrift.numerical(reference: ref, current: cur)
        #expect(a.method == .wasserstein && b.method == .wasserstein)
        #expect(a.drifted == exact.drifted && b.drifted == exact.drifted)
        #expect(abs(a.statistic - exact.statistic) < 0.01 && abs(b.statistic - exact.statistic) < 0.01)
    }
}

@Suite("Radix sort")
struct RadixSortTests {
    @Test("Sorts like the standard library, negatives, zeros and extremes included", arguments: [100, 5_000, 70_000])
    func matchesStandardSort(count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        var values = (0..<count).map { _ in rng.normal(std: 1e3) }
        values += [0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -1, 1]
        let expected = values.sorted()
        let actual = RadixSort.sorted(values)
        #expect(actual.count == expected.count)
        #expect(zip(actual, expected).allSatisfy { $0 == $1 })
    }
}
