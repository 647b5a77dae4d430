import GRDB
import SkiffCore

extension SQLiteTrackingStore: LoggedModelStore {
    public func createLoggedModel(_ new: NewLoggedModel) async throws -> LoggedModel {
        try await write { db in
            let experiment = try Self.fetchExperiment(db, id: new.experimentID)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("The experiment \(new.experimentID) must be in the 'active' state.")
            }
            var base = experiment.artifactLocation
            while base.hasSuffix("/") { base.removeLast() }
            try db.execute(
                sql: """
                    INSERT INTO logged_models(model_id, experiment_id, name, artifact_uri, status, creation_time,
                    last_updated_time, model_type, source_run_id, user_id, lifecycle_stage)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')
                    """,
                arguments: [
                    new.id, new.experimentID, new.name, "\(base)/models/\(new.id)/artifacts",
                    LoggedModelStatus.pending.rawValue, new.time, new.time, new.modelType, new.sourceRunID, new.userID,
                ])
            for tag in new.tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO logged_model_tags(model_id, key, value) VALUES (?, ?, ?)",
                    arguments: [new.id, tag.key, tag.value])
            }
            try Self.insertModelParams(db, id: new.id, params: new.params)
            return try Self.fetchLoggedModels(db, ids: [new.id])[0]
        }
    }

    public func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel {
        try await read { db in
            guard let model = try Self.fetchLoggedModels(db, ids: [id], allowDeleted: allowDeleted).first else {
                throw SkiffError.notFound("Logged model with ID '\(id)' not found.")
            }
            return model
        }
    }

    public func setLoggedModelStatus(id: String, status: LoggedModelStatus, time: Int64) async throws -> LoggedModel {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE logged_models SET status = ?, last_updated_time = ?
                    WHERE model_id = ? AND lifecycle_stage = 'active'
                    """,
                arguments: [status.rawValue, time, id])
            guard db.changesCount > 0 else { throw SkiffError.notFound("Logged model with ID '\(id)' not found.") }
            return try Self.fetchLoggedModels(db, ids: [id])[0]
        }
    }

    public func deleteLoggedModel(id: String, time: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_time = ?
                    WHERE model_id = ? AND lifecycle_stage = 'active'
                    """,
                arguments: [time, id])
            guard db.changesCount > 0 else { throw SkiffError.notFound("Logged model with ID '\(id)' not found.") }
        }
    }

    public func setLoggedModelTags(id: String, tags: [Tag], time: Int64) async throws {
        try await write { db in
            try Self.requireLoggedModel(db, id: id)
            for tag in tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO logged_model_tags(model_id, key, value) VALUES (?, ?, ?)",
                    arguments: [id, tag.key, tag.value])
            }
            try db.execute(
                sql: "UPDATE logged_models SET last_updated_time = ? WHERE model_id = ?", arguments: [time, id])
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await write { db in
            try Self.requireLoggedModel(db, id: id)
            try db.execute(sql: "DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?", arguments: [id, key])
            guard db.changesCount > 0 else {
                throw SkiffError.notFound("No tag with key '\(key)' found for logged model '\(id)'.")
            }
        }
    }

    public func logLoggedModelParams(id: String, params: [Param]) async throws {
        try await write { db in
            try Self.requireLoggedModel(db, id: id)
            try Self.insertModelParams(db, id: id, params: params)
        }
    }

    public func searchLoggedModels(_ query: LoggedModelQuery) async throws -> Page<LoggedModel> {
        try await read { db in
            // Bound in the order the SQL text uses them: joins (order terms), then conditions, then paging.
            var joinArguments = StatementArguments()
            var arguments = StatementArguments()
            var conditions = ["l.lifecycle_stage = 'active'"]
            if !query.experimentIDs.isEmpty {
                _ = arguments.append(contentsOf: [SQLText.jsonArray(query.experimentIDs)])
                conditions.append("l.experiment_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))")
            }
            var hasMetricFilter = false
            for clause in query.filter {
                if case .metric = clause.entity { hasMetricFilter = true }
                conditions.append(Self.loggedModelCondition(clause, query.datasets, &arguments))
            }
            if !query.datasets.isEmpty, !hasMetricFilter {
                conditions.append(
                    "EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = l.model_id AND "
                        + Self.datasetCondition(query.datasets, &arguments) + ")")
            }
            var joins: [String] = []
            var order: [String] = []
            for term in query.orderBy {
                let direction = term.ascending ? "ASC" : "DESC"
                switch term.entity {
                case .attribute(let name):
                    // Missing values last in either direction, as MLflow orders them (SQLite puts NULL first).
                    order.append("(l.\(name) IS NULL) ASC, l.\(name) \(direction)")
                case .metric(let key):
                    // MLflow's rule: the model's latest value of the metric (newest time, then step, then run id),
                    // on the given dataset if one is named; models without one last. NaN sorts after numbers.
                    let alias = "o\(joins.count)"
                    _ = joinArguments.append(contentsOf: [key])
                    var datasetFilter = ""
                    if let dataset = term.dataset {
                        datasetFilter = " AND " + Self.datasetCondition([dataset], &joinArguments)
                    }
                    joins.append(
                        """
                        LEFT JOIN (SELECT model_id, is_nan, value FROM (
                            SELECT m.model_id, m.is_nan, m.value, ROW_NUMBER() OVER (PARTITION BY m.model_id
                                ORDER BY m.timestamp DESC, m.step DESC, r.run_uuid ASC) AS rn
                            FROM logged_model_metrics m JOIN runs r ON r.run_key = m.run_key
                            WHERE m.key = ?\(datasetFilter)) WHERE rn = 1) \(alias) ON \(alias).model_id = l.model_id
                        """)
                    order.append(
                        "CASE WHEN \(alias).model_id IS NULL THEN 2 WHEN \(alias).is_nan THEN 1 ELSE 0 END ASC")
                    order.append("\(alias).value \(direction)")
                default:
                    break
                }
            }
            if !query.orderBy.contains(where: { $0.entity == .attribute("creation_time") }) {
                order.append("l.creation_time DESC")
            }
            order.append("l.model_id ASC")
            _ = arguments.append(contentsOf: [query.maxResults + 1, query.offset])
            var all = joinArguments
            _ = all.append(contentsOf: arguments)
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT l.model_id FROM logged_models l \(joins.joined(separator: " "))
                    WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
                    """,
                arguments: all)
            let page = Array(ids.prefix(query.maxResults))
            let next = ids.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: try Self.fetchLoggedModels(db, ids: page), nextPageToken: next)
        }
    }

    /// `m` is on one of `datasets` (by name, and by digest where one is given).
    static func datasetCondition(_ datasets: [DatasetKey], _ arguments: inout StatementArguments) -> String {
        let alternatives = datasets.map { dataset -> String in
            _ = arguments.append(contentsOf: [dataset.name])
            guard let digest = dataset.digest else { return "m.dataset_name = ?" }
            _ = arguments.append(contentsOf: [digest])
            return "(m.dataset_name = ? AND m.dataset_digest = ?)"
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    // MARK: - Helpers

    static func requireLoggedModel(_ db: Database, id: String) throws {
        guard
            try Int.fetchOne(
                db, sql: "SELECT 1 FROM logged_models WHERE model_id = ? AND lifecycle_stage = 'active'",
                arguments: [id]) != nil
        else {
            throw SkiffError.notFound("Logged model with ID '\(id)' not found.")
        }
    }

    static func insertModelParams(_ db: Database, id: String, params: [Param]) throws {
        for param in params {
            try db.execute(
                sql: "INSERT INTO logged_model_params(model_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [id, param.key, param.value])
            if db.changesCount == 0 {
                let old = try String.fetchOne(
                    db, sql: "SELECT value FROM logged_model_params WHERE model_id = ? AND key = ?",
                    arguments: [id, param.key])
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

    static func loggedModelCondition(
        _ clause: FilterClause, _ datasets: [DatasetKey], _ arguments: inout StatementArguments
    ) -> String {
        switch clause.entity {
        case .attribute(let name):
            return SQLText.compare(loggedModelColumns[name] ?? "NULL", clause, &arguments)
        case .metric(let key):
            // Any logged value matches (MLflow's rule), NaN never does; with datasets, only values on them.
            _ = arguments.append(contentsOf: [key])
            let compare = SQLText.compare("m.value", clause, &arguments)
            let onDatasets = datasets.isEmpty ? "" : " AND " + datasetCondition(datasets, &arguments)
            return "EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = l.model_id AND m.key = ? "
                + "AND m.is_nan = 0 AND \(compare)\(onDatasets))"
        case .param(let key), .tag(let key):
            let table = clause.entity == .param(key) ? "logged_model_params" : "logged_model_tags"
            _ = arguments.append(contentsOf: [key])
            let base = "SELECT 1 FROM \(table) p WHERE p.model_id = l.model_id AND p.key = ?"
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            default: return "EXISTS (\(base) AND \(SQLText.compare("p.value", clause, &arguments)))"
            }
        case .dataset:
            return "0"
        }
    }

    static func fetchLoggedModels(_ db: Database, ids: [String], allowDeleted: Bool = false) throws -> [LoggedModel] {
        guard !ids.isEmpty else { return [] }
        let list = SQLText.jsonArray(ids)
        var models: [String: LoggedModel] = [:]
        let stageFilter = allowDeleted ? "" : " AND lifecycle_stage = 'active'"
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT model_id, experiment_id, name, artifact_uri, status, status_message, creation_time,
                last_updated_time, model_type, source_run_id, user_id FROM logged_models
                WHERE model_id IN (SELECT value FROM json_each(?))\(stageFilter)
                """,
            arguments: [list])
        {
            let id: String = row[0]
            models[id] = LoggedModel(
                id: id, experimentID: String(row[1] as Int64), name: row[2], artifactURI: row[3],
                status: LoggedModelStatus(rawValue: row[4]) ?? .unspecified, statusMessage: row[5],
                creationTime: row[6], lastUpdatedTime: row[7], modelType: row[8], sourceRunID: row[9],
                userID: row[10])
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN (SELECT value FROM json_each(?))
                ORDER BY key
                """,
            arguments: [list])
        {
            models[row[0] as String]?.tags.append(Tag(key: row[1], value: row[2]))
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT model_id, key, value FROM logged_model_params
                WHERE model_id IN (SELECT value FROM json_each(?)) ORDER BY key
                """,
            arguments: [list])
        {
            models[row[0] as String]?.params.append(Param(key: row[1], value: row[2]))
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT m.model_id, m.key, m.is_nan, m.value, m.timestamp, m.step, m.dataset_name, m.dataset_digest,
                r.run_uuid FROM logged_model_metrics m JOIN runs r ON r.run_key = m.run_key
                WHERE m.model_id IN (SELECT value FROM json_each(?)) ORDER BY m.key, m.step, m.timestamp
                """,
            arguments: [list])
        {
            let isNaN: Bool = row[2]
            models[row[0] as String]?.metrics.append(
                Metric(
                    key: row[1], value: isNaN ? .nan : row[3], timestamp: row[4], step: row[5], modelID: row[0],
                    datasetName: row[6], datasetDigest: row[7], runID: row[8]))
        }
        return ids.compactMap { models[$0] }
    }
}
