/// Interns byte strings: the same bytes always get the same index, and each distinct value becomes a `String`
/// once. An open-addressing table keyed by FNV-1a hashes, bytes compared on collision; amortised O(length).
struct ByteDictionary {
    private(set) var strings: [String] = []
    private var keys: [[UInt8]] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]  // index into keys, −1 when empty
    private var mask: Int

    init() {
        slots = [Int32](repeating: -1, count: 64)
        mask = 63
    }

    var count: Int { keys.count }

    /// The index of `bytes`, added when new.
    @inline(__always)
    mutating func index(of bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { break }
            if hashes[index] == h && keys[index].elementsEqual(bytes) { return Int32(index) }
            slot = (slot + 1) & mask
        }
        let index = Int32(keys.count)
        slots[slot] = index
        keys.append(Array(bytes))
        strings.append(String(decoding: bytes, as: UTF8.self))
        hashes.append(h)
        if keys.count * 2 > slots.count { grow() }
        return index
    }

    /// The index of a string, added when new.
    mutating func index(of string: String) -> Int32 {
        var string = string
        return string.withUTF8 { index(of: $0) }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (index, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }
}
