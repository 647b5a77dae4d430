/// Filter and order-by grammars of the registry searches and of `search_logged_models`.
public enum RegistrySearchGrammar {
    /// `search_registered_models`: `name` (`= != LIKE ILIKE IN`) and `tags.k` (`= != LIKE ILIKE`).
    public static func registeredModelFilter(_ text: String) throws(SkiffError) -> [FilterClause] {
        try FilterParser.parseClauses(text).map { raw throws(SkiffError) in
            let entity = try resolve(raw.identifier, attributes: ["name"])
            try check(raw, entity, stringAttributes: ["name"], numericAttributes: [])
            return FilterClause(entity: entity, op: raw.op, value: raw.value)
        }
    }

    /// `search_model_versions`: `name`, `run_id`, `source_path`, `version_number` and `tags.k`.
    public static func modelVersionFilter(_ text: String) throws(SkiffError) -> [FilterClause] {
        try FilterParser.parseClauses(text).map { raw throws(SkiffError) in
            let entity = try resolve(
                raw.identifier, attributes: ["name", "run_id", "source_path", "version_number", "current_stage"])
            try check(
                raw, entity, stringAttributes: ["name", "run_id", "source_path", "current_stage"],
                numericAttributes: ["version_number"])
            return FilterClause(entity: entity, op: raw.op, value: raw.value)
        }
    }

    /// `search_logged_models`: attributes, `metrics.k`, `params.k` and `tags.k`.
    public static func loggedModelFilter(_ text: String) throws(SkiffError) -> [FilterClause] {
        let strings: Set<String> = ["name", "model_id", "model_type", "status", "source_run_id"]
        let numbers: Set<String> = [
            "creation_timestamp", "creation_time", "last_updated_timestamp", "last_updated_time",
        ]
        return try FilterParser.parseClauses(text).map { raw throws(SkiffError) in
            let entity: FilterEntity
            switch raw.identifier.prefix?.lowercased() {
            case "metric", "metrics": entity = .metric(raw.identifier.key)
            case "param", "params": entity = .param(raw.identifier.key)
            default: entity = try resolve(raw.identifier, attributes: strings.union(numbers))
            }
            if case .metric = entity {
                guard raw.op.isComparison, case .number = raw.value else {
                    throw .invalid("Expected a numeric comparison for metric '\(raw.identifier.key)'.")
                }
            } else {
                try check(raw, entity, stringAttributes: strings, numericAttributes: numbers)
            }
            return FilterClause(entity: entity, op: raw.op, value: raw.value)
        }
    }

    /// Order-by for registered models: `name`, `timestamp`/`creation_timestamp`, `last_updated_timestamp`.
    public static func registeredModelOrder(_ entries: [String]) throws(SkiffError) -> [OrderTerm] {
        try order(
            entries,
            columns: [
                "name": "name", "timestamp": "creation_timestamp", "creation_timestamp": "creation_timestamp",
                "last_updated_timestamp": "last_updated_timestamp",
            ])
    }

    /// Order-by for model versions.
    public static func modelVersionOrder(_ entries: [String]) throws(SkiffError) -> [OrderTerm] {
        try order(
            entries,
            columns: [
                "name": "name", "version_number": "version_number", "timestamp": "creation_timestamp",
                "creation_timestamp": "creation_timestamp", "last_updated_timestamp": "last_updated_timestamp",
            ])
    }

    static func order(_ entries: [String], columns: [String: String]) throws(SkiffError) -> [OrderTerm] {
        try entries.map { text throws(SkiffError) in
            let (identifier, ascending) = try FilterParser.parseOrderTerm(text)
            guard identifier.prefix == nil || identifier.prefix == "attribute",
                let column = columns[identifier.key]
            else {
                throw .invalid(
                    "Invalid order by key '\(text)' specified. Valid keys are \(columns.keys.sorted())")
            }
            return OrderTerm(entity: .attribute(column), ascending: ascending)
        }
    }

    static func resolve(_ identifier: FilterParser.Identifier, attributes: Set<String>) throws(SkiffError)
        -> FilterEntity
    {
        switch identifier.prefix?.lowercased() {
        case "tag", "tags":
            return .tag(identifier.key)
        case nil, "attribute", "attributes":
            guard attributes.contains(identifier.key) else {
                throw .invalid(
                    "Invalid attribute name '\(identifier.key)'. Valid attributes are \(attributes.sorted())")
            }
            return .attribute(identifier.key)
        default:
            throw .invalid("Invalid entity type '\(identifier.prefix ?? "")'. Valid values are ['tag', 'attribute']")
        }
    }

    static func check(
        _ raw: FilterParser.RawClause, _ entity: FilterEntity, stringAttributes: Set<String>,
        numericAttributes: Set<String>
    ) throws(SkiffError) {
        switch entity {
        case .tag, .param:
            guard [.equal, .notEqual, .like, .ilike].contains(raw.op), raw.valueWasQuoted else {
                throw .invalid("Invalid clause for tags or params: use = != LIKE ILIKE with a quoted value.")
            }
        case .attribute(let name) where numericAttributes.contains(name):
            guard raw.op.isComparison, case .number = raw.value else {
                throw .invalid("Expected a numeric comparison for '\(name)'.")
            }
        case .attribute(let name):
            switch raw.op {
            case .equal, .notEqual, .like, .ilike:
                guard raw.valueWasQuoted else { throw .invalid("Expected a quoted string value for '\(name)'.") }
            case .in, .notIn: break
            default: throw .invalid("Invalid comparator '\(raw.op.rawValue)' for '\(name)'.")
            }
        default:
            throw .invalid("Invalid filter clause.")
        }
    }
}
