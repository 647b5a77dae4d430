import PostgresNIO
import SkiffCore

extension PostgresTrackingStore: ModelRegistryStore {
    public func createRegisteredModel(name: String, description: String?, tags: [Tag], userID: String?, time: Int64)
        async throws -> RegisteredModel
    {
        let logger = self.logger
        return try await write { conn in
            var sql = SQL(
                "INSERT INTO registered_models(name, creation_time, last_updated_time, description, user_id) ")
            sql += "VALUES (\(sql.bind(name)), \(sql.bind(time)), \(sql.bind(time)), \(sql.bind(description)), "
            sql += "\(sql.bind(userID))) ON CONFLICT DO NOTHING RETURNING 1"
            guard try await conn.count(sql, logger) == 1 else {
                throw SkiffError.alreadyExists("Registered Model (name=\(name)) already exists.")
            }
            for tag in tags {
                try await Self.upsertModelTag(conn, name, tag, logger)
            }
            return try await Self.fetchRegisteredModels(conn, names: [name], logger)[0]
        }
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        let logger = self.logger
        return try await read { conn in try await Self.requireRegisteredModel(conn, name, logger) }
    }

    public func renameRegisteredModel(name: String, newName: String, time: Int64) async throws -> RegisteredModel {
        let logger = self.logger
        return try await write { conn in
            try await Self.lockModel(conn, name, logger)
            if name != newName {
                var probe = SQL("SELECT 1 FROM registered_models WHERE name = ")
                probe += probe.bind(newName)
                if try await !conn.rows(probe, logger).isEmpty {
                    throw SkiffError.alreadyExists("Registered Model (name=\(newName)) already exists.")
                }
            }
            var sql = SQL()
            sql += "UPDATE registered_models SET name = \(sql.bind(newName)), last_updated_time = \(sql.bind(time)) "
            sql += "WHERE name = \(sql.bind(name))"
            try await conn.run(sql, logger)
            return try await Self.requireRegisteredModel(conn, newName, logger)
        }
    }

    public func updateRegisteredModel(name: String, description: String?, time: Int64) async throws -> RegisteredModel {
        let logger = self.logger
        return try await write { conn in
            try await Self.lockModel(conn, name, logger)
            var sql = SQL()
            sql += "UPDATE registered_models SET description = \(sql.bind(description)), "
            sql += "last_updated_time = \(sql.bind(time)) WHERE name = \(sql.bind(name))"
            try await conn.run(sql, logger)
            return try await Self.requireRegisteredModel(conn, name, logger)
        }
    }

