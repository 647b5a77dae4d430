import Foundation

/// Equal-width histograms with NumPy's `histogram_bin_edges(bins="sturges")` edges.
public enum Binning {
    /// The Sturges bin edges for a combined sample of `count` values spanning `minimum...maximum`.
    ///
    /// Width = (max − min) / (log₂ count + 1); bins = ⌈(max − min) / width⌉; edges are `min + i · step`
    /// with the last edge exactly `max`, as NumPy builds them. A zero range widens to `min − 0.5 ... max + 0.5`
    /// with one bin. When `integerValued` is true and the width is below 1 it becomes 1 (NumPy's rule for
    /// integer arrays). Returns an empty array when `count == 0` or a bound is not finite.
    public static func sturgesEdges(minimum: Double, maximum: Double, count: Int, integerValued: Bool = false)
        -> [Double]
    {
        guard count > 0, minimum.isFinite, maximum.isFinite else { return [] }
        var first = minimum
        var last = maximum
        if first == last {
            first -= 0.5
            last += 0.5
        }
        var width = (maximum - minimum) / (log2(Double(count)) + 1.0)
        let bins: Int
        if width != 0 {
            if integerValued && width < 1 { width = 1 }
            bins = Int(((last - first) / width).rounded(.up))
        } else {
            bins = 1
        }
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        return edges
    }

    /// Counts values into the bins given by `edges`: bin i holds `edges[i] ≤ x < edges[i+1]`, the last bin
    /// is closed. NaN and out-of-range values are not counted. Complexity O(n).
    public static func histogram(_ values: [Double], edges: [Double]) -> [Int] {
        let bins = edges.count - 1
        guard bins > 0 else { return [] }
        var counts = [Int](repeating: 0, count: bins)
        let first = edges[0]
        let last = edges[bins]
        let span = last - first
        for x in values {
            guard x >= first && x <= last else { continue }
            counts[binIndex(x, edges: edges, first: first, span: span, bins: bins)] += 1
        }
        return counts
    }

    /// The bin of one in-range value, computed the way NumPy does for equal-width bins.
    @inline(__always)
    static func binIndex(_ x: Double, edges: [Double], first: Double, span: Double, bins: Int) -> Int {
        var index = Int((x - first) / span * Double(bins))
        if index >= bins { index = bins - 1 }
        if index < 0 { index = 0 }
        if x < edges[index] {
            index -= 1
        } else if index != bins - 1 && x >= edges[index + 1] {
            index += 1
        }
        return index
    }
}
