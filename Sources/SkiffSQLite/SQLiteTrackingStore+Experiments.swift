import GRDB
import SkiffCore

extension SQLiteTrackingStore {
    public func createExperiment(name: String, artifactLocation: String?, tags: [Tag], time: Int64) async throws
        -> String
    {
        let root = defaultArtifactRoot
        return try await write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [name]) != nil {
                throw SkiffError.alreadyExists("Experiment(name=\(name)) already exists.")
            }
            try db.execute(
                sql: """
                    INSERT INTO experiments(name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                    VALUES (?, '', 'active', ?, ?)
                    """,
                arguments: [name, time, time]
            )
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                arguments: [artifactLocation ?? "\(root)/\(id)", id]
            )
            for tag in tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)",
                    arguments: [id, tag.key, tag.value]
                )
            }
            return String(id)
        }
    }

    public func experiment(id: String) async throws -> Experiment {
        try await read { db in try Self.fetchExperiment(db, id: id) }
    }

    public func experiment(named name: String) async throws -> Experiment {
        try await read { db in
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT experiment_id FROM experiments WHERE name = ?", arguments: [name])
            else {
                throw SkiffError.notFound("Could not find experiment with name '\(name)'")
            }
            return try Self.fetchExperiment(db, id: String(id))
        }
    }

    public func searchExperiments(_ query: ExperimentQuery) async throws -> Page<Experiment> {
        try await read { db in
            var sql = "SELECT experiment_id FROM experiments e WHERE e.lifecycle_stage IN ("
            sql += query.viewType.stages.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"
            var arguments = StatementArguments()
            for clause in query.filter {
                sql += " AND " + Self.experimentCondition(clause, &arguments)
            }
            var order: [String] = []
            for term in query.orderBy {
                guard case .attribute(let name) = term.entity else { continue }
                order.append("e.\(name) \(term.ascending ? "ASC" : "DESC")")
            }
            if query.orderBy.isEmpty { order.append("e.creation_time DESC") }
            order.append("e.experiment_id ASC")
            sql += " ORDER BY " + order.joined(separator: ", ")
            sql += " LIMIT ? OFFSET ?"
            _ = arguments.append(contentsOf: [query.maxResults + 1, query.offset])
            let ids = try Int64.fetchAll(db, sql: sql, arguments: arguments)
            let items = try ids.prefix(query.maxResults).map { try Self.fetchExperiment(db, id: String($0)) }
            let next = ids.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: items, nextPageToken: next)
        }
    }

    public func renameExperiment(id: String, newName: String, time: Int64) async throws {
        try await write { db in
            let experiment = try Self.fetchExperiment(db, id: id)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("Cannot rename a non-active experiment.")
            }
            if experiment.name == newName { return }
            if try Int.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE name = ?", arguments: [newName]) != nil {
                throw SkiffError.alreadyExists("Experiment(name=\(newName)) already exists.")
            }
            try db.execute(
                sql: "UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
                arguments: [newName, time, id]
            )
        }
    }

    public func deleteExperiment(id: String, time: Int64) async throws {
        try await write { db in
            _ = try Self.fetchExperiment(db, id: id)
            try db.execute(
                sql: "UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE experiment_id = ?",
                arguments: [time, id]
            )
            try db.execute(
                sql: """
                    UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ?
                    WHERE experiment_id = ? AND lifecycle_stage = 'active'
                    """,
                arguments: [time, id]
            )
        }
    }

    public func restoreExperiment(id: String, time: Int64) async throws {
        try await write { db in
            let experiment = try Self.fetchExperiment(db, id: id)
            guard experiment.lifecycleStage == .deleted else {
                throw SkiffError.invalid("Cannot restore an active experiment.")
            }
            try db.execute(
                sql: "UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE experiment_id = ?",
                arguments: [time, id]
            )
            try db.execute(
                sql: """
                    UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL
                    WHERE experiment_id = ? AND lifecycle_stage = 'deleted'
                    """,
                arguments: [id]
            )
        }
    }

    public func setExperimentTag(id: String, tag: Tag) async throws {
        try await write { db in
            let experiment = try Self.fetchExperiment(db, id: id)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("The experiment \(id) must be in the 'active' state.")
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)",
                arguments: [id, tag.key, tag.value]
            )
        }
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        try await write { db in
            let experiment = try Self.fetchExperiment(db, id: id)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid("The experiment \(id) must be in the 'active' state.")
            }
            try db.execute(
                sql: "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", arguments: [id, key])
            guard db.changesCount > 0 else {
                throw SkiffError.notFound("No tag with name: \(key) in experiment with id \(id)")
            }
        }
    }

    // MARK: - Helpers

    static func fetchExperiment(_ db: Database, id: String) throws -> Experiment {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time
                    FROM experiments WHERE experiment_id = ?
                    """,
                arguments: [id])
        else {
            throw SkiffError.notFound("No Experiment with id=\(id) exists")
        }
        let tags = try Row.fetchAll(
            db, sql: "SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key", arguments: [id]
        ).map { Tag(key: $0[0], value: $0[1]) }
        return Experiment(
            id: String(row[0] as Int64), name: row[1], artifactLocation: row[2],
            lifecycleStage: LifecycleStage(rawValue: row[3]) ?? .active, creationTime: row[4],
            lastUpdateTime: row[5], tags: tags
        )
    }

    static func experimentCondition(_ clause: FilterClause, _ arguments: inout StatementArguments) -> String {
        switch clause.entity {
        case .tag(let key):
            _ = arguments.append(contentsOf: [key])
            let base = "SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ?"
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            default: return "EXISTS (\(base) AND \(SQLText.compare("t.value", clause, &arguments)))"
            }
        case .attribute(let name):
            return SQLText.compare("e.\(name)", clause, &arguments)
        default:
            return "0"
        }
    }
}
