import GRDB
import SkiffCore

extension SQLiteTrackingStore: ModelRegistryStore {
    public func createRegisteredModel(name: String, description: String?, tags: [Tag], userID: String?, time: Int64)
        async throws -> RegisteredModel
    {
        try await write { db in
            if try Self.registeredModelExists(db, name) {
                throw SkiffError.alreadyExists("Registered Model (name=\(name)) already exists.")
            }
            try db.execute(
                sql: """
                    INSERT INTO registered_models(name, creation_time, last_updated_time, description, user_id)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [name, time, time, description, userID])
            for tag in tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO registered_model_tags(name, key, value) VALUES (?, ?, ?)",
                    arguments: [name, tag.key, tag.value])
            }
            return try Self.fetchRegisteredModels(db, names: [name])[0]
        }
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        try await read { db in try Self.requireRegisteredModel(db, name) }
    }

    public func renameRegisteredModel(name: String, newName: String, time: Int64) async throws -> RegisteredModel {
        try await write { db in
            _ = try Self.requireRegisteredModel(db, name)
            if name != newName, try Self.registeredModelExists(db, newName) {
                throw SkiffError.alreadyExists("Registered Model (name=\(newName)) already exists.")
            }
            try db.execute(
                sql: "UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?",
                arguments: [newName, time, name])
            return try Self.requireRegisteredModel(db, newName)
        }
    }

    public func updateRegisteredModel(name: String, description: String?, time: Int64) async throws -> RegisteredModel {
        try await write { db in
            _ = try Self.requireRegisteredModel(db, name)
            try db.execute(
                sql: "UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?",
                arguments: [description, time, name])
            return try Self.requireRegisteredModel(db, name)
        }
    }

    public func deleteRegisteredModel(name: String) async throws {
        try await write { db in
            _ = try Self.requireRegisteredModel(db, name)
            try db.execute(sql: "DELETE FROM registered_models WHERE name = ?", arguments: [name])
        }
    }

    public func searchRegisteredModels(_ query: RegisteredModelQuery) async throws -> Page<RegisteredModel> {
        try await read { db in
            var arguments = StatementArguments()
            var conditions = ["1"]
            for clause in query.filter {
                conditions.append(
                    Self.registryCondition(clause, table: "registered_model_tags", owner: "r.name = t.name", &arguments)
                )
            }
            var order = query.orderBy.compactMap { term -> String? in
                guard case .attribute(let name) = term.entity else { return nil }
                return "\(Self.modelColumns[name] ?? "r.name") \(term.ascending ? "ASC" : "DESC")"
            }
            order.append("r.name ASC")
            _ = arguments.append(contentsOf: [query.maxResults + 1, query.offset])
            let names = try String.fetchAll(
                db,
                sql: """
                    SELECT r.name FROM registered_models r WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
                    """,
                arguments: arguments)
            let page = Array(names.prefix(query.maxResults))
            let next = names.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: try Self.fetchRegisteredModels(db, names: page), nextPageToken: next)
        }
    }

    public func setRegisteredModelTag(name: String, tag: Tag, time: Int64) async throws {
        try await write { db in
            _ = try Self.requireRegisteredModel(db, name)
            try db.execute(
                sql: "INSERT OR REPLACE INTO registered_model_tags(name, key, value) VALUES (?, ?, ?)",
                arguments: [name, tag.key, tag.value])
            try Self.touch(db, name, time)
        }
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await write { db in
            _ = try Self.requireRegisteredModel(db, name)
            try db.execute(sql: "DELETE FROM registered_model_tags WHERE name = ? AND key = ?", arguments: [name, key])
            guard db.changesCount > 0 else {
                throw SkiffError.notFound("No tag with key '\(key)' on registered model '\(name)'.")
            }
        }
    }

    public func setAlias(name: String, alias: String, version: Int64, time: Int64) async throws {
        try await write { db in
            _ = try Self.requireVersion(db, name, version)
            try db.execute(
                sql: "INSERT OR REPLACE INTO registered_model_aliases(name, alias, version) VALUES (?, ?, ?)",
                arguments: [name, alias, version])
            try Self.touch(db, name, time)
        }
    }

    public func deleteAlias(name: String, alias: String, time: Int64) async throws {
        try await write { db in
            _ = try Self.requireRegisteredModel(db, name)
            try db.execute(
                sql: "DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", arguments: [name, alias])
            try Self.touch(db, name, time)
        }
    }

    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try await read { db in
            _ = try Self.requireRegisteredModel(db, name)
            guard
                let version = try Int64.fetchOne(
                    db, sql: "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
                    arguments: [name, alias])
            else {
                throw SkiffError.invalid("Registered model alias \(alias) not found.")
            }
            return try Self.requireVersion(db, name, version)
        }
    }

    public func createModelVersion(_ new: NewModelVersion) async throws -> ModelVersion {
        try await write { db in
            _ = try Self.requireRegisteredModel(db, new.name)
            let next =
                (try Int64.fetchOne(
                    db, sql: "SELECT MAX(version) FROM model_versions WHERE name = ?", arguments: [new.name]) ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO model_versions(name, version, creation_time, last_updated_time, user_id, stage,
                    description, source, storage_location, run_id, run_link, model_id)
                    VALUES (?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.name, next, new.time, new.time, new.userID, new.description, new.source, new.storageLocation,
                    new.runID, new.runLink, new.modelID,
                ])
            for tag in new.tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO model_version_tags(name, version, key, value) VALUES (?, ?, ?, ?)",
                    arguments: [new.name, next, tag.key, tag.value])
            }
            try Self.touch(db, new.name, new.time)
            return try Self.requireVersion(db, new.name, next)
        }
    }

    public func modelVersion(name: String, version: Int64) async throws -> ModelVersion {
        try await read { db in try Self.requireVersion(db, name, version) }
    }

    public func updateModelVersion(name: String, version: Int64, description: String?, time: Int64) async throws
        -> ModelVersion
    {
        try await write { db in
            _ = try Self.requireVersion(db, name, version)
            try db.execute(
                sql: "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?",
                arguments: [description, time, name, version])
            return try Self.requireVersion(db, name, version)
        }
    }

    public func deleteModelVersion(name: String, version: Int64) async throws {
        try await write { db in
            _ = try Self.requireVersion(db, name, version)
            try db.execute(
                sql: "DELETE FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version])
        }
    }

    public func transitionStage(name: String, version: Int64, stage: ModelStage, archiveExisting: Bool, time: Int64)
        async throws -> ModelVersion
    {
        try await write { db in
            _ = try Self.requireVersion(db, name, version)
            if archiveExisting, stage == .staging || stage == .production {
                try db.execute(
                    sql: """
                        UPDATE model_versions SET stage = 'Archived', last_updated_time = ?
                        WHERE name = ? AND stage = ? AND version != ?
                        """,
                    arguments: [time, name, stage.rawValue, version])
            }
            try db.execute(
                sql: "UPDATE model_versions SET stage = ?, last_updated_time = ? WHERE name = ? AND version = ?",
                arguments: [stage.rawValue, time, name, version])
            try Self.touch(db, name, time)
            return try Self.requireVersion(db, name, version)
        }
    }

    public func searchModelVersions(_ query: ModelVersionQuery) async throws -> Page<ModelVersion> {
        try await read { db in
            var arguments = StatementArguments()
            var conditions = ["1"]
            for clause in query.filter {
                conditions.append(
                    Self.registryCondition(
                        clause, table: "model_version_tags", owner: "t.name = v.name AND t.version = v.version",
                        &arguments))
            }
            var order = query.orderBy.compactMap { term -> String? in
                guard case .attribute(let name) = term.entity else { return nil }
                return "\(Self.versionColumns[name] ?? "v.name") \(term.ascending ? "ASC" : "DESC")"
            }
            order.append(contentsOf: ["v.name ASC", "v.version DESC"])
            _ = arguments.append(contentsOf: [query.maxResults + 1, query.offset])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT v.name, v.version FROM model_versions v WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
                    """,
                arguments: arguments)
            let page = try rows.prefix(query.maxResults).map { try Self.requireVersion(db, $0[0], $0[1]) }
            let next = rows.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: page, nextPageToken: next)
        }
    }

    public func setModelVersionTag(name: String, version: Int64, tag: Tag, time: Int64) async throws {
        try await write { db in
            _ = try Self.requireVersion(db, name, version)
            try db.execute(
                sql: "INSERT OR REPLACE INTO model_version_tags(name, version, key, value) VALUES (?, ?, ?, ?)",
                arguments: [name, version, tag.key, tag.value])
        }
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String) async throws {
        try await write { db in
            _ = try Self.requireVersion(db, name, version)
            try db.execute(
                sql: "DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?",
                arguments: [name, version, key])
            guard db.changesCount > 0 else {
                throw SkiffError.notFound(
                    "No tag with key '\(key)' on model version (name=\(name), version=\(version)).")
            }
        }
    }

    // MARK: - Helpers

    static let versionColumns: [String: String] = [
        "name": "v.name", "version_number": "v.version", "run_id": "v.run_id", "source_path": "v.source",
        "creation_timestamp": "v.creation_time", "last_updated_timestamp": "v.last_updated_time",
        "current_stage": "v.stage",
    ]

    static let modelColumns: [String: String] = [
        "name": "r.name", "creation_timestamp": "r.creation_time", "last_updated_timestamp": "r.last_updated_time",
    ]

    /// A registry filter clause. `tags.k != 'v'` means "not tagged k=v" here, so that the clause the client
    /// appends to exclude prompts (`tags.mlflow.prompt.is_prompt != 'true'`) keeps models without the tag.
    static func registryCondition(
        _ clause: FilterClause, table: String, owner: String, _ arguments: inout StatementArguments
    ) -> String {
        switch clause.entity {
        case .tag(let key):
            _ = arguments.append(contentsOf: [key])
            let base = "SELECT 1 FROM \(table) t WHERE \(owner) AND t.key = ?"
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            case .notEqual:
                var equal = clause
                equal.op = .equal
                return "NOT EXISTS (\(base) AND \(SQLText.compare("t.value", equal, &arguments)))"
            default: return "EXISTS (\(base) AND \(SQLText.compare("t.value", clause, &arguments)))"
            }
        case .attribute(let name):
            let column = table == "registered_model_tags" ? modelColumns[name] : versionColumns[name]
            return SQLText.compare(column ?? "NULL", clause, &arguments)
        default:
            return "0"
        }
    }

    static func touch(_ db: Database, _ name: String, _ time: Int64) throws {
        try db.execute(
            sql: "UPDATE registered_models SET last_updated_time = ? WHERE name = ?", arguments: [time, name])
    }

    static func registeredModelExists(_ db: Database, _ name: String) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT 1 FROM registered_models WHERE name = ?", arguments: [name]) != nil
    }

    static func requireRegisteredModel(_ db: Database, _ name: String) throws -> RegisteredModel {
        guard let model = try fetchRegisteredModels(db, names: [name]).first else {
            throw SkiffError.notFound("Registered Model with name=\(name) not found")
        }
        return model
    }

    static func requireVersion(_ db: Database, _ name: String, _ version: Int64) throws -> ModelVersion {
        guard let v = try fetchVersions(db, where: "name = ? AND version = ?", [name, version]).first else {
            throw SkiffError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
        return v
    }

    static func fetchVersions(_ db: Database, where condition: String, _ arguments: StatementArguments) throws
        -> [ModelVersion]
    {
        var versions = try Row.fetchAll(
            db,
            sql: """
                SELECT name, version, creation_time, last_updated_time, user_id, stage, description, source,
                storage_location, run_id, run_link, model_id FROM model_versions WHERE \(condition)
                ORDER BY name, version
                """,
            arguments: arguments
        ).map { row in
            ModelVersion(
                name: row[0], version: row[1], creationTimestamp: row[2], lastUpdatedTimestamp: row[3],
                userID: row[4], stage: ModelStage(rawValue: row[5]) ?? .none, description: row[6], source: row[7],
                runID: row[9], runLink: row[10], modelID: row[11], storageLocation: row[8], tags: [], aliases: [])
        }
        for i in versions.indices {
            let key: StatementArguments = [versions[i].name, versions[i].version]
            versions[i].tags = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY key"),
                arguments: key
            ).map { Tag(key: $0[0], value: $0[1]) }
            versions[i].aliases = try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias"),
                arguments: key)
        }
        return versions
    }

    static func fetchRegisteredModels(_ db: Database, names: [String]) throws -> [RegisteredModel] {
        var models: [RegisteredModel] = []
        for name in names {
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT name, creation_time, last_updated_time, description, user_id FROM registered_models
                            WHERE name = ?
                            """),
                    arguments: [name])
            else { continue }
            let tags = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT key, value FROM registered_model_tags WHERE name = ? ORDER BY key"),
                arguments: [name]
            ).map { Tag(key: $0[0], value: $0[1]) }
            let aliases = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias"),
                arguments: [name]
            ).map { ModelAlias(alias: $0[0], version: $0[1]) }
            // The newest version in each stage.
            let latest = try fetchVersions(
                db,
                where: """
                    name = ? AND version IN (SELECT MAX(version) FROM model_versions WHERE name = ? GROUP BY stage)
                    """,
                [name, name])
            models.append(
                RegisteredModel(
                    name: row[0], creationTimestamp: row[1], lastUpdatedTimestamp: row[2], description: row[3],
                    userID: row[4], tags: tags, aliases: aliases, latestVersions: latest))
        }
        return models
    }
}
