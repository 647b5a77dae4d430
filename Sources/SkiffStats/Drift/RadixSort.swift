/// Sorting of finite doubles by least-significant-digit radix sort on their order-preserving bit patterns.
///
/// The IEEE-754 bits are mapped to unsigned integers that compare like the doubles (sign bit flipped for
/// positives, all bits flipped for negatives), then sorted with six passes of 11 bits (2048 counters stay in the L1 cache). O(n) time and
/// O(n) extra space; several times faster than a comparison sort from about 10,000 values. NaN must be
/// removed first; −0.0 sorts before +0.0 (they compare equal, so every consumer treats them alike).
public enum RadixSort {
    /// Returns `values` sorted ascending.
    public static func sorted(_ values: [Double]) -> [Double] {
        let n = values.count
        if n < 4096 { return values.sorted() }
        var keys = values.map { v -> UInt64 in
            let bits = v.bitPattern
            return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        }
        var scratch = [UInt64](repeating: 0, count: n)
        // All six digit histograms in one pass over the keys.
        var counts = [Int](repeating: 0, count: 6 << 11)
        keys.withUnsafeBufferPointer { k in
            counts.withUnsafeMutableBufferPointer { c in
                for key in k {
                    for pass in 0..<6 { c[pass << 11 | Int((key >> UInt64(pass * 11)) & 0x7FF)] += 1 }
                }
            }
        }
        for pass in 0..<6 {
            let shift = UInt64(pass * 11)
            let base = pass << 11
            // Skip a pass in which every key has the same digit.
            if counts[base..<(base + 2048)].contains(n) { continue }
            var total = 0
            for i in base..<(base + 2048) {
                let c = counts[i]
                counts[i] = total
                total += c
            }
            keys.withUnsafeBufferPointer { k in
                scratch.withUnsafeMutableBufferPointer { s in
                    counts.withUnsafeMutableBufferPointer { c in
                        for key in k {
                            let digit = base | Int((key >> shift) & 0x7FF)
                            s[c[digit]] = key
                            c[digit] += 1
                        }
                    }
                }
            }
            swap(&keys, &scratch)
        }
        return keys.map { key in
            Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
        }
    }
}
