import PostgresNIO
import SkiffCore

extension PostgresTrackingStore: LoggedModelStore {
    public func createLoggedModel(_ new: NewLoggedModel) async throws -> LoggedModel {
        let logger = self.logger
        return try await write { conn in
            let experiment = try await Self.fetchExperiment(conn, id: new.experimentID, logger)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("The experiment \(new.experimentID) must be in the 'active' state.")
            }
            var base = experiment.artifactLocation
            while base.hasSuffix("/") { base.removeLast() }
            var sql = SQL("INSERT INTO logged_models(model_id, experiment_id, name, artifact_uri, status, ")
            sql += "creation_time, last_updated_time, model_type, source_run_id, user_id, lifecycle_stage) VALUES ("
            sql += "\(sql.bind(new.id)), \(sql.bind(Int64(experiment.id)!)), \(sql.bind(new.name)), "
            sql +=
                "\(sql.bind("\(base)/models/\(new.id)/artifacts")), \(sql.bind(LoggedModelStatus.pending.rawValue)), "
            sql += "\(sql.bind(new.time)), \(sql.bind(new.time)), \(sql.bind(new.modelType)), "
            sql += "\(sql.bind(new.sourceRunID)), \(sql.bind(new.userID)), 'active')"
            try await conn.run(sql, logger)
            for tag in new.tags {
                try await Self.upsertLoggedModelTag(conn, new.id, tag, logger)
            }
            try await Self.insertModelParams(conn, id: new.id, params: new.params, logger)
            return try await Self.fetchLoggedModels(conn, ids: [new.id], logger)[0]
        }
    }

    public func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        let logger = self.logger
        return try await read { conn in
            guard
                let model = try await Self.fetchLoggedModels(conn, ids: [id], allowDeleted: allowDeleted, logger).first
            else {
                throw SkiffError.notFound("Logged model with ID '\(id)' not found.")
            }
            return model
        }
    }

    public func setLoggedModelStatus(id: String, status: LoggedModelStatus, time: Int64) async throws -> LoggedModel {
        let logger = self.logger
        return try await write { conn in
            var sql = SQL()
            sql += "UPDATE logged_models SET status = \(sql.bind(status.rawValue)), last_updated_time = "
            sql += "\(sql.bind(time)) WHERE model_id = \(sql.bind(id)) AND lifecycle_stage = 'active' RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("Logged model with ID '\(id)' not found.")
            }
            return try await Self.fetchLoggedModels(conn, ids: [id], logger)[0]
        }
    }

    public func deleteLoggedModel(id: String, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            var sql = SQL()
            sql += "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_time = \(sql.bind(time)) "
            sql += "WHERE model_id = \(sql.bind(id)) AND lifecycle_stage = 'active' RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("Logged model with ID '\(id)' not found.")
            }
        }
    }

    public func setLoggedModelTags(id: String, tags: [Tag], time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.requireLoggedModel(conn, id: id, logger)
            for tag in tags {
                try await Self.upsertLoggedModelTag(conn, id, tag, logger)
            }
            var sql = SQL()
            sql += "UPDATE logged_models SET last_updated_time = \(sql.bind(time)) WHERE model_id = \(sql.bind(id))"
            try await conn.run(sql, logger)
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.requireLoggedModel(conn, id: id, logger)
            var sql = SQL()
            sql += "DELETE FROM logged_model_tags WHERE model_id = \(sql.bind(id)) AND key = \(sql.bind(key)) "
            sql += "RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("No tag with key '\(key)' found for logged model '\(id)'.")
            }
        }
    }

    public func logLoggedModelParams(id: String, params: [Param]) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.requireLoggedModel(conn, id: id, logger)
            try await Self.insertModelParams(conn, id: id, params: params, logger)
        }
    }

    public func searchLoggedModels(_ query: LoggedModelQuery) async throws -> Page<LoggedModel> {
        let logger = self.logger
        return try await read { conn in
            // Placeholders are numbered as bound, so the joins of the order terms are written first.
            var sql = SQL("SELECT l.model_id FROM logged_models l")
            var order: [String] = []
            for (index, term) in query.orderBy.enumerated() {
                let direction = term.ascending ? "ASC" : "DESC"
                switch term.entity {
                case .attribute(let name):
                    // Missing values last in either direction, as MLflow orders them (PostgreSQL puts NULL last
                    // only when ascending).
                    let column = Self.loggedModelColumns[name] ?? "l.creation_time"
                    order.append("(\(column) IS NULL) ASC, \(column) \(direction)")
                case .metric(let key):
                    // MLflow's rule: the model's latest value of the metric (newest time, then step, then run id),
                    // on the given dataset if one is named; models without one last. NaN sorts after numbers.
                    let alias = "o\(index)"
                    var datasetFilter = ""
                    let keyPlaceholder = sql.bind(key)
                    if let dataset = term.dataset { datasetFilter = " AND " + Self.datasetCondition([dataset], &sql) }
                    sql += """
                         LEFT JOIN (SELECT model_id, is_nan, value FROM (
                            SELECT m.model_id, m.is_nan, m.value, ROW_NUMBER() OVER (PARTITION BY m.model_id
                                ORDER BY m.timestamp DESC, m.step DESC, r.run_uuid ASC) AS rn
                            FROM logged_model_metrics m JOIN runs r ON r.run_key = m.run_key
                            WHERE m.key = \(keyPlaceholder)\(datasetFilter)) ranked WHERE rn = 1) \(alias)
                            ON \(alias).model_id = l.model_id
                        """
                    order.append(
                        "CASE WHEN \(alias).model_id IS NULL THEN 2 WHEN \(alias).is_nan THEN 1 ELSE 0 END ASC")
                    order.append("\(alias).value \(direction)")
                default:
                    break
                }
            }
            sql += " WHERE l.lifecycle_stage = 'active'"
            if !query.experimentIDs.isEmpty {
                sql += " AND l.experiment_id = ANY(\(sql.bind(query.experimentIDs.compactMap { Int64($0) })))"
            }
            var hasMetricFilter = false
            for clause in query.filter {
                if case .metric = clause.entity { hasMetricFilter = true }
                sql += " AND " + Self.loggedModelCondition(clause, query.datasets, &sql)
            }
            if !query.datasets.isEmpty, !hasMetricFilter {
                sql += " AND EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = l.model_id AND "
                sql += Self.datasetCondition(query.datasets, &sql) + ")"
            }
            if !query.orderBy.contains(where: { $0.entity == .attribute("creation_time") }) {
                order.append("l.creation_time DESC")
            }
            order.append("l.model_id ASC")
            sql += " ORDER BY \(order.joined(separator: ", "))"
            sql += " LIMIT \(sql.bind(Int64(query.maxResults + 1))) OFFSET \(sql.bind(Int64(query.offset)))"
            let ids = try await conn.rows(sql, logger).map { try $0.decode(String.self) }
            let page = Array(ids.prefix(query.maxResults))
            let next = ids.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: try await Self.fetchLoggedModels(conn, ids: page, logger), nextPageToken: next)
        }
    }

    // MARK: - Helpers

    static func requireLoggedModel(_ conn: PostgresConnection, id: String, _ logger: Logger) async throws {
        var sql = SQL("SELECT 1 FROM logged_models WHERE model_id = ")
        sql += "\(sql.bind(id)) AND lifecycle_stage = 'active' FOR UPDATE"
        guard try await conn.count(sql, logger) > 0 else {
            throw SkiffError.notFound("Logged model with ID '\(id)' not found.")
        }
    }

    static func upsertLoggedModelTag(_ conn: PostgresConnection, _ id: String, _ tag: Tag, _ logger: Logger)
        async throws
    {
        var sql = SQL("INSERT INTO logged_model_tags(model_id, key, value) VALUES (")
        sql += "\(sql.bind(id)), \(sql.bind(tag.key)), \(sql.bind(tag.value))) "
        sql += "ON CONFLICT (model_id, key) DO UPDATE SET value = EXCLUDED.value"
        try await conn.run(sql, logger)
    }

    static func insertModelParams(_ conn: PostgresConnection, id: String, params: [Param], _ logger: Logger)
        async throws
    {
        for param in params {
            var sql = SQL("INSERT INTO logged_model_params(model_id, key, value) VALUES (")
            sql +=
                "\(sql.bind(id)), \(sql.bind(param.key)), \(sql.bind(param.value))) ON CONFLICT DO NOTHING RETURNING 1"
            if try await conn.count(sql, logger) == 0 {
                var existing = SQL("SELECT value FROM logged_model_params WHERE model_id = ")
                existing += "\(existing.bind(id)) AND key = \(existing.bind(param.key))"
                let old = try await conn.rows(existing, logger).first?.decode(String.self)
                if old != param.value {
                    throw SkiffError.invalid(
                        "Changing param values is not allowed. Param with key='\(param.key)' was already logged "
                            + "with value='\(old ?? "")' for logged model '\(id)'.")
                }
            }
        }
    }

    static let loggedModelColumns: [String: String] = [
        "name": "l.name", "model_id": "l.model_id", "model_type": "l.model_type", "status": "l.status",
        "source_run_id": "l.source_run_id", "creation_timestamp": "l.creation_time",
        "creation_time": "l.creation_time", "last_updated_timestamp": "l.last_updated_time",
        "last_updated_time": "l.last_updated_time",
    ]

    /// `m` is on one of `datasets` (by name, and by digest where one is given).
    static func datasetCondition(_ datasets: [DatasetKey], _ sql: inout SQL) -> String {
        let alternatives = datasets.map { dataset -> String in
            let name = sql.bind(dataset.name)
            guard let digest = dataset.digest else { return "m.dataset_name = \(name)" }
            return "(m.dataset_name = \(name) AND m.dataset_digest = \(sql.bind(digest)))"
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    static func loggedModelCondition(_ clause: FilterClause, _ datasets: [DatasetKey], _ sql: inout SQL) -> String {
        switch clause.entity {
        case .attribute(let name):
            guard let column = loggedModelColumns[name] else { return "FALSE" }
            let numeric = column == "l.creation_time" || column == "l.last_updated_time"
            return SQLFilter.compare(column, clause, &sql, numeric: numeric)
        case .metric(let key):
            let keyPlaceholder = sql.bind(key)
            // Any logged value matches (MLflow's rule), NaN never does; with datasets, only values on them.
            let compare = SQLFilter.compare("m.value", clause, &sql, numeric: true)
            let onDatasets = datasets.isEmpty ? "" : " AND " + datasetCondition(datasets, &sql)
            return "EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = l.model_id "
                + "AND m.key = \(keyPlaceholder) AND NOT m.is_nan AND \(compare)\(onDatasets))"
        case .param(let key), .tag(let key):
            let table = clause.entity == .param(key) ? "logged_model_params" : "logged_model_tags"
            let base = "SELECT 1 FROM \(table) p WHERE p.model_id = l.model_id AND p.key = \(sql.bind(key))"
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            default: return "EXISTS (\(base) AND \(SQLFilter.compare("p.value", clause, &sql, numeric: false)))"
            }
        case .dataset:
            return "FALSE"
        }
    }

    static func fetchLoggedModels(
        _ conn: PostgresConnection, ids: [String], allowDeleted: Bool = false, _ logger: Logger
    ) async throws -> [LoggedModel] {
        guard !ids.isEmpty else { return [] }
        var models: [String: LoggedModel] = [:]
        var sql = SQL("SELECT model_id, experiment_id, name, artifact_uri, status, status_message, creation_time, ")
        sql += "last_updated_time, model_type, source_run_id, user_id FROM logged_models WHERE model_id = ANY("
        sql += "\(sql.bind(ids)))"
        if !allowDeleted { sql += " AND lifecycle_stage = 'active'" }
        for row in try await conn.rows(sql, logger) {
            let (id, experimentID, name, uri, status, message, created, updated, type, sourceRun, user) =
                try row.decode(
                    (String, Int64, String, String, String, String?, Int64, Int64, String?, String?, String?).self)
            models[id] = LoggedModel(
                id: id, experimentID: String(experimentID), name: name, artifactURI: uri,
                status: LoggedModelStatus(rawValue: status) ?? .unspecified, statusMessage: message,
                creationTime: created, lastUpdatedTime: updated, modelType: type, sourceRunID: sourceRun,
                userID: user)
        }
        guard !models.isEmpty else { return [] }
        for table in ["logged_model_tags", "logged_model_params"] {
            var kv = SQL("SELECT model_id, key, value FROM \(table) WHERE model_id = ANY(")
            kv += "\(kv.bind(ids))) ORDER BY key"
            for row in try await conn.rows(kv, logger) {
                let (id, key, value) = try row.decode((String, String, String).self)
                if table == "logged_model_tags" {
                    models[id]?.tags.append(Tag(key: key, value: value))
                } else {
                    models[id]?.params.append(Param(key: key, value: value))
                }
            }
        }
        var metrics = SQL("SELECT m.model_id, m.key, m.is_nan, m.value, m.timestamp, m.step, m.dataset_name, ")
        metrics += "m.dataset_digest, r.run_uuid FROM logged_model_metrics m JOIN runs r ON r.run_key = m.run_key "
        metrics += "WHERE m.model_id = ANY(\(metrics.bind(ids))) ORDER BY m.key, m.step, m.timestamp"
        for row in try await conn.rows(metrics, logger) {
            let (id, key, isNaN, value, timestamp, step, datasetName, datasetDigest, runID) = try row.decode(
                (String, String, Bool, Double, Int64, Int64, String?, String?, String).self)
            models[id]?.metrics.append(
                Metric(
                    key: key, value: isNaN ? .nan : value, timestamp: timestamp, step: step, modelID: id,
                    datasetName: datasetName, datasetDigest: datasetDigest, runID: runID))
        }
        return ids.compactMap { models[$0] }
    }
}
