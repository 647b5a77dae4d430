import PostgresNIO
import SkiffCore
import SkiffStudies
import SkiffTune

extension PostgresTrackingStore: StudyStore {
    /// Creates a study or returns the stored one; two replicas creating the same name at once both get the one row.
    public func createStudy(_ settings: StudySettings, time: Int64) async throws -> (study: StudyRecord, created: Bool)
    {
        let logger = self.logger
        return try await write { conn in
            let seed = settings.seed ?? 0
            var insert = SQL("INSERT INTO studies(name, direction, space, sampler, pruner, seed, max_retries, ")
            insert += "heartbeat_grace_ms, creation_time) VALUES (\(insert.bind(settings.name)), "
            insert += "\(insert.bind(settings.direction.rawValue)), \(insert.bind(settings.spaceText)), "
            insert += "\(insert.bind(settings.sampler.rawValue)), \(insert.bind(settings.pruner.rawValue)), "
            insert += "\(insert.bind(Int64(bitPattern: seed))), \(insert.bind(Int64(settings.maxRetries))), "
            insert += "\(insert.bind(settings.heartbeatGraceMilliseconds)), \(insert.bind(time))) "
            insert += "ON CONFLICT (name) DO NOTHING RETURNING study_id"
            if let row = try await conn.rows(insert, logger).first {
                var stored = settings
                stored.seed = seed
                return (StudyRecord(id: try row.decode(Int64.self), settings: stored, creationTime: time), true)
            }
            var existing = SQL(Self.studySelect + " WHERE name = ")
            existing += existing.bind(settings.name)
            guard let study = try await Self.fetchStudies(conn, existing, logger).first else {
                throw SkiffError(.temporarilyUnavailable, "The study is being created elsewhere; retry.")
            }
            guard study.settings.isCompatible(with: settings) else {
                throw SkiffError.invalid(
                    "Study '\(settings.name)' already exists with a different search space, direction, sampler "
                        + "or pruner; use another study name.")
            }
            return (study, false)
        }
    }

