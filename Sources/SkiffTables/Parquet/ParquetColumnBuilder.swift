/// Collects one column's values for a batch in the type the file stores them as (``ParquetColumn/fileType``),
/// missing rows holding a placeholder; the reader converts to a declared type afterwards.
final class ParquetColumnBuilder {
    let type: ColumnType
    // One decoder fills a builder at a time, so dynamic exclusivity checks are skipped.
    @exclusivity(unchecked) var ints: [Int64] = []
    @exclusivity(unchecked) var doubles: [Double] = []
    @exclusivity(unchecked) var floats: [Float] = []
    @exclusivity(unchecked) var bools: [Bool] = []
    @exclusivity(unchecked) var strings = StringCollector()
    @exclusivity(unchecked) var validity: Validity

    init(type: ColumnType, capacity: Int) {
        self.type = type
        validity = Validity(capacity: capacity)
        switch type {
        case .int64: ints.reserveCapacity(capacity)
        case .float64: doubles.reserveCapacity(capacity)
        case .float32: floats.reserveCapacity(capacity)
        case .boolean: bools.reserveCapacity(capacity)
        case .string: strings.reserveCapacity(capacity)
        }
    }

    /// Values appended so far, present or placeholder.
    var count: Int {
        switch type {
        case .int64: ints.count
        case .float64: doubles.count
        case .float32: floats.count
        case .boolean: bools.count
        case .string: strings.indices.count
        }
    }

    /// Spreads the values appended since `base` (the present rows of the last `levels.count` rows) to their
    /// rows, filling the rows whose definition level is 0 with placeholders.
    func spread(from base: Int, levels: [UInt32]) {
        switch type {
        case .int64: Self.spread(&ints, base: base, levels: levels, placeholder: 0)
        case .float64: Self.spread(&doubles, base: base, levels: levels, placeholder: .nan)
        case .float32: Self.spread(&floats, base: base, levels: levels, placeholder: .nan)
        case .boolean: Self.spread(&bools, base: base, levels: levels, placeholder: false)
        case .string: strings.spread(from: base, levels: levels)
        }
    }

    /// Moves `values[base...]` back to the rows whose level is 1, from the last row down, so it is one pass.
    static func spread<T>(_ values: inout [T], base: Int, levels: [UInt32], placeholder: T) {
        var source = values.count - 1
        values.append(contentsOf: repeatElement(placeholder, count: base + levels.count - values.count))
        var row = levels.count - 1
        while row >= 0 && source < base + row {
            if levels[row] != 0 {
                values[base + row] = values[source]
                source -= 1
            } else {
                values[base + row] = placeholder
            }
            row -= 1
        }
    }

    /// The values, and a fresh start.
    func finish() -> ColumnValues {
        defer {
            ints = []
            doubles = []
            floats = []
            bools = []
            strings = StringCollector()
        }
        switch type {
        case .int64: return .int64(ints)
        case .float64: return .float64(doubles)
        case .float32: return .float32(floats)
        case .boolean: return .boolean(bools)
        case .string: return .string(strings.finish())
        }
    }
}

/// A batch's strings as dictionary indices: while only dictionary-encoded pages are read, the indices are the
/// file's own and the chunk's dictionary is reused as is; the first plain value (a writer falling back from
/// dictionary encoding) re-interns the dictionary, so values stay distinct.
struct StringCollector {
    private(set) var indices: [Int32] = []
    private var base: [String] = []
    private var interned = ByteDictionary()
    private var isInterned = false
    /// Chunk dictionary index → interned index, once interned.
    private var remap: [Int32] = []

    mutating func reserveCapacity(_ capacity: Int) { indices.reserveCapacity(capacity) }

    /// Appends entries `positions` of `dictionary` (the caller checked they are in range).
    mutating func append(indices positions: [UInt32], of dictionary: [String]) {
        if !isInterned {
            if base.isEmpty { base = dictionary }
            indices.append(contentsOf: positions.lazy.map { Int32(truncatingIfNeeded: $0) })
            return
        }
        if remap.count != dictionary.count { remap = dictionary.map { interned.index(of: $0) } }
        let remap = remap
        indices.append(contentsOf: positions.lazy.map { remap[Int($0)] })
    }

    /// Appends a value given by its bytes.
    @inline(__always)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        if !isInterned {
            isInterned = true
            if !base.isEmpty {
                remap = base.map { interned.index(of: $0) }
                indices = indices.map { Int($0) < remap.count ? remap[Int($0)] : 0 }
            }
        }
        indices.append(interned.index(of: bytes))
    }

    mutating func spread(from base: Int, levels: [UInt32]) {
        ParquetColumnBuilder.spread(&indices, base: base, levels: levels, placeholder: 0)
    }

    func finish() -> DictionaryStrings {
        DictionaryStrings(dictionary: isInterned ? interned.strings : base, indices: indices)
    }
}
