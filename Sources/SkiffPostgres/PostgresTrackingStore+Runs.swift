import PostgresNIO
import SkiffCore

extension PostgresTrackingStore {
    public func createRun(_ new: NewRun) async throws -> Run {
        let logger = self.logger
        return try await write { conn in
            // A share lock: a concurrent delete of the experiment waits for this run to land (and then takes it).
            let experiment = try await Self.fetchExperiment(conn, id: new.experimentID, logger)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid(
                    "The experiment \(new.experimentID) must be in the 'active' state. "
                        + "Current state is \(experiment.lifecycleStage.rawValue)."
                )
            }
            var base = experiment.artifactLocation
            while base.hasSuffix("/") { base.removeLast() }
            var sql = SQL("INSERT INTO runs(run_uuid, experiment_id, name, user_id, status, start_time, end_time, ")
            sql += "artifact_uri, lifecycle_stage) VALUES (\(sql.bind(new.runID)), "
            sql += "\(sql.bind(Int64(experiment.id)!)), \(sql.bind(new.runName)), \(sql.bind(new.userID)), 'RUNNING', "
            sql += "\(sql.bind(new.startTime)), NULL, \(sql.bind("\(base)/\(new.runID)/artifacts")), 'active') "
            sql += "RETURNING run_key"
            let key = try await conn.rows(sql, logger)[0].decode(Int64.self)
            for tag in new.tags {
                try await Self.upsertTag(conn, runKey: key, key: tag.key, value: tag.value, logger)
            }
            return try await Self.loadRuns(conn, ids: [new.runID], logger)[0]
        }
    }

    public func run(id: String) async throws -> Run {
        let logger = self.logger
        return try await read { conn in
            guard let run = try await Self.loadRuns(conn, ids: [id], logger).first else {
                throw SkiffError.notFound("Run with id=\(id) not found")
            }
            return run
        }
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        let logger = self.logger
        return try await write { conn in
            let (key, info) = try await Self.lockedRun(conn, id: id, logger)
            guard info.lifecycleStage == .active else {
                throw SkiffError.invalid(
                    "The run \(id) must be in the 'active' state. Current state is \(info.lifecycleStage.rawValue).")
            }
            if let status = update.status {
                var sql = SQL()
                sql += "UPDATE runs SET status = \(sql.bind(status.rawValue)) WHERE run_key = \(sql.bind(key))"
                try await conn.run(sql, logger)
            }
            if let endTime = update.endTime {
                var sql = SQL()
                sql += "UPDATE runs SET end_time = \(sql.bind(endTime)) WHERE run_key = \(sql.bind(key))"
                try await conn.run(sql, logger)
            }
            if let name = update.runName, name != info.runName {
                try await Self.rename(conn, runKey: key, to: name, logger)
            }
            return try await Self.lockedRun(conn, id: id, logger).info
        }
    }

    public func deleteRun(id: String, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            let key = try await Self.lockedRun(conn, id: id, logger).key
            var sql = SQL()
            sql += "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = \(sql.bind(time)) "
            sql += "WHERE run_key = \(sql.bind(key))"
            try await conn.run(sql, logger)
        }
    }

    public func restoreRun(id: String) async throws {
        let logger = self.logger
        try await write { conn in
            let key = try await Self.lockedRun(conn, id: id, logger).key
            var sql = SQL()
            sql += "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_key = \(sql.bind(key))"
            try await conn.run(sql, logger)
        }
    }

    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        let logger = self.logger
        try await write { conn in
            let runKey = try await Self.activeRunKey(conn, id: runID, logger)
            if !params.isEmpty {
                // One statement inserts the new params; the existing values of the rest come back to compare.
                var sql = SQL("WITH input(key, value) AS (SELECT * FROM UNNEST(")
                sql += "\(sql.bind(params.map(\.key)))::text[], \(sql.bind(params.map(\.value)))::text[])), "
                sql += "inserted AS (INSERT INTO params(run_key, key, value) SELECT \(sql.bind(runKey)), key, value "
                sql += "FROM input ON CONFLICT DO NOTHING RETURNING key) "
                sql += "SELECT i.key, i.value, p.value FROM input i JOIN params p ON p.run_key = "
                sql += "\(sql.bind(runKey)) AND p.key = i.key WHERE i.key NOT IN (SELECT key FROM inserted)"
                for row in try await conn.rows(sql, logger) {
                    let (key, new, old) = try row.decode((String, String, String).self)
                    if old != new {
                        throw SkiffError.invalid(
                            "Changing param values is not allowed. Param with key='\(key)' was already "
                                + "logged with value='\(old)' for run ID='\(runID)'. Attempted logging new value "
                                + "'\(new)'."
                        )
                    }
                }
            }
            for tag in tags {
                try await Self.upsertTag(conn, runKey: runKey, key: tag.key, value: tag.value, logger)
                if tag.key == "mlflow.runName" {
                    var sql = SQL()
                    sql += "UPDATE runs SET name = \(sql.bind(tag.value)) WHERE run_key = \(sql.bind(runKey))"
                    try await conn.run(sql, logger)
                }
            }
            if !metrics.isEmpty {
                try await Self.insertMetrics(conn, runKey: runKey, metrics: metrics, logger)
            }
        }
    }

    /// Appends metric history in one `UNNEST` statement and moves each key's latest value forward.
    static func insertMetrics(_ conn: PostgresConnection, runKey: Int64, metrics: [Metric], _ logger: Logger)
        async throws
    {
        var sql = SQL("INSERT INTO metrics(run_key, key, step, timestamp, is_nan, value, model_id, dataset_name, ")
        // Arrays carry no NULLs here: an absent model or dataset travels as '' and is stored as NULL.
        sql += "dataset_digest) SELECT \(sql.bind(runKey)), k, s, t, n, v, NULLIF(m, ''), NULLIF(dn, ''), "
        sql += "NULLIF(dd, '') FROM UNNEST("
        sql += "\(sql.bind(metrics.map(\.key)))::text[], \(sql.bind(metrics.map(\.step)))::bigint[], "
        sql += "\(sql.bind(metrics.map(\.timestamp)))::bigint[], \(sql.bind(metrics.map(\.value.isNaN)))::boolean[], "
        sql += "\(sql.bind(metrics.map { $0.value.isNaN ? 0 : $0.value }))::float8[], "
        sql += "\(sql.bind(metrics.map { $0.modelID ?? "" }))::text[], "
        sql += "\(sql.bind(metrics.map { $0.datasetName ?? "" }))::text[], "
        sql += "\(sql.bind(metrics.map { $0.datasetDigest ?? "" }))::text[]) AS u(k, s, t, n, v, m, dn, dd) "
        sql += "ON CONFLICT DO NOTHING"
        try await conn.run(sql, logger)
        let forModels = metrics.filter { $0.modelID != nil }
        if !forModels.isEmpty {
            var models = SQL(
                "INSERT INTO logged_model_metrics(model_id, key, step, timestamp, run_key, is_nan, value, ")
            models += "dataset_name, dataset_digest) SELECT m, k, s, t, \(models.bind(runKey)), n, v, NULLIF(dn, ''), "
            models += "NULLIF(dd, '') FROM UNNEST("
            models += "\(models.bind(forModels.map { $0.modelID ?? "" }))::text[], "
            models += "\(models.bind(forModels.map(\.key)))::text[], \(models.bind(forModels.map(\.step)))::bigint[], "
            models += "\(models.bind(forModels.map(\.timestamp)))::bigint[], "
            models += "\(models.bind(forModels.map(\.value.isNaN)))::boolean[], "
            models += "\(models.bind(forModels.map { $0.value.isNaN ? 0 : $0.value }))::float8[], "
            models += "\(models.bind(forModels.map { $0.datasetName ?? "" }))::text[], "
            models +=
                "\(models.bind(forModels.map { $0.datasetDigest ?? "" }))::text[]) AS u(m, k, s, t, n, v, dn, dd) "
            models += "ON CONFLICT DO NOTHING"
            try await conn.run(models, logger)
        }
        // One candidate per key, then one upsert for them all, keeping the newest by step, timestamp, value.
        var newest: [String: Metric] = [:]
        for metric in metrics {
            if let current = newest[metric.key], !isNewer(metric, than: current) { continue }
            newest[metric.key] = metric
        }
        let latest = newest.keys.sorted().map { newest[$0]! }
        var upsert = SQL("INSERT INTO latest_metrics AS l(run_key, key, value, is_nan, timestamp, step) ")
        upsert += "SELECT \(upsert.bind(runKey)), * FROM UNNEST(\(upsert.bind(latest.map(\.key)))::text[], "
        upsert += "\(upsert.bind(latest.map { $0.value.isNaN ? 0 : $0.value }))::float8[], "
        upsert += "\(upsert.bind(latest.map(\.value.isNaN)))::boolean[], "
        upsert += "\(upsert.bind(latest.map(\.timestamp)))::bigint[], \(upsert.bind(latest.map(\.step)))::bigint[]) "
        upsert += """
            ON CONFLICT (run_key, key) DO UPDATE SET value = EXCLUDED.value, is_nan = EXCLUDED.is_nan,
                timestamp = EXCLUDED.timestamp, step = EXCLUDED.step
            WHERE EXCLUDED.step > l.step
                OR (EXCLUDED.step = l.step AND (EXCLUDED.timestamp > l.timestamp
                    OR (EXCLUDED.timestamp = l.timestamp AND EXCLUDED.value > l.value)))
            """
        try await conn.run(upsert, logger)
    }

    static func isNewer(_ a: Metric, than b: Metric) -> Bool {
        if a.step != b.step { return a.step > b.step }
        if a.timestamp != b.timestamp { return a.timestamp > b.timestamp }
        let av = a.value.isNaN ? 0 : a.value
        let bv = b.value.isNaN ? 0 : b.value
        return av > bv
    }

    public func deleteTag(runID: String, key: String) async throws {
        let logger = self.logger
        try await write { conn in
            let runKey = try await Self.activeRunKey(conn, id: runID, logger)
            var sql = SQL()
            sql += "DELETE FROM tags WHERE run_key = \(sql.bind(runKey)) AND key = \(sql.bind(key)) RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("No tag with name: \(key) in run with id \(runID)")
            }
        }
    }

    public func logInputs(runID: String, datasets: [DatasetInput], models: [String]) async throws {
        let logger = self.logger
        try await write { conn in
            let (runKey, info) = try await Self.lockedRun(conn, id: runID, logger)
            guard info.lifecycleStage == .active else {
                throw SkiffError.invalid(
                    "The run \(runID) must be in the 'active' state. Current state is \(info.lifecycleStage.rawValue).")
            }
            let experimentID = Int64(info.experimentID)!
            for input in datasets {
                let d = input.dataset
                var sql = SQL(
                    "INSERT INTO datasets(experiment_id, name, digest, source_type, source, schema, profile) ")
                sql += "VALUES (\(sql.bind(experimentID)), \(sql.bind(d.name)), \(sql.bind(d.digest)), "
                sql +=
                    "\(sql.bind(d.sourceType)), \(sql.bind(d.source)), \(sql.bind(d.schema)), \(sql.bind(d.profile))) "
                sql += "ON CONFLICT (experiment_id, name, digest) DO NOTHING"
                try await conn.run(sql, logger)
                var find = SQL("SELECT dataset_id FROM datasets WHERE experiment_id = ")
                find += "\(find.bind(experimentID)) AND name = \(find.bind(d.name)) AND digest = \(find.bind(d.digest))"
                let datasetID = try await conn.rows(find, logger)[0].decode(Int64.self)
                var link = SQL("INSERT INTO run_dataset_inputs(run_key, dataset_id) VALUES (")
                link += "\(link.bind(runKey)), \(link.bind(datasetID))) ON CONFLICT DO NOTHING"
                try await conn.run(link, logger)
                for tag in input.tags {
                    var tagSQL = SQL("INSERT INTO run_dataset_input_tags(run_key, dataset_id, key, value) VALUES (")
                    tagSQL += "\(tagSQL.bind(runKey)), \(tagSQL.bind(datasetID)), \(tagSQL.bind(tag.key)), "
                    tagSQL += "\(tagSQL.bind(tag.value))) ON CONFLICT (run_key, dataset_id, key) DO UPDATE "
                    tagSQL += "SET value = EXCLUDED.value"
                    try await conn.run(tagSQL, logger)
                }
            }
            for model in models {
                var sql = SQL("INSERT INTO run_model_inputs(run_key, model_id) VALUES (")
                sql += "\(sql.bind(runKey)), \(sql.bind(model))) ON CONFLICT DO NOTHING"
                try await conn.run(sql, logger)
            }
        }
    }

    public func datasetSummaries(experimentIDs: [String], limit: Int) async throws -> [DatasetSummary] {
        let ids = experimentIDs.compactMap { Int64($0) }
        guard !ids.isEmpty, limit > 0 else { return [] }
        let logger = self.logger
        return try await read { conn in
            var sql = SQL("SELECT experiment_id, name, digest, context FROM (")
            sql += "SELECT DISTINCT d.experiment_id, d.name, d.digest, t.value AS context FROM datasets d "
            sql += "JOIN run_dataset_inputs i ON i.dataset_id = d.dataset_id LEFT JOIN run_dataset_input_tags t "
            sql += "ON t.run_key = i.run_key AND t.dataset_id = i.dataset_id AND t.key = "
            sql += "\(sql.bind(DatasetSummary.contextTag)) WHERE d.experiment_id = ANY(\(sql.bind(ids))) "
            // COLLATE "C" orders text by bytes, as SQLite does, so both backends page alike.
            sql += ") s ORDER BY experiment_id, name COLLATE \"C\", digest COLLATE \"C\", context COLLATE \"C\" "
            sql += "NULLS FIRST LIMIT \(sql.bind(Int64(limit)))"
            return try await conn.rows(sql, logger).map { row in
                let (experimentID, name, digest, context) = try row.decode((Int64, String, String, String?).self)
                return DatasetSummary(experimentID: String(experimentID), name: name, digest: digest, context: context)
            }
        }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        let logger = self.logger
        try await write { conn in
            let runKey = try await Self.activeRunKey(conn, id: runID, logger)
            for model in models {
                var sql = SQL("INSERT INTO run_model_outputs(run_key, model_id, step) VALUES (")
                sql +=
                    "\(sql.bind(runKey)), \(sql.bind(model.modelID)), \(sql.bind(model.step))) ON CONFLICT DO NOTHING"
                try await conn.run(sql, logger)
            }
        }
    }

    // MARK: - Metric history

    public func metricHistory(runID: String, key: String, offset: Int, limit: Int?) async throws -> Page<Metric> {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL("SELECT step, timestamp, is_nan, value, model_id, dataset_name, dataset_digest FROM metrics ")
            sql += "WHERE run_key = (SELECT run_key FROM runs WHERE run_uuid = \(sql.bind(runID))) "
            sql += "AND key = \(sql.bind(key)) ORDER BY step, timestamp, is_nan, value"
            if let limit { sql += " LIMIT \(sql.bind(Int64(limit + 1)))" }
            sql += " OFFSET \(sql.bind(Int64(offset)))"
            var items: [Metric] = []
            var more = false
            for row in try await conn.rows(sql, logger) {
                if let limit, items.count == limit {
                    more = true
                    break
                }
                let (step, timestamp, isNaN, value, modelID, datasetName, datasetDigest) = try row.decode(
                    (Int64, Int64, Bool, Double, String?, String?, String?).self)
                items.append(
                    Metric(
                        key: key, value: isNaN ? .nan : value, timestamp: timestamp, step: step, modelID: modelID,
                        datasetName: datasetName, datasetDigest: datasetDigest))
            }
            let next = more ? limit.map { PageToken.encode(offset: offset + $0) } : nil
            return Page(items: items, nextPageToken: next)
        }
    }

    public func metricHistoryBulkInterval(
        runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int
    ) async throws -> [Metric] {
        let logger = self.logger
        return try await read { conn in
            var out: [Metric] = []
            for runID in runIDs {
                // Distinct steps in range; keep an evenly spaced subset, always including the first and last.
                var stepsSQL = SQL("SELECT DISTINCT step FROM metrics WHERE run_key = (SELECT run_key FROM runs ")
                stepsSQL += "WHERE run_uuid = \(stepsSQL.bind(runID))) AND key = \(stepsSQL.bind(key)) "
                stepsSQL += "AND step >= \(stepsSQL.bind(startStep ?? Int64.min)) "
                stepsSQL += "AND step <= \(stepsSQL.bind(endStep ?? Int64.max)) ORDER BY step"
                let steps = try await conn.rows(stepsSQL, logger).map { try $0.decode(Int64.self) }
                let chosen = Self.sample(steps, count: maxResults)
                guard !chosen.isEmpty else { continue }
                var sql = SQL("SELECT step, timestamp, is_nan, value FROM metrics WHERE run_key = (SELECT run_key ")
                sql += "FROM runs WHERE run_uuid = \(sql.bind(runID))) AND key = \(sql.bind(key)) "
                sql += "AND step = ANY(\(sql.bind(chosen))) ORDER BY step, timestamp"
                for row in try await conn.rows(sql, logger).prefix(maxResults) {
                    let (step, timestamp, isNaN, value) = try row.decode((Int64, Int64, Bool, Double).self)
                    out.append(
                        Metric(key: key, value: isNaN ? .nan : value, timestamp: timestamp, step: step, runID: runID))
                }
            }
            return out
        }
    }

    static func sample(_ steps: [Int64], count: Int) -> [Int64] {
        guard steps.count > count, count > 1 else { return Array(steps.prefix(max(count, 0))) }
        var chosen: [Int64] = []
        chosen.reserveCapacity(count)
        let last = steps.count - 1
        for i in 0..<count {
            let index = Int((Double(i) * Double(last) / Double(count - 1)).rounded())
            if chosen.last != steps[index] { chosen.append(steps[index]) }
        }
        return chosen
    }

    // MARK: - Helpers

    static let runInfoColumns =
        "run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage, run_key"
    /// The same columns of the runs table aliased `r`.
    static let qualifiedRunInfoColumns = runInfoColumns.split(separator: ", ").map { "r.\($0)" }.joined(separator: ", ")

    static func runInfo(_ row: PostgresRow) throws -> (key: Int64, info: RunInfo) {
        let (id, experimentID, name, user, status, start, end, uri, stage, key) = try row.decode(
            (String, Int64, String, String, String, Int64, Int64?, String, String, Int64).self)
        return (
            key,
            RunInfo(
                runID: id, experimentID: String(experimentID), runName: name, userID: user,
                status: RunStatus(rawValue: status) ?? .running, startTime: start, endTime: end, artifactURI: uri,
                lifecycleStage: LifecycleStage(rawValue: stage) ?? .active)
        )
    }

    /// A run's key and info with its row locked for the rest of the transaction.
    /// - Throws: `resourceDoesNotExist`.
    static func lockedRun(_ conn: PostgresConnection, id: String, _ logger: Logger) async throws
        -> (key: Int64, info: RunInfo)
    {
        var sql = SQL("SELECT \(runInfoColumns) FROM runs WHERE run_uuid = ")
        sql += "\(sql.bind(id)) FOR UPDATE"
        guard let row = try await conn.rows(sql, logger).first else {
            throw SkiffError.notFound("Run with id=\(id) not found")
        }
        return try runInfo(row)
    }

    /// The key of a run that must be active (writes to deleted runs are refused). Takes a share lock, so a
    /// concurrent delete waits for the write instead of racing it.
    static func activeRunKey(_ conn: PostgresConnection, id: String, _ logger: Logger) async throws -> Int64 {
        var sql = SQL("SELECT run_key, lifecycle_stage FROM runs WHERE run_uuid = ")
        sql += "\(sql.bind(id)) FOR SHARE"
        guard let row = try await conn.rows(sql, logger).first else {
            throw SkiffError.notFound("Run with id=\(id) not found")
        }
        let (key, stage) = try row.decode((Int64, String).self)
        guard stage == LifecycleStage.active.rawValue else {
            throw SkiffError.invalid("The run \(id) must be in the 'active' state. Current state is \(stage).")
        }
        return key
    }

    static func upsertTag(_ conn: PostgresConnection, runKey: Int64, key: String, value: String, _ logger: Logger)
        async throws
    {
        var sql = SQL("INSERT INTO tags(run_key, key, value) VALUES (")
        sql += "\(sql.bind(runKey)), \(sql.bind(key)), \(sql.bind(value))) "
        sql += "ON CONFLICT (run_key, key) DO UPDATE SET value = EXCLUDED.value"
        try await conn.run(sql, logger)
    }

    static func rename(_ conn: PostgresConnection, runKey: Int64, to name: String, _ logger: Logger) async throws {
        var sql = SQL()
        sql += "UPDATE runs SET name = \(sql.bind(name)) WHERE run_key = \(sql.bind(runKey))"
        try await conn.run(sql, logger)
        try await upsertTag(conn, runKey: runKey, key: "mlflow.runName", value: name, logger)
    }

    /// Loads whole runs (info, latest metrics, params, tags, inputs, outputs) in a few set-based queries,
    /// keeping the order of `ids`. Unknown ids are skipped.
    static func loadRuns(_ conn: PostgresConnection, ids: [String], _ logger: Logger) async throws -> [Run] {
        guard !ids.isEmpty else { return [] }
        var infoSQL = SQL("SELECT \(runInfoColumns) FROM runs WHERE run_uuid = ANY(")
        infoSQL += "\(infoSQL.bind(ids)))"
        var infos: [String: (key: Int64, info: RunInfo)] = [:]
        for row in try await conn.rows(infoSQL, logger) {
            let loaded = try runInfo(row)
            infos[loaded.info.runID] = loaded
        }
        return try await loadRuns(conn, infos: ids.compactMap { infos[$0] }, logger)
    }

    /// The runs of already loaded infos, in their order, with their metrics, params, tags, inputs and outputs.
    static func loadRuns(
        _ conn: PostgresConnection, infos: [(key: Int64, info: RunInfo)], _ logger: Logger
    ) async throws -> [Run] {
        guard !infos.isEmpty else { return [] }
        var runs: [Int64: Run] = [:]
        for (key, info) in infos { runs[key] = Run(info: info) }
        let keys = infos.map(\.key)
        var metricSQL = SQL("SELECT run_key, key, value, is_nan, timestamp, step FROM latest_metrics ")
        metricSQL += "WHERE run_key = ANY(\(metricSQL.bind(keys))) ORDER BY run_key, key"
        for row in try await conn.rows(metricSQL, logger) {
            let (key, name, value, isNaN, timestamp, step) = try row.decode(
                (Int64, String, Double, Bool, Int64, Int64).self)
            runs[key]?.metrics.append(Metric(key: name, value: isNaN ? .nan : value, timestamp: timestamp, step: step))
        }
        for table in ["params", "tags"] {
            var sql = SQL("SELECT run_key, key, value FROM \(table) WHERE run_key = ANY(")
            sql += "\(sql.bind(keys))) ORDER BY run_key, key"
            for row in try await conn.rows(sql, logger) {
                let (key, name, value) = try row.decode((Int64, String, String).self)
                if table == "params" {
                    runs[key]?.params.append(Param(key: name, value: value))
                } else {
                    runs[key]?.tags.append(Tag(key: name, value: value))
                }
            }
        }
        try await loadInputsAndOutputs(conn, keys: keys, into: &runs, logger)
        return keys.compactMap { runs[$0] }
    }

    static func loadInputsAndOutputs(
        _ conn: PostgresConnection, keys: [Int64], into runs: inout [Int64: Run], _ logger: Logger
    ) async throws {
        var inputSQL = SQL("SELECT i.run_key, d.dataset_id, d.name, d.digest, d.source_type, d.source, d.schema, ")
        inputSQL += "d.profile FROM run_dataset_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id "
        inputSQL += "WHERE i.run_key = ANY(\(inputSQL.bind(keys))) ORDER BY i.run_key, d.dataset_id"
        let inputRows = try await conn.rows(inputSQL, logger)
        if !inputRows.isEmpty {
            var inputTags: [String: [Tag]] = [:]
            var tagSQL = SQL("SELECT run_key, dataset_id, key, value FROM run_dataset_input_tags ")
            tagSQL += "WHERE run_key = ANY(\(tagSQL.bind(keys))) ORDER BY key"
            for row in try await conn.rows(tagSQL, logger) {
                let (runKey, datasetID, key, value) = try row.decode((Int64, Int64, String, String).self)
                inputTags["\(runKey)/\(datasetID)", default: []].append(Tag(key: key, value: value))
            }
            for row in inputRows {
                let (runKey, datasetID, name, digest, sourceType, source, schema, profile) = try row.decode(
                    (Int64, Int64, String, String, String, String, String?, String?).self)
                let dataset = Dataset(
                    name: name, digest: digest, sourceType: sourceType, source: source, schema: schema,
                    profile: profile)
                runs[runKey]?.datasetInputs.append(
                    DatasetInput(dataset: dataset, tags: inputTags["\(runKey)/\(datasetID)"] ?? []))
            }
        }
        var modelInputs = SQL("SELECT run_key, model_id FROM run_model_inputs WHERE run_key = ANY(")
        modelInputs += "\(modelInputs.bind(keys))) ORDER BY run_key, model_id"
        for row in try await conn.rows(modelInputs, logger) {
            let (key, model) = try row.decode((Int64, String).self)
            runs[key]?.modelInputs.append(model)
        }
        var outputs = SQL("SELECT run_key, model_id, step FROM run_model_outputs WHERE run_key = ANY(")
        outputs += "\(outputs.bind(keys))) ORDER BY run_key, step, model_id"
        for row in try await conn.rows(outputs, logger) {
            let (key, model, step) = try row.decode((Int64, String, Int64).self)
            runs[key]?.modelOutputs.append(ModelOutput(modelID: model, step: step))
        }
    }
}
