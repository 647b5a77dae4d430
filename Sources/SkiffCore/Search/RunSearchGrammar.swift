/// Resolves MLflow's `search_runs` filter and order-by strings into checked clauses.
///
/// Entities: `metric(s).k` (numeric comparisons against the latest value), `param(s)/parameter(s).k` and
/// `tag(s).k` (`= != LIKE ILIKE IS NULL IS NOT NULL`, quoted values), attributes (bare names or with
/// `attribute(s)/attr/run` prefix) and `dataset(s).name|digest|context`.
public enum RunSearchGrammar {
    static let stringAttributes: Set<String> = ["run_id", "run_name", "status", "user_id", "artifact_uri"]
    static let numericAttributes: Set<String> = ["start_time", "end_time"]
    static let orderableAttributes: Set<String> = [
        "artifact_uri", "end_time", "run_id", "run_name", "start_time", "status", "user_id",
    ]

    /// Parses a filter into clauses. An empty string yields none.
    /// - Throws: `SkiffError` with code `invalidParameterValue` naming what is wrong.
    public static func filter(_ text: String) throws(SkiffError) -> [FilterClause] {
        try FilterParser.parseClauses(text).map { raw throws(SkiffError) in try clause(raw) }
    }

    /// Parses `order_by` entries such as `metrics.acc DESC` or `start_time`.
    /// - Throws: `SkiffError` with code `invalidParameterValue`.
    public static func orderBy(_ entries: [String]) throws(SkiffError) -> [OrderTerm] {
        try entries.map { text throws(SkiffError) in
            let (identifier, ascending) = try FilterParser.parseOrderTerm(text)
            let entity = try resolve(identifier)
            if case .attribute(let name) = entity, !orderableAttributes.contains(name) {
                throw .invalid("Invalid attribute key '\(identifier.key)' specified in order_by.")
            }
            if case .dataset = entity {
                throw .invalid("Ordering by dataset fields is not supported: '\(text)'.")
            }
            return OrderTerm(entity: entity, ascending: ascending)
        }
    }

    static func resolve(_ identifier: FilterParser.Identifier) throws(SkiffError) -> FilterEntity {
        switch identifier.prefix?.lowercased() {
        case "metric", "metrics":
            return .metric(identifier.key)
        case "param", "params", "parameter", "parameters":
            return .param(identifier.key)
        case "tag", "tags":
            return .tag(identifier.key)
        case nil, "attribute", "attributes", "attr", "run":
            guard let name = canonicalAttribute(identifier.key) else {
                throw .invalid(
                    "Invalid attribute key '\(identifier.key)' specified. Valid keys are "
                        + "['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', 'created']"
                )
            }
            return .attribute(name)
        case "dataset", "datasets":
            let field = identifier.key.lowercased()
            guard ["name", "digest", "context"].contains(field) else {
                throw .invalid("Invalid dataset key '\(identifier.key)'. Valid keys are ['name', 'digest', 'context']")
            }
            return .dataset(field)
        default:
            throw .invalid(
                "Invalid entity type '\(identifier.prefix ?? "")'. "
                    + "Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"
            )
        }
    }

    static func canonicalAttribute(_ key: String) -> String? {
        switch key {
        case "run name", "Run name", "Run Name", "run_name": return "run_name"
        case "created", "Created", "start_time": return "start_time"
        case "run_id", "status", "user_id", "artifact_uri", "end_time": return key
        default: return nil
        }
    }

    static func clause(_ raw: FilterParser.RawClause) throws(SkiffError) -> FilterClause {
        let entity = try resolve(raw.identifier)
        let op = raw.op
        switch entity {
        case .metric:
            guard op.isComparison else { throw unsupported(op, "metrics") }
            guard case .number = raw.value, !raw.valueWasQuoted else {
                throw .invalid("Expected numeric value type for metric. Found \(describe(raw.value))")
            }
        case .param, .tag:
            let kind: String
            if case .param = entity { kind = "parameters" } else { kind = "tags" }
            switch op {
            case .equal, .notEqual, .like, .ilike:
                guard raw.valueWasQuoted, case .string = raw.value else {
                    throw .invalid(
                        "Expected a quoted string value for \(kind) (e.g. 'my-value'). Found \(describe(raw.value))"
                    )
                }
            case .isNull, .isNotNull:
                break
            default:
                throw unsupported(op, kind)
            }
        case .attribute(let name):
            if numericAttributes.contains(name) {
                guard op.isComparison else { throw unsupported(op, "attribute '\(name)'") }
                guard case .number = raw.value else {
                    throw .invalid("Expected numeric value type for attribute '\(name)'. Found \(describe(raw.value))")
                }
            } else {
                switch op {
                case .equal, .notEqual, .like, .ilike:
                    guard case .string = raw.value, raw.valueWasQuoted else {
                        throw .invalid(
                            "Expected a quoted string value for attribute '\(name)'. Found \(describe(raw.value))"
                        )
                    }
                case .in where name == "run_id", .notIn where name == "run_id":
                    break
                default:
                    throw unsupported(op, "attribute '\(name)'")
                }
            }
        case .dataset:
            switch op {
            case .equal, .notEqual, .like, .ilike:
                guard case .string = raw.value, raw.valueWasQuoted else {
                    throw .invalid("Expected a quoted string value for dataset fields. Found \(describe(raw.value))")
                }
            case .in, .notIn:
                break
            default:
                throw unsupported(op, "datasets")
            }
        }
        return FilterClause(entity: entity, op: op, value: raw.value)
    }

    static func unsupported(_ op: FilterOperator, _ what: String) -> SkiffError {
        .invalid("Invalid comparator '\(op.rawValue)' for \(what).")
    }

    static func describe(_ value: FilterValue) -> String {
        switch value {
        case .number(let n): return FilterParser.render(n)
        case .string(let s): return "'\(s)'"
        case .list(let l): return "(\(l.joined(separator: ", ")))"
        case .none: return "nothing"
        }
    }
}
