/// One comparison in a search filter, e.g. `metrics.acc > 0.9` or `tags.team = 'vision'`.
///
/// MLflow's filters are conjunctions of such clauses (`AND` only, no `OR`, no parentheses).
public struct FilterClause: Sendable, Equatable {
    /// What the clause compares.
    public var entity: FilterEntity
    public var op: FilterOperator
    public var value: FilterValue

    /// Creates a clause.
    public init(entity: FilterEntity, op: FilterOperator, value: FilterValue) {
        self.entity = entity
        self.op = op
        self.value = value
    }
}

/// The left-hand side of a clause or an order-by term.
public enum FilterEntity: Sendable, Equatable {
    case metric(String)
    case param(String)
    case tag(String)
    /// A scalar attribute, by canonical name (`run_id`, `start_time`, `name`…).
    case attribute(String)
    /// `datasets.name`, `datasets.digest` or `datasets.context`.
    case dataset(String)
}

/// A comparison operator.
public enum FilterOperator: String, Sendable, Equatable {
    case equal = "="
    case notEqual = "!="
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
    case like = "LIKE"
    case ilike = "ILIKE"
    case `in` = "IN"
    case notIn = "NOT IN"
    case isNull = "IS NULL"
    case isNotNull = "IS NOT NULL"

    /// True for `=`, `!=`, `<`, `<=`, `>`, `>=`.
    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual: true
        default: false
        }
    }
}

/// The right-hand side of a clause.
public enum FilterValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case list([String])
    /// For `IS NULL` / `IS NOT NULL`.
    case none

    /// The numeric value, if this is a number.
    public var number: Double? {
        if case .number(let v) = self { return v }
        return nil
    }

    /// The string value, if this is a string.
    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }
}

/// One `order_by` term.
public struct OrderTerm: Sendable, Equatable {
    public var entity: FilterEntity
    public var ascending: Bool
    /// For a logged model's metric: order by its value on this dataset only (`search_logged_models`).
    public var dataset: DatasetKey?

    /// Creates an order term.
    public init(entity: FilterEntity, ascending: Bool, dataset: DatasetKey? = nil) {
        self.entity = entity
        self.ascending = ascending
        self.dataset = dataset
    }
}

/// A dataset named in a logged-model search: a name, and optionally the digest of one version of it.
public struct DatasetKey: Sendable, Equatable {
    public var name: String
    public var digest: String?

    /// Creates a dataset key.
    public init(name: String, digest: String? = nil) {
        self.name = name
        self.digest = digest
    }
}
