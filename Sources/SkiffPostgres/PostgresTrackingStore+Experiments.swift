import PostgresNIO
import SkiffCore

extension PostgresTrackingStore {
    public func createExperiment(name: String, artifactLocation: String?, tags: [Tag], time: Int64) async throws
        -> String
    {
        let (root, logger) = (defaultArtifactRoot, logger)
        return try await write { conn in
            var probe = SQL("SELECT 1 FROM experiments WHERE name = ")
            probe += probe.bind(name)
            if try await !conn.rows(probe, logger).isEmpty {
                throw SkiffError.alreadyExists("Experiment(name=\(name)) already exists.")
            }
            var insert = SQL("INSERT INTO experiments(name, artifact_location, lifecycle_stage, creation_time, ")
            insert += "last_update_time) VALUES (\(insert.bind(name)), '', 'active', \(insert.bind(time)), "
            insert += "\(insert.bind(time))) RETURNING experiment_id"
            let id = try await conn.rows(insert, logger)[0].decode(Int64.self)
            var update = SQL("UPDATE experiments SET artifact_location = ")
            update += "\(update.bind(artifactLocation ?? "\(root)/\(id)")) WHERE experiment_id = \(update.bind(id))"
            try await conn.run(update, logger)
            for tag in tags {
                try await Self.upsertExperimentTag(conn, id: id, tag: tag, logger)
            }
            return String(id)
        }
    }

    public func experiment(id: String) async throws -> Experiment {
        let logger = self.logger
        return try await read { conn in try await Self.fetchExperiment(conn, id: id, logger) }
    }

