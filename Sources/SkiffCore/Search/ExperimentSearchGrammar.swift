/// Resolves MLflow's `search_experiments` filter and order-by strings.
///
/// Attributes: `name` (`= != LIKE ILIKE`), `experiment_id` (`= != IN NOT IN`), `creation_time` and
/// `last_update_time` (numeric comparisons); `tags.k` (`= != LIKE ILIKE IS NULL IS NOT NULL`).
public enum ExperimentSearchGrammar {
    static let orderable: Set<String> = ["name", "experiment_id", "creation_time", "last_update_time"]

    /// Parses a filter into clauses. An empty string yields none.
    /// - Throws: `SkiffError` with code `invalidParameterValue`.
    public static func filter(_ text: String) throws(SkiffError) -> [FilterClause] {
        try FilterParser.parseClauses(text).map { raw throws(SkiffError) in try clause(raw) }
    }

    /// Parses `order_by` entries such as `name ASC` or `last_update_time DESC`.
    /// - Throws: `SkiffError` with code `invalidParameterValue`.
    public static func orderBy(_ entries: [String]) throws(SkiffError) -> [OrderTerm] {
        try entries.map { text throws(SkiffError) in
            let (identifier, ascending) = try FilterParser.parseOrderTerm(text)
            let entity = try resolve(identifier)
            guard case .attribute(let name) = entity, orderable.contains(name) else {
                throw .invalid(
                    "Invalid order_by entity '\(text)'. Valid keys are "
                        + "['name', 'experiment_id', 'creation_time', 'last_update_time']"
                )
            }
            return OrderTerm(entity: entity, ascending: ascending)
        }
    }

    static func resolve(_ identifier: FilterParser.Identifier) throws(SkiffError) -> FilterEntity {
        switch identifier.prefix?.lowercased() {
        case "tag", "tags":
            return .tag(identifier.key)
        case nil, "attribute", "attributes", "attr":
            switch identifier.key {
            case "name", "experiment_id", "creation_time", "last_update_time":
                return .attribute(identifier.key)
            default:
                throw .invalid(
                    "Invalid attribute key '\(identifier.key)' specified. Valid keys are "
                        + "['name', 'experiment_id', 'creation_time', 'last_update_time']"
                )
            }
        default:
            throw .invalid("Invalid entity type '\(identifier.prefix ?? "")'. Valid values are ['tag', 'attribute']")
        }
    }

    static func clause(_ raw: FilterParser.RawClause) throws(SkiffError) -> FilterClause {
        let entity = try resolve(raw.identifier)
        var value = raw.value
        switch entity {
        case .tag:
            switch raw.op {
            case .equal, .notEqual, .like, .ilike:
                guard raw.valueWasQuoted, case .string = raw.value else {
                    throw .invalid(
                        "Expected a quoted string value for tags. Found \(RunSearchGrammar.describe(raw.value))")
                }
            case .isNull, .isNotNull: break
            default: throw RunSearchGrammar.unsupported(raw.op, "tags")
            }
        case .attribute("name"):
            guard [.equal, .notEqual, .like, .ilike].contains(raw.op) else {
                throw RunSearchGrammar.unsupported(raw.op, "attribute 'name'")
            }
            guard case .string = raw.value else {
                throw .invalid("Expected a quoted string value for attribute 'name'.")
            }
        case .attribute("experiment_id"):
            switch raw.op {
            case .equal, .notEqual:
                if case .number(let n) = raw.value { value = .string(FilterParser.render(n)) }
            case .in, .notIn: break
            default: throw RunSearchGrammar.unsupported(raw.op, "attribute 'experiment_id'")
            }
        default:
            guard raw.op.isComparison else { throw RunSearchGrammar.unsupported(raw.op, "time attributes") }
            guard case .number = raw.value else {
                throw .invalid(
                    "Expected numeric value type for time attributes. Found \(RunSearchGrammar.describe(raw.value))")
            }
        }
        return FilterClause(entity: entity, op: raw.op, value: value)
    }
}
