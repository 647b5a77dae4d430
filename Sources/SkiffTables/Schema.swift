/// The type of a column's values.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    /// 64-bit integers (an integer column in pandas, INT32/INT64 in Parquet).
    case int64
    /// 32-bit floats (Parquet FLOAT).
    case float32
    /// 64-bit floats.
    case float64
    /// Booleans.
    case boolean
    /// UTF-8 text, dictionary encoded.
    case string

    /// True for the types whose values are numbers.
    public var isNumeric: Bool { self != .string && self != .boolean }
}

/// One column of a schema.
public struct Field: Sendable, Hashable {
    /// The column's name, as in the file's header.
    public var name: String
    /// Its type.
    public var type: ColumnType

    public init(name: String, type: ColumnType) {
        self.name = name
        self.type = type
    }
}

/// The columns of a table, in file order.
public struct Schema: Sendable, Hashable {
    /// Columns in order.
    public var fields: [Field]

    public init(_ fields: [Field]) {
        self.fields = fields
    }

    /// Column names in order.
    public var names: [String] { fields.map(\.name) }

    /// The position of the first column called `name`.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}
