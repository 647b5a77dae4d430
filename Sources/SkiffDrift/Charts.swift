import SkiffStats

/// Builds the overlay data of the HTML report: 20 equal-width bins or the 20 most common categories.
enum Charts {
    static let bins = 20

    static func numerical(sortedReference r: [Double], sortedCurrent c: [Double]) -> ColumnChart? {
        guard let lo = [r.first, c.first].compactMap({ $0 }).min(), let hi = [r.last, c.last].compactMap({ $0 }).max()
        else { return nil }
        let edges = equalEdges(lo, hi)
        return ColumnChart(
            labels: labels(edges), edges: edges, reference: shares(Binning.histogram(r, edges: edges), r.count),
            current: shares(Binning.histogram(c, edges: edges), c.count))
    }

    static func numerical(reference: ColumnProfile, current: ColumnProfile) -> ColumnChart? {
        guard let rq = reference.quantiles, let cq = current.quantiles, rq.count > 0, cq.count > 0 else { return nil }
        let lo = min(reference.moments.minimum, current.moments.minimum)
        let hi = max(reference.moments.maximum, current.moments.maximum)
        let edges = equalEdges(lo, hi)
        return ColumnChart(
            labels: labels(edges), edges: edges,
            reference: shares(SketchDrift.binCounts(rq.sortedView(), edges), rq.count),
            current: shares(SketchDrift.binCounts(cq.sortedView(), edges), cq.count))
    }

    static func categorical(reference: [String: Int], current: [String: Int]) -> ColumnChart {
        var totals = reference
        for (k, v) in current { totals[k, default: 0] += v }
        let keys = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(bins).map(
            \.key)
        let nr = max(reference.values.reduce(0, +), 1)
        let nc = max(current.values.reduce(0, +), 1)
        return ColumnChart(
            labels: keys, edges: [], reference: keys.map { Double(reference[$0] ?? 0) / Double(nr) },
            current: keys.map { Double(current[$0] ?? 0) / Double(nc) })
    }

    private static func equalEdges(_ lo: Double, _ hi: Double) -> [Double] {
        let (a, b) = lo == hi ? (lo - 0.5, hi + 0.5) : (lo, hi)
        var edges = (0...bins).map { a + (b - a) * Double($0) / Double(bins) }
        edges[bins] = b
        return edges
    }

    private static func labels(_ edges: [Double]) -> [String] {
        (0..<(edges.count - 1)).map { "\(DriftReport.format(edges[$0]))–\(DriftReport.format(edges[$0 + 1]))" }
    }

    private static func shares(_ counts: [Int], _ n: Int) -> [Double] {
        counts.map { n > 0 ? Double($0) / Double(n) : 0 }
    }
}
