import PostgresNIO
import SkiffCore

extension PostgresTrackingStore {
    /// Searches runs in SQL: the filter, the order and the page are all pushed into one query over ids,
    /// then the page's runs are loaded with set-based queries (never one query per run).
    public func searchRuns(_ query: RunQuery) async throws -> Page<Run> {
        let logger = self.logger
        return try await read { conn in
            // One statement finds the page and reads its runs' infos.
            var sql = SQL("SELECT \(Self.qualifiedRunInfoColumns) FROM runs r")
            var order: [String] = []
            for (i, term) in query.orderBy.enumerated() {
                let direction = term.ascending ? "ASC" : "DESC"
                switch term.entity {
                case .metric(let key):
                    sql +=
                        " LEFT JOIN latest_metrics o\(i) ON o\(i).run_key = r.run_key AND o\(i).key = \(sql.bind(key))"
                    // NaN, then missing values sort last in both directions, as in MLflow.
                    order.append(
                        "CASE WHEN o\(i).value IS NULL THEN 2 WHEN o\(i).is_nan THEN 1 ELSE 0 END, "
                            + "o\(i).value \(direction)")
                case .param(let key), .tag(let key):
                    let table = term.entity == .param(key) ? "params" : "tags"
                    sql += " LEFT JOIN \(table) o\(i) ON o\(i).run_key = r.run_key AND o\(i).key = \(sql.bind(key))"
                    order.append("(o\(i).value IS NULL), o\(i).value \(direction)")
                case .attribute(let name):
                    let column = Self.runColumn(name)
                    // Only end_time can be NULL; a NULL test on the others would keep the planner off the index.
                    order.append(
                        column == "r.end_time"
                            ? "(r.end_time IS NULL), r.end_time \(direction)" : "\(column) \(direction)")
                case .dataset:
                    break
                }
            }
            order.append("r.start_time DESC")
            order.append("r.run_uuid ASC")
            // One experiment and one stage are equalities, so the (experiment, stage, start_time) index yields the
            // default order and the LIMIT stops the scan early.
            let experimentIDs = query.experimentIDs.compactMap { Int64($0) }
            var conditions = [
                experimentIDs.count == 1
                    ? "r.experiment_id = \(sql.bind(experimentIDs[0]))"
                    : "r.experiment_id = ANY(\(sql.bind(experimentIDs)))"
            ]
            let stages = query.viewType.stages.map { "'\($0.rawValue)'" }
            conditions.append(
                stages.count == 1
                    ? "r.lifecycle_stage = \(stages[0])" : "r.lifecycle_stage IN (\(stages.joined(separator: ",")))")
            for clause in query.filter {
                conditions.append(Self.runCondition(clause, &sql))
            }
            sql += " WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", "))"
            sql += " LIMIT \(sql.bind(Int64(query.maxResults + 1))) OFFSET \(sql.bind(Int64(query.offset)))"
            let infos = try await conn.rows(sql, logger).map { try Self.runInfo($0) }
            let page = Array(infos.prefix(query.maxResults))
            let next = infos.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: try await Self.loadRuns(conn, infos: page, logger), nextPageToken: next)
        }
    }

    static func runColumn(_ attribute: String) -> String {
        switch attribute {
        case "run_id": "r.run_uuid"
        case "run_name": "r.name"
        case "status", "start_time", "end_time", "user_id", "artifact_uri", "lifecycle_stage", "experiment_id":
            "r.\(attribute)"
        default: "r.run_uuid"
        }
    }

    static func runCondition(_ clause: FilterClause, _ sql: inout SQL) -> String {
        switch clause.entity {
        case .metric(let key):
            let keyPlaceholder = sql.bind(key)
            let compare = SQLFilter.compare("m.value", clause, &sql, numeric: true)
            return "r.run_key IN (SELECT m.run_key FROM latest_metrics m WHERE m.key = \(keyPlaceholder) "
                + "AND NOT m.is_nan AND \(compare))"
        case .param(let key), .tag(let key):
            let table = clause.entity == .param(key) ? "params" : "tags"
            let keyPlaceholder = sql.bind(key)
            let base = "SELECT 1 FROM \(table) p WHERE p.run_key = r.run_key AND p.key = \(keyPlaceholder)"
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            case .equal:
                let compare = SQLFilter.compare("p.value", clause, &sql, numeric: false)
                return "r.run_key IN (SELECT p.run_key FROM \(table) p WHERE p.key = \(keyPlaceholder) AND \(compare))"
            default:
                return "EXISTS (\(base) AND \(SQLFilter.compare("p.value", clause, &sql, numeric: false)))"
            }
        case .attribute(let name):
            let column = runColumn(name)
            let numeric = column == "r.start_time" || column == "r.end_time" || column == "r.experiment_id"
            return SQLFilter.compare(column, clause, &sql, numeric: numeric)
        case .dataset(let field):
            if field == "context" {
                let compare = SQLFilter.compare("t.value", clause, &sql, numeric: false)
                return """
                    EXISTS (SELECT 1 FROM run_dataset_input_tags t WHERE t.run_key = r.run_key \
                    AND t.key = 'mlflow.data.context' AND \(compare))
                    """
            }
            let column = field == "digest" ? "d.digest" : "d.name"
            let compare = SQLFilter.compare(column, clause, &sql, numeric: false)
            return """
                EXISTS (SELECT 1 FROM run_dataset_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id \
                WHERE i.run_key = r.run_key AND \(compare))
                """
        }
    }
}
