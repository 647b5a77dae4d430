/// Which values of a column are present: one bit per row, set when the value is there.
public struct Validity: Sendable, Equatable {
    /// The bits, 64 rows a word.
    public private(set) var words: [UInt64]
    /// Rows described.
    public private(set) var count: Int
    /// Rows whose value is missing.
    public private(set) var missingCount: Int

    /// `count` rows, all present.
    public init(allValid count: Int) {
        words = [UInt64](repeating: ~0, count: (count + 63) / 64)
        self.count = count
        missingCount = 0
    }

    /// An empty bitmap with room for `capacity` rows.
    public init(capacity: Int = 0) {
        words = []
        words.reserveCapacity((capacity + 63) / 64)
        count = 0
        missingCount = 0
    }

    /// Appends one row.
    @inline(__always)
    public mutating func append(_ valid: Bool) {
        if count & 63 == 0 { words.append(0) }
        if valid {
            words[count >> 6] |= 1 << UInt64(count & 63)
        } else {
            missingCount += 1
        }
        count += 1
    }

    /// Appends one row per definition level: 1 present, 0 missing (levels checked to be 0 or 1).
    mutating func append(levels: [UInt32], present: Int) {
        if present == levels.count {
            appendPresent(present)
            return
        }
        words.reserveCapacity((count + levels.count + 63) / 64)
        for level in levels {
            if count & 63 == 0 { words.append(0) }
            words[count >> 6] |= UInt64(level & 1) << UInt64(count & 63)
            missingCount += Int(1 &- (level & 1))
            count += 1
        }
    }

    /// Appends `n` present rows.
    mutating func appendPresent(_ n: Int) {
        var left = n
        while left > 0 && count & 63 != 0 {
            words[count >> 6] |= 1 << UInt64(count & 63)
            count += 1
            left -= 1
        }
        words.append(contentsOf: repeatElement(~0, count: (left + 63) / 64))
        if left & 63 != 0 { words[words.count - 1] = (1 << UInt64(left & 63)) - 1 }
        count += left
    }

    /// Marks row `i` missing.
    public mutating func setMissing(_ i: Int) {
        precondition(i < count)
        let bit: UInt64 = 1 << UInt64(i & 63)
        if words[i >> 6] & bit != 0 {
            words[i >> 6] &= ~bit
            missingCount += 1
        }
    }

    /// True when row `i` has a value.
    @inline(__always)
    public subscript(i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
}

/// Strings stored once each: every row holds an index into `dictionary`.
public struct DictionaryStrings: Sendable, Equatable {
    /// Distinct values, in first-seen order.
    public var dictionary: [String]
    /// One index per row (meaningless where the row is missing).
    public var indices: [Int32]

    public init(dictionary: [String], indices: [Int32]) {
        self.dictionary = dictionary
        self.indices = indices
    }

    /// `values` with each distinct one stored once, in first-seen order.
    public init(interning values: [String]) {
        var positions: [String: Int32] = [:]
        var distinct: [String] = []
        indices = values.map { value in
            if let known = positions[value] { return known }
            let index = Int32(distinct.count)
            positions[value] = index
            distinct.append(value)
            return index
        }
        dictionary = distinct
    }
}

/// A column's values, by type.
public enum ColumnValues: Sendable, Equatable {
    case int64([Int64])
    case float32([Float])
    case float64([Double])
    case boolean([Bool])
    case string(DictionaryStrings)
}

/// The values of one column for the rows of a batch, with what is missing.
public struct Column: Sendable, Equatable {
    /// The values; a missing row holds an unspecified placeholder.
    public var values: ColumnValues
    /// Which rows are present; nil when all are.
    public var validity: Validity?

    public init(_ values: ColumnValues, validity: Validity? = nil) {
        self.values = values
        self.validity = validity.flatMap { $0.missingCount == 0 ? nil : $0 }
    }

    /// The type of the values.
    public var type: ColumnType {
        switch values {
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .boolean: .boolean
        case .string: .string
        }
    }

    /// Rows in the column.
    public var count: Int {
        switch values {
        case .int64(let v): v.count
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .boolean(let v): v.count
        case .string(let s): s.indices.count
        }
    }

    /// Rows whose value is missing.
    public var missingCount: Int { validity?.missingCount ?? 0 }

    /// True when row `i` has a value.
    @inline(__always)
    public func isValid(_ i: Int) -> Bool { validity?[i] ?? true }

    /// Row `i` as a number: nil when missing or not numeric (a boolean is 1 or 0).
    public func double(at i: Int) -> Double? {
        guard isValid(i) else { return nil }
        switch values {
        case .int64(let v): return Double(v[i])
        case .float32(let v): return Double(v[i])
        case .float64(let v): return v[i]
        case .boolean(let v): return v[i] ? 1 : 0
        case .string: return nil
        }
    }

    /// Every row as a number, missing rows (and text) as NaN.
    public func doubles() -> [Double] {
        var out: [Double]
        switch values {
        case .float64(let v): out = v
        case .float32(let v): out = v.map(Double.init)
        case .int64(let v): out = v.map(Double.init)
        case .boolean(let v): out = v.map { $0 ? 1 : 0 }
        case .string(let s): return [Double](repeating: .nan, count: s.indices.count)
        }
        if let validity {
            for i in out.indices where !validity[i] { out[i] = .nan }
        }
        return out
    }

    /// Row `i` as text, nil when missing. Numbers print as Swift's shortest round-trip form (integral doubles as
    /// `1.0`, as pandas prints a float column); booleans as `True`/`False`, as pandas prints them.
    public func string(at i: Int) -> String? {
        guard isValid(i) else { return nil }
        switch values {
        case .int64(let v): return String(v[i])
        case .float32(let v): return v[i].description
        case .float64(let v): return v[i].description
        case .boolean(let v): return v[i] ? "True" : "False"
        case .string(let s): return s.dictionary[Int(s.indices[i])]
        }
    }
}

/// A bounded slice of a table's rows, column by column.
public struct RecordBatch: Sendable {
    /// The columns' names and types for this batch (a CSV column can widen from int64 to float64 mid-file).
    public var schema: Schema
    /// One column per field.
    public var columns: [Column]
    /// Rows in the batch.
    public var rowCount: Int
    /// The 0-based position of the batch's first row among the file's data rows.
    public var firstRow: Int

    public init(schema: Schema, columns: [Column], rowCount: Int, firstRow: Int) {
        precondition(columns.count == schema.fields.count && columns.allSatisfy { $0.count == rowCount })
        self.schema = schema
        self.columns = columns
        self.rowCount = rowCount
        self.firstRow = firstRow
    }

    /// The column called `name`.
    public func column(named name: String) -> Column? { schema.index(of: name).map { columns[$0] } }
}