    public func experiment(named name: String) async throws -> Experiment {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL("SELECT experiment_id FROM experiments WHERE name = ")
            sql += sql.bind(name)
            guard let row = try await conn.rows(sql, logger).first else {
                throw SkiffError.notFound("Could not find experiment with name '\(name)'")
            }
            return try await Self.fetchExperiment(conn, id: String(try row.decode(Int64.self)), logger)
        }
    }

    public func searchExperiments(_ query: ExperimentQuery) async throws -> Page<Experiment> {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL("SELECT experiment_id FROM experiments e WHERE e.lifecycle_stage IN (")
            sql += query.viewType.stages.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"
            for clause in query.filter {
                sql += " AND " + Self.experimentCondition(clause, &sql)
            }
            var order: [String] = []
            for term in query.orderBy {
                guard case .attribute(let name) = term.entity else { continue }
                order.append("e.\(Self.experimentColumn(name)) \(term.ascending ? "ASC" : "DESC")")
            }
            if query.orderBy.isEmpty { order.append("e.creation_time DESC") }
            order.append("e.experiment_id ASC")
            sql += " ORDER BY " + order.joined(separator: ", ")
            sql += " LIMIT \(sql.bind(Int64(query.maxResults + 1))) OFFSET \(sql.bind(Int64(query.offset)))"
            let ids = try await conn.rows(sql, logger).map { try $0.decode(Int64.self) }
            var items: [Experiment] = []
            for id in ids.prefix(query.maxResults) {
                items.append(try await Self.fetchExperiment(conn, id: String(id), logger))
            }
            let next = ids.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: items, nextPageToken: next)
        }
    }

    public func renameExperiment(id: String, newName: String, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            let experiment = try await Self.fetchExperiment(conn, id: id, logger, lock: true)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("Cannot rename a non-active experiment.")
            }
            if experiment.name == newName { return }
            var probe = SQL("SELECT 1 FROM experiments WHERE name = ")
            probe += probe.bind(newName)
            if try await !conn.rows(probe, logger).isEmpty {
                throw SkiffError.alreadyExists("Experiment(name=\(newName)) already exists.")
            }
            var sql = SQL()
            sql += "UPDATE experiments SET name = \(sql.bind(newName)), last_update_time = \(sql.bind(time)) "
            sql += "WHERE experiment_id = \(sql.bind(Int64(id)!))"
            try await conn.run(sql, logger)
        }
    }

    public func deleteExperiment(id: String, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            let key = try await Self.fetchExperiment(conn, id: id, logger, lock: true).id
            var sql = SQL()
            sql += "UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = \(sql.bind(time)) "
            sql += "WHERE experiment_id = \(sql.bind(Int64(key)!))"
            try await conn.run(sql, logger)
            var runs = SQL()
            runs += "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = \(runs.bind(time)) "
            runs += "WHERE experiment_id = \(runs.bind(Int64(key)!)) AND lifecycle_stage = 'active'"
            try await conn.run(runs, logger)
        }
    }

    public func restoreExperiment(id: String, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            let experiment = try await Self.fetchExperiment(conn, id: id, logger, lock: true)
            guard experiment.lifecycleStage == .deleted else {
                throw SkiffError.invalid("Cannot restore an active experiment.")
            }
            var sql = SQL()
            sql += "UPDATE experiments SET lifecycle_stage = 'active', last_update_time = \(sql.bind(time)) "
            sql += "WHERE experiment_id = \(sql.bind(Int64(id)!))"
            try await conn.run(sql, logger)
            var runs = SQL()
            runs += "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL "
            runs += "WHERE experiment_id = \(runs.bind(Int64(id)!)) AND lifecycle_stage = 'deleted'"
            try await conn.run(runs, logger)
        }
    }

    public func setExperimentTag(id: String, tag: Tag) async throws {
        let logger = self.logger
        try await write { conn in
            let experiment = try await Self.fetchExperiment(conn, id: id, logger)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("The experiment \(id) must be in the 'active' state.")
            }
            try await Self.upsertExperimentTag(conn, id: Int64(id)!, tag: tag, logger)
        }
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        let logger = self.logger
        try await write { conn in
            let experiment = try await Self.fetchExperiment(conn, id: id, logger)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("The experiment \(id) must be in the 'active' state.")
            }
            var sql = SQL("DELETE FROM experiment_tags WHERE experiment_id = ")
            sql += "\(sql.bind(Int64(id)!)) AND key = \(sql.bind(key)) RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("No tag with name: \(key) in experiment with id \(id)")
            }
        }
    }

    // MARK: - Helpers

    static func upsertExperimentTag(_ conn: PostgresConnection, id: Int64, tag: Tag, _ logger: Logger) async throws {
        var sql = SQL("INSERT INTO experiment_tags(experiment_id, key, value) VALUES (")
        sql += "\(sql.bind(id)), \(sql.bind(tag.key)), \(sql.bind(tag.value))) "
        sql += "ON CONFLICT (experiment_id, key) DO UPDATE SET value = EXCLUDED.value"
        try await conn.run(sql, logger)
    }

    /// An experiment with its tags; `lock` takes its row lock for the rest of the transaction.
    /// - Throws: `resourceDoesNotExist`, also for an id that is not a number.
    static func fetchExperiment(_ conn: PostgresConnection, id: String, _ logger: Logger, lock: Bool = false)
        async throws -> Experiment
    {
        guard let key = Int64(id) else { throw SkiffError.notFound("No Experiment with id=\(id) exists") }
        var sql = SQL("SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, ")
        sql += "last_update_time FROM experiments WHERE experiment_id = \(sql.bind(key))"
        if lock { sql += " FOR UPDATE" }
        guard let row = try await conn.rows(sql, logger).first else {
            throw SkiffError.notFound("No Experiment with id=\(id) exists")
        }
        let (experimentID, name, location, stage, created, updated) = try row.decode(
            (Int64, String, String, String, Int64, Int64).self)
        var tagSQL = SQL("SELECT key, value FROM experiment_tags WHERE experiment_id = ")
        tagSQL += "\(tagSQL.bind(key)) ORDER BY key"
        let tags = try await conn.rows(tagSQL, logger).map { row in
            let (k, v) = try row.decode((String, String).self)
            return Tag(key: k, value: v)
        }
        return Experiment(
            id: String(experimentID), name: name, artifactLocation: location,
            lifecycleStage: LifecycleStage(rawValue: stage) ?? .active, creationTime: created,
            lastUpdateTime: updated, tags: tags)
    }

    static func experimentColumn(_ attribute: String) -> String {
        switch attribute {
        case "name", "creation_time", "last_update_time", "experiment_id", "artifact_location", "lifecycle_stage":
            attribute
        default: "experiment_id"
        }
    }

    static func experimentCondition(_ clause: FilterClause, _ sql: inout SQL) -> String {
        switch clause.entity {
        case .tag(let key):
            let base =
                "SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = "
                + sql.bind(key)
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            default: return "EXISTS (\(base) AND \(SQLFilter.compare("t.value", clause, &sql, numeric: false)))"
            }
        case .attribute(let name):
            let column = experimentColumn(name)
            let numeric = column == "creation_time" || column == "last_update_time" || column == "experiment_id"
            return SQLFilter.compare("e.\(column)", clause, &sql, numeric: numeric)
        default:
            return "FALSE"
        }
    }
}
