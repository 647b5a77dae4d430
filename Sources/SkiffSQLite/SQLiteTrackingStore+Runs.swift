import GRDB
import SkiffCore

extension SQLiteTrackingStore {
    public func createRun(_ new: NewRun) async throws -> Run {
        try await write { db in
            let experiment = try Self.fetchExperiment(db, id: new.experimentID)
            guard experiment.lifecycleStage == .active else {
                throw SkiffError.invalid(
                    "The experiment \(new.experimentID) must be in the 'active' state. "
                        + "Current state is \(experiment.lifecycleStage.rawValue)."
                )
            }
            var base = experiment.artifactLocation
            while base.hasSuffix("/") { base.removeLast() }
            let artifactURI = "\(base)/\(new.runID)/artifacts"
            try db.execute(
                sql: """
                    INSERT INTO runs(run_uuid, experiment_id, name, user_id, status, start_time, end_time,
                    artifact_uri, lifecycle_stage) VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, ?, 'active')
                    """,
                arguments: [new.runID, new.experimentID, new.runName, new.userID, new.startTime, artifactURI]
            )
            let key = db.lastInsertedRowID
            for tag in new.tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO tags(run_key, key, value) VALUES (?, ?, ?)",
                    arguments: [key, tag.key, tag.value]
                )
            }
            return try Self.loadRuns(db, ids: [new.runID])[0]
        }
    }

    public func run(id: String) async throws -> Run {
        try await read { db in
            guard let run = try Self.loadRuns(db, ids: [id]).first else {
                throw SkiffError.notFound("Run with id=\(id) not found")
            }
            return run
        }
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try await write { db in
            let info = try Self.activeRunInfo(db, id: id)
            if let status = update.status {
                try db.execute(sql: "UPDATE runs SET status = ? WHERE run_uuid = ?", arguments: [status.rawValue, id])
            }
            if let endTime = update.endTime {
                try db.execute(sql: "UPDATE runs SET end_time = ? WHERE run_uuid = ?", arguments: [endTime, id])
            }
            if let name = update.runName, name != info.runName {
                try Self.rename(db, run: try Self.runKey(db, id: id), to: name)
            }
            return try Self.runInfo(db, id: id)
        }
    }

    public func deleteRun(id: String, time: Int64) async throws {
        try await write { db in
            _ = try Self.runInfo(db, id: id)
            try db.execute(
                sql: "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?",
                arguments: [time, id]
            )
        }
    }

    public func restoreRun(id: String) async throws {
        try await write { db in
            _ = try Self.runInfo(db, id: id)
            try db.execute(
                sql: "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?",
                arguments: [id]
            )
        }
    }

    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        try await write { db in
            let runKey = try Self.activeRunKey(db, id: runID)
            if !params.isEmpty {
                let insert = try db.cachedStatement(
                    sql: "INSERT INTO params(run_key, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                let existing = try db.cachedStatement(sql: "SELECT value FROM params WHERE run_key = ? AND key = ?")
                for param in params {
                    try insert.execute(arguments: [runKey, param.key, param.value])
                    if db.changesCount == 0 {
                        let old = try String.fetchOne(existing, arguments: [runKey, param.key]) ?? ""
                        if old != param.value {
                            throw SkiffError.invalid(
                                "Changing param values is not allowed. Param with key='\(param.key)' was already "
                                    + "logged with value='\(old)' for run ID='\(runID)'. Attempted logging new value "
                                    + "'\(param.value)'."
                            )
                        }
                    }
                }
            }
            if !tags.isEmpty {
                let upsert = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO tags(run_key, key, value) VALUES (?, ?, ?)")
                for tag in tags {
                    try upsert.execute(arguments: [runKey, tag.key, tag.value])
                    if tag.key == "mlflow.runName" {
                        try db.execute(
                            sql: "UPDATE runs SET name = ? WHERE run_key = ?", arguments: [tag.value, runKey])
                    }
                }
            }
            if !metrics.isEmpty {
                try Self.insertMetrics(db, runKey: runKey, metrics: metrics)
            }
        }
    }

    static func insertMetrics(_ db: Database, runKey: Int64, metrics: [Metric]) throws {
        // History rows go in with multi-row INSERTs: one statement per 100 points instead of one per point.
        let chunk = 100
        var start = 0
        while start < metrics.count {
            let end = min(start + chunk, metrics.count)
            let statement = try db.cachedStatement(sql: historyInsertSQL(rows: end - start))
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity((end - start) * 9)
            for metric in metrics[start..<end] {
                let isNaN = metric.value.isNaN
                values.append(
                    contentsOf: [
                        runKey, metric.key, metric.step, metric.timestamp, isNaN, isNaN ? 0 : metric.value,
                        metric.modelID, metric.datasetName, metric.datasetDigest,
                    ] as [(any DatabaseValueConvertible)?])
            }
            try statement.execute(arguments: StatementArguments(values))
            start = end
        }
        let modelMetrics = try db.cachedStatement(
            sql: """
                INSERT INTO logged_model_metrics(model_id, key, step, timestamp, run_key, is_nan, value, dataset_name,
                    dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
        for metric in metrics {
            guard let modelID = metric.modelID else { continue }
            let isNaN = metric.value.isNaN
            try modelMetrics.execute(arguments: [
                modelID, metric.key, metric.step, metric.timestamp, runKey, isNaN, isNaN ? 0 : metric.value,
                metric.datasetName, metric.datasetDigest,
            ])
        }
        // The newest value per key is kept by this rule: greater step, then timestamp, then value.
        let latest = try db.cachedStatement(
            sql: """
                INSERT INTO latest_metrics(run_key, key, value, is_nan, timestamp, step) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(run_key, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan,
                    timestamp = excluded.timestamp, step = excluded.step
                WHERE excluded.step > latest_metrics.step
                    OR (excluded.step = latest_metrics.step AND (excluded.timestamp > latest_metrics.timestamp
                        OR (excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)))
                """)
        // Reduce to one candidate per key first, so a 1000-point batch of one key is one upsert.
        var newest: [String: Metric] = [:]
        for metric in metrics {
            if let current = newest[metric.key], !Self.isNewer(metric, than: current) { continue }
            newest[metric.key] = metric
        }
        for metric in newest.values {
            let isNaN = metric.value.isNaN
            try latest.execute(arguments: [
                runKey, metric.key, isNaN ? 0 : metric.value, isNaN, metric.timestamp, metric.step,
            ])
        }
    }

    static func historyInsertSQL(rows: Int) -> String {
        let tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
        return """
            INSERT INTO metrics(run_key, key, step, timestamp, is_nan, value, model_id, dataset_name, dataset_digest)
            VALUES \(Array(repeating: tuple, count: rows).joined(separator: ", ")) ON CONFLICT DO NOTHING
            """
    }

    static func isNewer(_ a: Metric, than b: Metric) -> Bool {
        if a.step != b.step { return a.step > b.step }
        if a.timestamp != b.timestamp { return a.timestamp > b.timestamp }
        let av = a.value.isNaN ? 0 : a.value
        let bv = b.value.isNaN ? 0 : b.value
        return av > bv
    }

    public func deleteTag(runID: String, key: String) async throws {
        try await write { db in
            let runKey = try Self.activeRunKey(db, id: runID)
            try db.execute(sql: "DELETE FROM tags WHERE run_key = ? AND key = ?", arguments: [runKey, key])
            guard db.changesCount > 0 else {
                throw SkiffError.notFound("No tag with name: \(key) in run with id \(runID)")
            }
        }
    }

    public func logInputs(runID: String, datasets: [DatasetInput], models: [String]) async throws {
        try await write { db in
            let info = try Self.activeRunInfo(db, id: runID)
            let runKey = try Self.runKey(db, id: runID)
            for input in datasets {
                let d = input.dataset
                try db.execute(
                    sql: """
                        INSERT INTO datasets(experiment_id, name, digest, source_type, source, schema, profile)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(experiment_id, name, digest) DO NOTHING
                        """,
                    arguments: [info.experimentID, d.name, d.digest, d.sourceType, d.source, d.schema, d.profile]
                )
                let datasetID = try Int64.fetchOne(
                    db, sql: "SELECT dataset_id FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
                    arguments: [info.experimentID, d.name, d.digest])!
                try db.execute(
                    sql: "INSERT OR IGNORE INTO run_dataset_inputs(run_key, dataset_id) VALUES (?, ?)",
                    arguments: [runKey, datasetID]
                )
                for tag in input.tags {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO run_dataset_input_tags(run_key, dataset_id, key, value)
                            VALUES (?, ?, ?, ?)
                            """,
                        arguments: [runKey, datasetID, tag.key, tag.value]
                    )
                }
            }
            for model in models {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO run_model_inputs(run_key, model_id) VALUES (?, ?)",
                    arguments: [runKey, model]
                )
            }
        }
    }

    public func datasetSummaries(experimentIDs: [String], limit: Int) async throws -> [DatasetSummary] {
        let ids = experimentIDs.compactMap { Int64($0) }
        guard !ids.isEmpty, limit > 0 else { return [] }
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT d.experiment_id, d.name, d.digest, t.value FROM datasets d
                    JOIN run_dataset_inputs i ON i.dataset_id = d.dataset_id
                    LEFT JOIN run_dataset_input_tags t
                        ON t.run_key = i.run_key AND t.dataset_id = i.dataset_id AND t.key = ?
                    WHERE d.experiment_id IN (SELECT value FROM json_each(?))
                    ORDER BY d.experiment_id, d.name, d.digest, t.value LIMIT ?
                    """,
                arguments: [
                    DatasetSummary.contextTag, "[" + ids.map(String.init).joined(separator: ",") + "]", limit,
                ]
            ).map { row in
                DatasetSummary(
                    experimentID: String(row[0] as Int64), name: row[1], digest: row[2], context: row[3])
            }
        }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await write { db in
            let runKey = try Self.activeRunKey(db, id: runID)
            for model in models {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO run_model_outputs(run_key, model_id, step) VALUES (?, ?, ?)",
                    arguments: [runKey, model.modelID, model.step]
                )
            }
        }
    }

    // MARK: - Metric history

    public func metricHistory(runID: String, key: String, offset: Int, limit: Int?) async throws -> Page<Metric> {
        try await read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT step, timestamp, is_nan, value, model_id, dataset_name, dataset_digest FROM metrics
                    WHERE run_key = (SELECT run_key FROM runs WHERE run_uuid = ?) AND key = ?
                    ORDER BY step, timestamp, is_nan, value LIMIT ? OFFSET ?
                    """,
                arguments: [runID, key, limit.map { $0 + 1 } ?? -1, offset]
            )
            var items: [Metric] = []
            var more = false
            while let row = try rows.next() {
                if let limit, items.count == limit {
                    more = true
                    break
                }
                let isNaN: Bool = row[2]
                items.append(
                    Metric(
                        key: key, value: isNaN ? .nan : row[3], timestamp: row[1], step: row[0], modelID: row[4],
                        datasetName: row[5], datasetDigest: row[6]))
            }
            let next = more ? limit.map { PageToken.encode(offset: offset + $0) } : nil
            return Page(items: items, nextPageToken: next)
        }
    }

    public func metricHistoryBulkInterval(
        runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int
    ) async throws -> [Metric] {
        try await read { db in
            var out: [Metric] = []
            for runID in runIDs {
                // Distinct steps in range; keep an evenly spaced subset, always including the first and last.
                let steps = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT step FROM metrics WHERE run_key = (SELECT run_key FROM runs WHERE run_uuid = ?)
                        AND key = ? AND step >= ? AND step <= ?
                        ORDER BY step
                        """,
                    arguments: [runID, key, startStep ?? Int64.min, endStep ?? Int64.max]
                )
                let chosen = Self.sample(steps, count: maxResults)
                guard !chosen.isEmpty else { continue }
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT step, timestamp, is_nan, value FROM metrics
                        WHERE run_key = (SELECT run_key FROM runs WHERE run_uuid = ?) AND key = ?
                        AND step IN (SELECT value FROM json_each(?)) ORDER BY step, timestamp
                        """,
                    arguments: [runID, key, "[" + chosen.map(String.init).joined(separator: ",") + "]"]
                )
                for row in rows.prefix(maxResults) {
                    let isNaN: Bool = row[2]
                    out.append(
                        Metric(key: key, value: isNaN ? .nan : row[3], timestamp: row[1], step: row[0], runID: runID))
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

    static func runInfo(_ db: Database, id: String) throws -> RunInfo {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri,
                        lifecycle_stage FROM runs WHERE run_uuid = ?
                        """),
                arguments: [id])
        else {
            throw SkiffError.notFound("Run with id=\(id) not found")
        }
        return runInfo(row)
    }

    static func activeRunInfo(_ db: Database, id: String) throws -> RunInfo {
        let info = try runInfo(db, id: id)
        guard info.lifecycleStage == .active else {
            throw SkiffError.invalid(
                "The run \(id) must be in the 'active' state. Current state is \(info.lifecycleStage.rawValue).")
        }
        return info
    }

    static func runInfo(_ row: Row) -> RunInfo {
        RunInfo(
            runID: row[0], experimentID: String(row[1] as Int64), runName: row[2], userID: row[3],
            status: RunStatus(rawValue: row[4]) ?? .running, startTime: row[5], endTime: row[6],
            artifactURI: row[7], lifecycleStage: LifecycleStage(rawValue: row[8]) ?? .active
        )
    }

    static func rename(_ db: Database, run key: Int64, to name: String) throws {
        try db.execute(sql: "UPDATE runs SET name = ? WHERE run_key = ?", arguments: [name, key])
        try db.execute(
            sql: "INSERT OR REPLACE INTO tags(run_key, key, value) VALUES (?, 'mlflow.runName', ?)",
            arguments: [key, name]
        )
    }

    /// The integer key of a run.
    /// - Throws: `resourceDoesNotExist`.
    static func runKey(_ db: Database, id: String) throws -> Int64 {
        guard
            let key = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT run_key FROM runs WHERE run_uuid = ?"), arguments: [id])
        else {
            throw SkiffError.notFound("Run with id=\(id) not found")
        }
        return key
    }

    /// The integer key of a run that must be active (writes to deleted runs are refused).
    static func activeRunKey(_ db: Database, id: String) throws -> Int64 {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT run_key, lifecycle_stage FROM runs WHERE run_uuid = ?"),
                arguments: [id])
        else {
            throw SkiffError.notFound("Run with id=\(id) not found")
        }
        let stage: String = row[1]
        guard stage == LifecycleStage.active.rawValue else {
            throw SkiffError.invalid("The run \(id) must be in the 'active' state. Current state is \(stage).")
        }
        return row[0]
    }

    /// Loads whole runs (info, latest metrics, params, tags, inputs, outputs) in a few set-based queries,
    /// keeping the order of `ids`. Unknown ids are skipped.
    static func loadRuns(_ db: Database, ids: [String]) throws -> [Run] {
        guard !ids.isEmpty else { return [] }
        var runs: [Int64: Run] = [:]
        runs.reserveCapacity(ids.count)
        var keyOf: [String: Int64] = [:]
        let infoRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri,
                lifecycle_stage, run_key FROM runs WHERE run_uuid IN (SELECT value FROM json_each(?))
                """,
            arguments: [SQLText.jsonArray(ids)])
        while let row = try infoRows.next() {
            let info = runInfo(row)
            let key: Int64 = row[9]
            runs[key] = Run(info: info)
            keyOf[info.runID] = key
        }
        guard !runs.isEmpty else { return [] }
        let keys = "[" + runs.keys.map(String.init).joined(separator: ",") + "]"
        let metricRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT run_key, key, value, is_nan, timestamp, step FROM latest_metrics
                WHERE run_key IN (SELECT value FROM json_each(?)) ORDER BY run_key, key
                """,
            arguments: [keys])
        while let row = try metricRows.next() {
            let key: Int64 = row[0]
            let isNaN: Bool = row[3]
            runs[key]?.metrics.append(
                Metric(key: row[1], value: isNaN ? .nan : row[2], timestamp: row[4], step: row[5]))
        }
        let paramRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT run_key, key, value FROM params WHERE run_key IN (SELECT value FROM json_each(?))
                ORDER BY run_key, key
                """,
            arguments: [keys])
        while let row = try paramRows.next() {
            let key: Int64 = row[0]
            runs[key]?.params.append(Param(key: row[1], value: row[2]))
        }
        let tagRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT run_key, key, value FROM tags WHERE run_key IN (SELECT value FROM json_each(?))
                ORDER BY run_key, key
                """,
            arguments: [keys])
        while let row = try tagRows.next() {
            let key: Int64 = row[0]
            runs[key]?.tags.append(Tag(key: row[1], value: row[2]))
        }
        try loadInputsAndOutputs(db, keys: keys, into: &runs)
        return ids.compactMap { keyOf[$0].flatMap { runs[$0] } }
    }

    static func loadInputsAndOutputs(_ db: Database, keys: String, into runs: inout [Int64: Run]) throws {
        let inputRows = try Row.fetchAll(
            db,
            sql: """
                SELECT i.run_key, d.dataset_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
                FROM run_dataset_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id
                WHERE i.run_key IN (SELECT value FROM json_each(?)) ORDER BY i.run_key, d.dataset_id
                """,
            arguments: [keys])
        if !inputRows.isEmpty {
            var inputTags: [String: [Tag]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT run_key, dataset_id, key, value FROM run_dataset_input_tags
                    WHERE run_key IN (SELECT value FROM json_each(?)) ORDER BY key
                    """,
                arguments: [keys])
            {
                let key = "\(row[0] as Int64)/\(row[1] as Int64)"
                inputTags[key, default: []].append(Tag(key: row[2], value: row[3]))
            }
            for row in inputRows {
                let runKey: Int64 = row[0]
                let datasetID: Int64 = row[1]
                let dataset = Dataset(
                    name: row[2], digest: row[3], sourceType: row[4], source: row[5], schema: row[6], profile: row[7])
                runs[runKey]?.datasetInputs.append(
                    DatasetInput(dataset: dataset, tags: inputTags["\(runKey)/\(datasetID)"] ?? []))
            }
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT run_key, model_id FROM run_model_inputs WHERE run_key IN (SELECT value FROM json_each(?))
                ORDER BY run_key, model_id
                """,
            arguments: [keys])
        {
            let key: Int64 = row[0]
            runs[key]?.modelInputs.append(row[1])
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT run_key, model_id, step FROM run_model_outputs
                WHERE run_key IN (SELECT value FROM json_each(?)) ORDER BY run_key, step, model_id
                """,
            arguments: [keys])
        {
            let key: Int64 = row[0]
            runs[key]?.modelOutputs.append(ModelOutput(modelID: row[1], step: row[2]))
        }
    }
}