    public func deleteRegisteredModel(name: String) async throws {
        let logger = self.logger
        try await write { conn in
            var sql = SQL("DELETE FROM registered_models WHERE name = ")
            sql += "\(sql.bind(name)) RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("Registered Model with name=\(name) not found")
            }
        }
    }

    public func searchRegisteredModels(_ query: RegisteredModelQuery) async throws -> Page<RegisteredModel> {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL("SELECT r.name FROM registered_models r WHERE TRUE")
            for clause in query.filter {
                sql +=
                    " AND "
                    + Self.registryCondition(
                        clause, table: "registered_model_tags", owner: "r.name = t.name", &sql)
            }
            var order = query.orderBy.compactMap { term -> String? in
                guard case .attribute(let name) = term.entity else { return nil }
                return "\(Self.modelColumns[name] ?? "r.name") \(term.ascending ? "ASC" : "DESC")"
            }
            order.append("r.name ASC")
            sql += " ORDER BY \(order.joined(separator: ", "))"
            sql += " LIMIT \(sql.bind(Int64(query.maxResults + 1))) OFFSET \(sql.bind(Int64(query.offset)))"
            let names = try await conn.rows(sql, logger).map { try $0.decode(String.self) }
            let page = Array(names.prefix(query.maxResults))
            let next = names.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: try await Self.fetchRegisteredModels(conn, names: page, logger), nextPageToken: next)
        }
    }

    public func setRegisteredModelTag(name: String, tag: Tag, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.lockModel(conn, name, logger)
            try await Self.upsertModelTag(conn, name, tag, logger)
            try await Self.touch(conn, name, time, logger)
        }
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.lockModel(conn, name, logger)
            var sql = SQL()
            sql += "DELETE FROM registered_model_tags WHERE name = \(sql.bind(name)) AND key = \(sql.bind(key)) "
            sql += "RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("No tag with key '\(key)' on registered model '\(name)'.")
            }
        }
    }

    public func setAlias(name: String, alias: String, version: Int64, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.lockModel(conn, name, logger)
            _ = try await Self.requireVersion(conn, name, version, logger)
            var sql = SQL("INSERT INTO registered_model_aliases(name, alias, version) VALUES (")
            sql += "\(sql.bind(name)), \(sql.bind(alias)), \(sql.bind(version))) "
            sql += "ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version"
            try await conn.run(sql, logger)
            try await Self.touch(conn, name, time, logger)
        }
    }

    public func deleteAlias(name: String, alias: String, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.lockModel(conn, name, logger)
            var sql = SQL()
            sql += "DELETE FROM registered_model_aliases WHERE name = \(sql.bind(name)) AND alias = \(sql.bind(alias))"
            try await conn.run(sql, logger)
            try await Self.touch(conn, name, time, logger)
        }
    }

    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        let logger = self.logger
        return try await read { conn in
            _ = try await Self.requireRegisteredModel(conn, name, logger)
            var sql = SQL()
            sql += "SELECT version FROM registered_model_aliases WHERE name = \(sql.bind(name)) "
            sql += "AND alias = \(sql.bind(alias))"
            guard let row = try await conn.rows(sql, logger).first else {
                throw SkiffError.invalid("Registered model alias \(alias) not found.")
            }
            return try await Self.requireVersion(conn, name, try row.decode(Int64.self), logger)
        }
    }

    /// The next number comes from MAX + 1 read under the model's row lock, so concurrent creates on any number of
    /// replicas queue on that lock and get contiguous numbers, never a duplicate.
    public func createModelVersion(_ new: NewModelVersion) async throws -> ModelVersion {
        let logger = self.logger
        return try await write { conn in
            try await Self.lockModel(conn, new.name, logger)
            var maxSQL = SQL("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ")
            maxSQL += maxSQL.bind(new.name)
            let next = try await conn.rows(maxSQL, logger)[0].decode(Int64.self)
            var sql = SQL(
                "INSERT INTO model_versions(name, version, creation_time, last_updated_time, user_id, stage, ")
            sql += "description, source, storage_location, run_id, run_link, model_id) VALUES ("
            sql += "\(sql.bind(new.name)), \(sql.bind(next)), \(sql.bind(new.time)), \(sql.bind(new.time)), "
            sql += "\(sql.bind(new.userID)), 'None', \(sql.bind(new.description)), \(sql.bind(new.source)), "
            sql += "\(sql.bind(new.storageLocation)), \(sql.bind(new.runID)), \(sql.bind(new.runLink)), "
            sql += "\(sql.bind(new.modelID)))"
            try await conn.run(sql, logger)
            for tag in new.tags {
                try await Self.upsertVersionTag(conn, new.name, next, tag, logger)
            }
            try await Self.touch(conn, new.name, new.time, logger)
            return try await Self.requireVersion(conn, new.name, next, logger)
        }
    }

    public func modelVersion(name: String, version: Int64) async throws -> ModelVersion {
        let logger = self.logger
        return try await read { conn in try await Self.requireVersion(conn, name, version, logger) }
    }

    public func updateModelVersion(name: String, version: Int64, description: String?, time: Int64) async throws
        -> ModelVersion
    {
        let logger = self.logger
        return try await write { conn in
            _ = try await Self.requireVersion(conn, name, version, logger)
            var sql = SQL()
            sql += "UPDATE model_versions SET description = \(sql.bind(description)), "
            sql += "last_updated_time = \(sql.bind(time)) WHERE name = \(sql.bind(name)) "
            sql += "AND version = \(sql.bind(version))"
            try await conn.run(sql, logger)
            return try await Self.requireVersion(conn, name, version, logger)
        }
    }

    public func deleteModelVersion(name: String, version: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.lockModel(conn, name, logger)
            var sql = SQL()
            sql += "DELETE FROM model_versions WHERE name = \(sql.bind(name)) AND version = \(sql.bind(version)) "
            sql += "RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("Model Version (name=\(name), version=\(version)) not found")
            }
        }
    }

    public func transitionStage(name: String, version: Int64, stage: ModelStage, archiveExisting: Bool, time: Int64)
        async throws -> ModelVersion
    {
        let logger = self.logger
        return try await write { conn in
            try await Self.lockModel(conn, name, logger)
            _ = try await Self.requireVersion(conn, name, version, logger)
            if archiveExisting, stage == .staging || stage == .production {
                var sql = SQL()
                sql += "UPDATE model_versions SET stage = 'Archived', last_updated_time = \(sql.bind(time)) "
                sql += "WHERE name = \(sql.bind(name)) AND stage = \(sql.bind(stage.rawValue)) "
                sql += "AND version <> \(sql.bind(version))"
                try await conn.run(sql, logger)
            }
            var sql = SQL()
            sql += "UPDATE model_versions SET stage = \(sql.bind(stage.rawValue)), last_updated_time = "
            sql += "\(sql.bind(time)) WHERE name = \(sql.bind(name)) AND version = \(sql.bind(version))"
            try await conn.run(sql, logger)
            try await Self.touch(conn, name, time, logger)
            return try await Self.requireVersion(conn, name, version, logger)
        }
    }

    public func searchModelVersions(_ query: ModelVersionQuery) async throws -> Page<ModelVersion> {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL("SELECT v.name, v.version FROM model_versions v WHERE TRUE")
            for clause in query.filter {
                sql +=
                    " AND "
                    + Self.registryCondition(
                        clause, table: "model_version_tags", owner: "t.name = v.name AND t.version = v.version", &sql)
            }
            var order = query.orderBy.compactMap { term -> String? in
                guard case .attribute(let name) = term.entity else { return nil }
                return "\(Self.versionColumns[name] ?? "v.name") \(term.ascending ? "ASC" : "DESC")"
            }
            order.append(contentsOf: ["v.name ASC", "v.version DESC"])
            sql += " ORDER BY \(order.joined(separator: ", "))"
            sql += " LIMIT \(sql.bind(Int64(query.maxResults + 1))) OFFSET \(sql.bind(Int64(query.offset)))"
            let keys = try await conn.rows(sql, logger).map { try $0.decode((String, Int64).self) }
            let page = Array(keys.prefix(query.maxResults))
            let versions = try await Self.fetchVersions(conn, keys: page, logger)
            let next = keys.count > query.maxResults ? PageToken.encode(offset: query.offset + query.maxResults) : nil
            return Page(items: versions, nextPageToken: next)
        }
    }

    public func setModelVersionTag(name: String, version: Int64, tag: Tag, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            _ = try await Self.requireVersion(conn, name, version, logger)
            try await Self.upsertVersionTag(conn, name, version, tag, logger)
        }
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String) async throws {
        let logger = self.logger
        try await write { conn in
            _ = try await Self.requireVersion(conn, name, version, logger)
            var sql = SQL()
            sql += "DELETE FROM model_version_tags WHERE name = \(sql.bind(name)) AND version = \(sql.bind(version)) "
            sql += "AND key = \(sql.bind(key)) RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
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

    static let numericRegistryColumns: Set<String> = [
        "v.version", "v.creation_time", "v.last_updated_time", "r.creation_time", "r.last_updated_time",
    ]

    /// A registry filter clause. `tags.k != 'v'` means "not tagged k=v" here, so that the clause the client
    /// appends to exclude prompts (`tags.mlflow.prompt.is_prompt != 'true'`) keeps models without the tag.
    static func registryCondition(_ clause: FilterClause, table: String, owner: String, _ sql: inout SQL) -> String {
        switch clause.entity {
        case .tag(let key):
            let base = "SELECT 1 FROM \(table) t WHERE \(owner) AND t.key = \(sql.bind(key))"
            switch clause.op {
            case .isNull: return "NOT EXISTS (\(base))"
            case .isNotNull: return "EXISTS (\(base))"
            case .notEqual:
                var equal = clause
                equal.op = .equal
                return "NOT EXISTS (\(base) AND \(SQLFilter.compare("t.value", equal, &sql, numeric: false)))"
            default: return "EXISTS (\(base) AND \(SQLFilter.compare("t.value", clause, &sql, numeric: false)))"
            }
        case .attribute(let name):
            guard let column = table == "registered_model_tags" ? modelColumns[name] : versionColumns[name] else {
                return "FALSE"
            }
            return SQLFilter.compare(column, clause, &sql, numeric: numericRegistryColumns.contains(column))
        default:
            return "FALSE"
        }
    }

    /// Locks a registered model's row for the rest of the transaction.
    /// - Throws: `resourceDoesNotExist`.
    static func lockModel(_ conn: PostgresConnection, _ name: String, _ logger: Logger) async throws {
        var sql = SQL("SELECT 1 FROM registered_models WHERE name = ")
        sql += "\(sql.bind(name)) FOR UPDATE"
        guard try await conn.count(sql, logger) > 0 else {
            throw SkiffError.notFound("Registered Model with name=\(name) not found")
        }
    }

    static func upsertModelTag(_ conn: PostgresConnection, _ name: String, _ tag: Tag, _ logger: Logger) async throws {
        var sql = SQL("INSERT INTO registered_model_tags(name, key, value) VALUES (")
        sql += "\(sql.bind(name)), \(sql.bind(tag.key)), \(sql.bind(tag.value))) "
        sql += "ON CONFLICT (name, key) DO UPDATE SET value = EXCLUDED.value"
        try await conn.run(sql, logger)
    }

    static func upsertVersionTag(
        _ conn: PostgresConnection, _ name: String, _ version: Int64, _ tag: Tag, _ logger: Logger
    ) async throws {
        var sql = SQL("INSERT INTO model_version_tags(name, version, key, value) VALUES (")
        sql += "\(sql.bind(name)), \(sql.bind(version)), \(sql.bind(tag.key)), \(sql.bind(tag.value))) "
        sql += "ON CONFLICT (name, version, key) DO UPDATE SET value = EXCLUDED.value"
        try await conn.run(sql, logger)
    }

    static func touch(_ conn: PostgresConnection, _ name: String, _ time: Int64, _ logger: Logger) async throws {
        var sql = SQL()
        sql += "UPDATE registered_models SET last_updated_time = \(sql.bind(time)) WHERE name = \(sql.bind(name))"
        try await conn.run(sql, logger)
    }

    static func requireRegisteredModel(_ conn: PostgresConnection, _ name: String, _ logger: Logger) async throws
        -> RegisteredModel
    {
        guard let model = try await fetchRegisteredModels(conn, names: [name], logger).first else {
            throw SkiffError.notFound("Registered Model with name=\(name) not found")
        }
        return model
    }

    static func requireVersion(_ conn: PostgresConnection, _ name: String, _ version: Int64, _ logger: Logger)
        async throws -> ModelVersion
    {
        guard let v = try await fetchVersions(conn, keys: [(name, version)], logger).first else {
            throw SkiffError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
        return v
    }

    /// Versions with their tags and aliases in three queries, in the order of `keys`; unknown keys are skipped.
    static func fetchVersions(_ conn: PostgresConnection, keys: [(String, Int64)], _ logger: Logger) async throws
        -> [ModelVersion]
    {
        guard !keys.isEmpty else { return [] }
        let names = keys.map(\.0)
        let numbers = keys.map(\.1)
        // The keys as a table to join, bound as two arrays.
        func keyTable(_ sql: inout SQL) -> String {
            "FROM UNNEST(\(sql.bind(names))::text[], \(sql.bind(numbers))::bigint[]) AS k(name, version)"
        }
        var sql = SQL()
        let join = keyTable(&sql)
        sql += "SELECT v.name, v.version, v.creation_time, v.last_updated_time, v.user_id, v.stage, v.description, "
        sql += "v.source, v.storage_location, v.run_id, v.run_link, v.model_id \(join) "
        sql += "JOIN model_versions v ON v.name = k.name AND v.version = k.version"
        var byKey: [String: ModelVersion] = [:]
        for row in try await conn.rows(sql, logger) {
            let (name, version, created, updated, user, stage, description, source, storage, runID, runLink, model) =
                try row.decode(
                    (String, Int64, Int64, Int64, String?, String, String?, String, String, String?, String?, String?)
                        .self)
            byKey["\(version)/\(name)"] = ModelVersion(
                name: name, version: version, creationTimestamp: created, lastUpdatedTimestamp: updated,
                userID: user, stage: ModelStage(rawValue: stage) ?? .none, description: description, source: source,
                runID: runID, runLink: runLink, modelID: model, storageLocation: storage, tags: [], aliases: [])
        }
        guard !byKey.isEmpty else { return [] }
        var tags = SQL()
        let tagKeys = keyTable(&tags)
        tags += "SELECT t.name, t.version, t.key, t.value \(tagKeys) JOIN model_version_tags t ON t.name = k.name "
        tags += "AND t.version = k.version ORDER BY t.key"
        for row in try await conn.rows(tags, logger) {
            let (name, version, key, value) = try row.decode((String, Int64, String, String).self)
            byKey["\(version)/\(name)"]?.tags.append(Tag(key: key, value: value))
        }
        var aliases = SQL()
        let aliasKeys = keyTable(&aliases)
        aliases += "SELECT a.name, a.version, a.alias \(aliasKeys) JOIN registered_model_aliases a ON a.name = k.name "
        aliases += "AND a.version = k.version ORDER BY a.alias"
        for row in try await conn.rows(aliases, logger) {
            let (name, version, alias) = try row.decode((String, Int64, String).self)
            byKey["\(version)/\(name)"]?.aliases.append(alias)
        }
        return keys.compactMap { byKey["\($0.1)/\($0.0)"] }
    }

    static func fetchRegisteredModels(_ conn: PostgresConnection, names: [String], _ logger: Logger) async throws
        -> [RegisteredModel]
    {
        guard !names.isEmpty else { return [] }
        var models: [String: RegisteredModel] = [:]
        var sql = SQL("SELECT name, creation_time, last_updated_time, description, user_id FROM registered_models ")
        sql += "WHERE name = ANY(\(sql.bind(names)))"
        for row in try await conn.rows(sql, logger) {
            let (name, created, updated, description, user) = try row.decode(
                (String, Int64, Int64, String?, String?).self)
            models[name] = RegisteredModel(
                name: name, creationTimestamp: created, lastUpdatedTimestamp: updated, description: description,
                userID: user, tags: [], aliases: [], latestVersions: [])
        }
        guard !models.isEmpty else { return [] }
        var tags = SQL("SELECT name, key, value FROM registered_model_tags WHERE name = ANY(")
        tags += "\(tags.bind(names))) ORDER BY key"
        for row in try await conn.rows(tags, logger) {
            let (name, key, value) = try row.decode((String, String, String).self)
            models[name]?.tags.append(Tag(key: key, value: value))
        }
        var aliases = SQL("SELECT name, alias, version FROM registered_model_aliases WHERE name = ANY(")
        aliases += "\(aliases.bind(names))) ORDER BY alias"
        for row in try await conn.rows(aliases, logger) {
            let (name, alias, version) = try row.decode((String, String, Int64).self)
            models[name]?.aliases.append(ModelAlias(alias: alias, version: version))
        }
        // The newest version in each stage.
        var latest = SQL("SELECT name, MAX(version) FROM model_versions WHERE name = ANY(")
        latest += "\(latest.bind(names))) GROUP BY name, stage ORDER BY name, MAX(version)"
        let latestKeys = try await conn.rows(latest, logger).map { try $0.decode((String, Int64).self) }
        for version in try await fetchVersions(conn, keys: latestKeys, logger) {
            models[version.name]?.latestVersions.append(version)
        }
        return names.compactMap { models[$0] }
    }
}
