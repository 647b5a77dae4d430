import GRDB
import SkiffCore

extension SQLiteTrackingStore {
    /// Searches runs in SQL: the filter, the order and the page are all pushed into one query over ids,
    /// then the page's runs are loaded with set-based queries (never one query per run).
    public func searchRuns(_ query: RunQuery) async throws -> Page<Run> {
        try await read { db in
            var joins = ""
            var joinArguments = StatementArguments()
            var order: [String] = []
            for (i, term) in query.orderBy.enumerated() {
                let direction = term.ascending ? "ASC" : "DESC"
                switch term.entity {
                case .metric(let key):
                    joins += " LEFT JOIN latest_metrics o\(i) ON o\(i).run_key = r.run_key AND o\(i).key = ?"
                    _ = joinArguments.append(contentsOf: [key])
                    // NaN, then missing values sort last in both directions, as in MLflow.
                    order.append(
                        "CASE WHEN o\(i).value IS NULL THEN 2 WHEN o\(i).is_nan = 1 THEN 1 ELSE 0 END, "
                            + "o\(i).value \(direction)")
                case .param(let key), .tag(let key):
                    let table = term.entity == .param(key) ? "params" : "tags"
                    joins += " LEFT JOIN \(table) o\(i) ON o\(i).run_key = r.run_key AND o\(i).key = ?"
                    _ = joinArguments.append(contentsOf: [key])
                    order.append("(o\(i).value IS NULL), o\(i).value \(direction)")
                case .attribute(let name):
                    let column = Self.runColumn(name)
                    order.append("(\(column) IS NULL), \(column) \(direction)")
                case .dataset:
                    break
                }
            }
            order.append("r.start_time DESC")
            order.append("r.run_uuid ASC")

            var arguments = joinArguments
            var conditions: [String] = []
            // With a selective clause, the unary `+` keeps SQLite from scanning the experiment's runs and lets it
            // start from the clause's index instead (the better plan, with or without ANALYZE statistics).
            let scan = query.filter.contains(where: Self.isSelective) ? "+" : ""
            _ = arguments.append(contentsOf: [SQLText.jsonArray(query.experimentIDs)])
            conditions.append("\(scan)r.experiment_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))")
            conditions.append(
                "\(scan)r.lifecycle_stage IN ("
                    + query.viewType.stages.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")")
            for clause in query.filter {
                conditions.append(Self.runCondition(clause, &arguments))
            }
            let sql = """
                SELECT r.run_uuid FROM runs r\(joins) WHERE \(conditions.joined(separator: " AND "))
                ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
                """
            _ = arguments.append(contentsOf: [query.maxResults + 1, query.offset])
            let ids = try String.fetchAll(db, sql: sql, arguments: arguments)
            let page = Array(ids.prefix(query.maxResults))
            let next = ids.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: try Self.loadRuns(db, ids: page), nextPageToken: next)
        }
    }

    /// Clauses answered from an index of matching runs (see `runCondition`).
    static func isSelective(_ clause: FilterClause) -> Bool {
        switch clause.entity {
        case .metric: true
        case .param, .tag: clause.op == .equal
        case .attribute("run_id"): clause.op == .equal || clause.op == .in
        default: false
        }
    }

    static func runColumn(_ attribute: String) -> String {
        switch attribute {
        case "run_id": "r.run_uuid"
        case "run_name": "r.name"
        default: "r.\(attribute)"
        }
    }

    static func runCondition(_ clause: FilterClause, _ arguments: inout StatementArguments) -> String {
        switch clause.entity {
        case .metric(let key):
            // An IN over the (key, is_nan, value) index lets SQLite start from the matching runs.
            _ = arguments.append(contentsOf: [key])
            let compare = SQLText.compare("m.value", clause, &arguments)
            return
                "r.run_key IN (SELECT m.run_key FROM latest_metrics m WHERE m.key = ? AND m.is_nan = 0 AND \(compare))"
        case .param(let key), .tag(let key):
            let table = clause.entity == .param(key) ? "params" : "tags"
            _ = arguments.append(contentsOf: [key])
            let base = "SELECT 1 FROM \(table) p WHERE p.run_key = r.run_key AND p.key = ?"
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            case .equal:
                // Equality is selective: an IN over the (key, value) index drives the search from matches.
                let compare = SQLText.compare("p.value", clause, &arguments)
                return "r.run_key IN (SELECT p.run_key FROM \(table) p WHERE p.key = ? AND \(compare))"
            default: return "EXISTS (\(base) AND \(SQLText.compare("p.value", clause, &arguments)))"
            }
        case .attribute(let name):
            return SQLText.compare(runColumn(name), clause, &arguments)
        case .dataset(let field):
            if field == "context" {
                let compare = SQLText.compare("t.value", clause, &arguments)
                return """
                    EXISTS (SELECT 1 FROM run_dataset_input_tags t WHERE t.run_key = r.run_key \
                    AND t.key = 'mlflow.data.context' AND \(compare))
                    """
            }
            let compare = SQLText.compare("d.\(field)", clause, &arguments)
            return """
                EXISTS (SELECT 1 FROM run_dataset_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id \
                WHERE i.run_key = r.run_key AND \(compare))
                """
        }
    }
}
