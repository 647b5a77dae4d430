/// Counts distinct byte strings without creating a `String` per value: an open-addressing hash table keyed by
/// FNV-1a hashes, with the bytes compared on collision. Amortised O(length) per value.
final class CategoryCounter {
    // Used by one thread at a time (the reader of one file), so dynamic exclusivity checks are skipped.
    @exclusivity(unchecked) private var keys: [[UInt8]] = []
    @exclusivity(unchecked) private var counts: [Int] = []
    @exclusivity(unchecked) private var hashes: [UInt64] = []
    @exclusivity(unchecked) private var slots: [Int32]  // index into keys, −1 when empty
    private var mask: Int

    init() {
        slots = [Int32](repeating: -1, count: 64)
        mask = 63
    }

    func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { break }
            if hashes[index] == h && keys[index].elementsEqual(bytes) {
                counts[index] += 1
                return
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(keys.count)
        keys.append(Array(bytes))
        counts.append(1)
        hashes.append(h)
        if keys.count * 2 > slots.count { grow() }
    }

    private func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (index, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// The counts keyed by the values as strings.
    var dictionary: [String: Int] {
        var out = [String: Int](minimumCapacity: keys.count)
        for (i, key) in keys.enumerated() { out[String(decoding: key, as: UTF8.self), default: 0] += counts[i] }
        return out
    }
}