    public func study(named name: String) async throws -> StudyRecord {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL(Self.studySelect + " WHERE name = ")
            sql += sql.bind(name)
            guard let study = try await Self.fetchStudies(conn, sql, logger).first else {
                throw SkiffError.notFound("Study '\(name)' does not exist.")
            }
            return study
        }
    }

    public func listStudies() async throws -> [StudyRecord] {
        let logger = self.logger
        return try await read { conn in
            try await Self.fetchStudies(conn, SQL(Self.studySelect + " ORDER BY study_id"), logger)
        }
    }

    public func trials(studyID: Int64) async throws -> [TrialRecord] {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL("SELECT number, state, value, start_time, end_time, heartbeat_time, retry_of ")
            sql += "FROM study_trials WHERE study_id = \(sql.bind(studyID)) ORDER BY number"
            var records = try await conn.rows(sql, logger).map { row in
                let (number, state, value, start, end, heartbeat, retryOf) = try row.decode(
                    (Int64, String, Double?, Int64, Int64?, Int64, Int64?).self)
                return TrialRecord(
                    trial: Trial(
                        number: Int(number), state: TrialState(rawValue: state) ?? .failed, params: [:], value: value),
                    startTime: start, endTime: end, heartbeatTime: heartbeat, retryOf: retryOf.map(Int.init))
            }
            var index: [Int: Int] = [:]
            for (position, record) in records.enumerated() { index[record.number] = position }
            var params = SQL("SELECT number, name, value FROM study_trial_params WHERE study_id = ")
            params += params.bind(studyID)
            for row in try await conn.rows(params, logger) {
                let (number, name, text) = try row.decode((Int64, String, String).self)
                guard let position = index[Int(number)], let value = ParameterValue(storageText: text) else { continue }
                records[position].trial.params[name] = value
            }
            var values = SQL("SELECT number, step, value, is_nan FROM study_trial_values WHERE study_id = ")
            values += values.bind(studyID)
            for row in try await conn.rows(values, logger) {
                let (number, step, value, isNaN) = try row.decode((Int64, Int64, Double, Bool).self)
                guard let position = index[Int(number)] else { continue }
                records[position].trial.intermediateValues[Int(step)] = isNaN ? .nan : value
            }
            return records
        }
    }

    /// The number is MAX + 1 read under the study's row lock, so trials stay contiguous across replicas.
    public func createTrial(
        studyID: Int64, params: [String: ParameterValue], space: SearchSpace, state: TrialState, retryOf: Int?,
        time: Int64
    ) async throws -> TrialRecord {
        let logger = self.logger
        let distributions = Dictionary(
            uniqueKeysWithValues: space.parameters.map { ($0.name, $0.distribution.storageText) })
        return try await write { conn in
            var lock = SQL("SELECT 1 FROM studies WHERE study_id = ")
            lock += "\(lock.bind(studyID)) FOR UPDATE"
            guard try await conn.count(lock, logger) > 0 else { throw SkiffError.notFound("The study does not exist.") }
            var next = SQL("SELECT COALESCE(MAX(number) + 1, 0) FROM study_trials WHERE study_id = ")
            next += next.bind(studyID)
            let number = try await conn.rows(next, logger)[0].decode(Int64.self)
            var insert = SQL("INSERT INTO study_trials(study_id, number, state, value, start_time, end_time, ")
            insert += "heartbeat_time, retry_of) VALUES (\(insert.bind(studyID)), \(insert.bind(number)), "
            insert += "\(insert.bind(state.rawValue)), NULL, \(insert.bind(time)), NULL, \(insert.bind(time)), "
            insert += "\(insert.bind(retryOf.map(Int64.init))))"
            try await conn.run(insert, logger)
            let sorted = params.sorted { $0.key < $1.key }
            if !sorted.isEmpty {
                var sql = SQL("INSERT INTO study_trial_params(study_id, number, name, value, distribution) ")
                sql += "SELECT \(sql.bind(studyID)), \(sql.bind(number)), * FROM UNNEST("
                sql += "\(sql.bind(sorted.map(\.key)))::text[], \(sql.bind(sorted.map(\.value.storageText)))::text[], "
                sql += "\(sql.bind(sorted.map { distributions[$0.key] ?? "" }))::text[])"
                try await conn.run(sql, logger)
            }
            return TrialRecord(
                trial: Trial(number: Int(number), state: state, params: params), startTime: time, heartbeatTime: time,
                retryOf: retryOf)
        }
    }

    public func startTrial(studyID: Int64, number: Int, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.requireState(conn, studyID: studyID, number: number, .waiting, logger)
            var sql = SQL()
            sql += "UPDATE study_trials SET state = 'running', start_time = \(sql.bind(time)), heartbeat_time = "
            sql += "\(sql.bind(time)) WHERE study_id = \(sql.bind(studyID)) AND number = \(sql.bind(Int64(number)))"
            try await conn.run(sql, logger)
        }
    }

    public func finishTrial(studyID: Int64, number: Int, state: TrialState, value: Double?, time: Int64)
        async throws
    {
        let logger = self.logger
        try await write { conn in
            try await Self.requireState(conn, studyID: studyID, number: number, .running, logger)
            var sql = SQL()
            sql += "UPDATE study_trials SET state = \(sql.bind(state.rawValue)), "
            sql += "value = \(sql.bind(value.flatMap { $0.isFinite ? $0 : nil })), end_time = \(sql.bind(time)) "
            sql += "WHERE study_id = \(sql.bind(studyID)) AND number = \(sql.bind(Int64(number)))"
            try await conn.run(sql, logger)
        }
    }

    public func reportIntermediateValue(studyID: Int64, number: Int, step: Int, value: Double, time: Int64)
        async throws
    {
        let logger = self.logger
        try await write { conn in
            try await Self.requireState(conn, studyID: studyID, number: number, .running, logger)
            var sql = SQL("INSERT INTO study_trial_values(study_id, number, step, value, is_nan) VALUES (")
            sql += "\(sql.bind(studyID)), \(sql.bind(Int64(number))), \(sql.bind(Int64(step))), "
            sql += "\(sql.bind(value.isNaN ? 0 : value)), \(sql.bind(value.isNaN))) "
            sql += "ON CONFLICT (study_id, number, step) DO UPDATE SET value = EXCLUDED.value, is_nan = EXCLUDED.is_nan"
            try await conn.run(sql, logger)
            try await Self.beat(conn, studyID: studyID, number: number, time: time, logger)
        }
    }

    public func heartbeat(studyID: Int64, number: Int, time: Int64) async throws {
        let logger = self.logger
        try await write { conn in
            try await Self.requireState(conn, studyID: studyID, number: number, .running, logger)
            try await Self.beat(conn, studyID: studyID, number: number, time: time, logger)
        }
    }

    /// One statement, so of two replicas failing stale trials at once each trial is failed (and retried) once.
    public func failStaleTrials(studyID: Int64, heartbeatBefore cutoff: Int64, time: Int64) async throws -> [Int] {
        let logger = self.logger
        return try await write { conn in
            var sql = SQL()
            sql += "UPDATE study_trials SET state = 'failed', end_time = \(sql.bind(time)) "
            sql += "WHERE study_id = \(sql.bind(studyID)) AND state = 'running' AND heartbeat_time < "
            sql += "\(sql.bind(cutoff)) RETURNING number"
            return try await conn.rows(sql, logger).map { Int(try $0.decode(Int64.self)) }.sorted()
        }
    }

    // MARK: - Helpers

    static let studySelect = """
        SELECT study_id, name, direction, space, sampler, pruner, seed, max_retries, heartbeat_grace_ms, \
        creation_time FROM studies
        """

    static func beat(_ conn: PostgresConnection, studyID: Int64, number: Int, time: Int64, _ logger: Logger)
        async throws
    {
        var sql = SQL()
        sql += "UPDATE study_trials SET heartbeat_time = \(sql.bind(time)) WHERE study_id = \(sql.bind(studyID)) "
        sql += "AND number = \(sql.bind(Int64(number)))"
        try await conn.run(sql, logger)
    }

    /// Checks a trial's state with its row locked for the rest of the transaction.
    static func requireState(
        _ conn: PostgresConnection, studyID: Int64, number: Int, _ expected: TrialState, _ logger: Logger
    ) async throws {
        var sql = SQL()
        sql += "SELECT state FROM study_trials WHERE study_id = \(sql.bind(studyID)) "
        sql += "AND number = \(sql.bind(Int64(number))) FOR UPDATE"
        guard let row = try await conn.rows(sql, logger).first else {
            throw SkiffError.notFound("Trial \(number) does not exist.")
        }
        let state = try row.decode(String.self)
        guard state == expected.rawValue else {
            throw SkiffError.invalid("Trial \(number) is not \(expected.rawValue) (it is \(state)).")
        }
    }

    static func fetchStudies(_ conn: PostgresConnection, _ sql: SQL, _ logger: Logger) async throws -> [StudyRecord] {
        try await conn.rows(sql, logger).map { row in
            let (id, name, direction, space, sampler, pruner, seed, maxRetries, grace, created) = try row.decode(
                (Int64, String, String, String, String, String, Int64, Int64, Int64, Int64).self)
            let settings: StudySettings
            do {
                settings = try StudySettings(
                    name: name, spaceText: space, direction: StudyDirection(rawValue: direction) ?? .minimize,
                    sampler: SamplerKind(rawValue: sampler) ?? .tpe, pruner: PrunerKind(rawValue: pruner) ?? .none,
                    seed: UInt64(bitPattern: seed), maxRetries: Int(maxRetries), heartbeatGraceMilliseconds: grace)
            } catch {
                throw SkiffError(.internalError, "A stored study could not be read.", detail: "\(error)")
            }
            return StudyRecord(id: id, settings: settings, creationTime: created)
        }
    }
}
