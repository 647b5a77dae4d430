/// Collects one column's values from text fields into a typed column, a batch at a time.
///
/// A column whose type was inferred as int64 widens to float64 when a later field is a fraction (or beyond
/// Int64), as pandas would have typed the whole column; a declared type never changes.
final class ColumnBuilder {
    // A builder belongs to one reader, used by one thread at a time, so dynamic exclusivity checks are skipped.
    let name: String
    @exclusivity(unchecked) private(set) var type: ColumnType
    private let mayWiden: Bool
    @exclusivity(unchecked) private var ints: [Int64] = []
    @exclusivity(unchecked) private var floats: [Double] = []
    @exclusivity(unchecked) private var float32s: [Float] = []
    @exclusivity(unchecked) private var bools: [Bool] = []
    @exclusivity(unchecked) private var indices: [Int32] = []
    @exclusivity(unchecked) private var dictionary = ByteDictionary()
    @exclusivity(unchecked) private var validity: Validity
    private let capacity: Int

    init(name: String, type: ColumnType, inferred: Bool, capacity: Int) {
        self.name = name
        self.type = type
        mayWiden = inferred && type == .int64
        self.capacity = capacity
        validity = Validity(capacity: capacity)
        reserve()
    }

    private func reserve() {
        switch type {
        case .int64: ints.reserveCapacity(capacity)
        case .float64: floats.reserveCapacity(capacity)
        case .float32: float32s.reserveCapacity(capacity)
        case .boolean: bools.reserveCapacity(capacity)
        case .string: indices.reserveCapacity(capacity)
        }
    }

    /// Appends a missing value.
    @inline(__always)
    func appendMissing() {
        validity.append(false)
        switch type {
        case .int64: ints.append(0)
        case .float64: floats.append(.nan)
        case .float32: float32s.append(.nan)
        case .boolean: bools.append(false)
        case .string: indices.append(0)
        }
    }

    /// Appends one field; false when it does not have the column's type (nothing is appended then).
    @inline(__always)
    func append(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if TextValues.isMissing(field) {
            appendMissing()
            return true
        }
        switch type {
        case .float64:
            guard let x = TextValues.double(field) else { return false }
            floats.append(x)
        case .int64:
            if let x = TextValues.int64(field) {
                ints.append(x)
            } else if mayWiden, let x = TextValues.double(field) {
                widen()
                floats.append(x)
            } else {
                return false
            }
        case .float32:
            guard let x = TextValues.double(field) else { return false }
            float32s.append(Float(x))
        case .boolean:
            guard let x = TextValues.boolean(field, numeric: true) else { return false }
            bools.append(x)
        case .string:
            indices.append(dictionary.index(of: field))
        }
        validity.append(true)
        return true
    }

    /// Appends text to a string column as it is: JSON strings are never missing markers.
    @inline(__always)
    func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(type == .string)
        indices.append(dictionary.index(of: bytes))
        validity.append(true)
    }

    func append(boolean: Bool) -> Bool {
        guard type == .boolean else { return false }
        bools.append(boolean)
        validity.append(true)
        return true
    }

    func append(string: String) {
        precondition(type == .string)
        indices.append(dictionary.index(of: string))
        validity.append(true)
    }

    private func widen() {
        floats = ints.map(Double.init)
        for i in 0..<validity.count where !validity[i] { floats[i] = .nan }
        floats.reserveCapacity(capacity)
        ints = []
        type = .float64
    }

    /// The column so far, and a fresh start for the next batch.
    func finish() -> Column {
        let values: ColumnValues
        switch type {
        case .int64: values = .int64(ints)
        case .float64: values = .float64(floats)
        case .float32: values = .float32(float32s)
        case .boolean: values = .boolean(bools)
        case .string: values = .string(DictionaryStrings(dictionary: dictionary.strings, indices: indices))
        }
        let column = Column(values, validity: validity)
        ints = []
        floats = []
        float32s = []
        bools = []
        indices = []
        dictionary = ByteDictionary()
        validity = Validity(capacity: capacity)
        reserve()
        return column
    }
}

/// Infers a column's type from sample fields as pandas would type it: all integers → int64, all numbers →
/// float64, all `True`/`False` → boolean, anything else → string; missing fields do not count, and a sample
/// with none but missing values gives float64 (pandas' all-NaN column).
struct TypeInference {
    private var integers = true
    private var numbers = true
    private var booleans = true
    private var seen = false

    mutating func add(_ field: UnsafeBufferPointer<UInt8>) {
        if TextValues.isMissing(field) { return }
        seen = true
        if integers && TextValues.int64(field) == nil { integers = false }
        if numbers && !integers && TextValues.double(field) == nil { numbers = false }
        if booleans && TextValues.boolean(field) == nil { booleans = false }
    }

    mutating func add(json value: JSONScalar) {
        switch value {
        case .missing: return
        case .number(_, let integer):
            seen = true
            booleans = false
            if integer == nil { integers = false }
        case .boolean:
            seen = true
            integers = false
            numbers = false
        case .text:
            seen = true
            integers = false
            numbers = false
            booleans = false
        }
    }

    var type: ColumnType {
        if !seen { return .float64 }
        if integers { return .int64 }
        if numbers { return .float64 }
        if booleans { return .boolean }
        return .string
    }
}
