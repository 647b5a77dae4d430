import GRDB
import SkiffCore
import SkiffStudies
import SkiffTune

extension SQLiteTrackingStore: StudyStore {
    public func createStudy(_ settings: StudySettings, time: Int64) async throws -> (study: StudyRecord, created: Bool)
    {
        try await write { db in
            if let existing = try Self.fetchStudies(db, "WHERE name = ?", [settings.name]).first {
                guard existing.settings.isCompatible(with: settings) else {
                    throw SkiffError.invalid(
                        "Study '\(settings.name)' already exists with a different search space, direction, sampler "
                            + "or pruner; use another study name.")
                }
                return (existing, false)
            }
            let seed = settings.seed ?? 0
            try db.execute(
                sql: """
                    INSERT INTO studies(name, direction, space, sampler, pruner, seed, max_retries,
                    heartbeat_grace_ms, creation_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    settings.name, settings.direction.rawValue, settings.spaceText, settings.sampler.rawValue,
                    settings.pruner.rawValue, Int64(bitPattern: seed), settings.maxRetries,
                    settings.heartbeatGraceMilliseconds, time,
                ])
            var stored = settings
            stored.seed = seed
            return (StudyRecord(id: db.lastInsertedRowID, settings: stored, creationTime: time), true)
        }
    }

    public func study(named name: String) async throws -> StudyRecord {
        try await read { db in
            guard let study = try Self.fetchStudies(db, "WHERE name = ?", [name]).first else {
                throw SkiffError.notFound("Study '\(name)' does not exist.")
            }
            return study
        }
    }

    public func listStudies() async throws -> [StudyRecord] {
        try await read { db in try Self.fetchStudies(db, "ORDER BY study_id", []) }
    }

    public func trials(studyID: Int64) async throws -> [TrialRecord] {
        try await read { db in
            var records = try Row.fetchAll(
                db,
                sql: """
                    SELECT number, state, value, start_time, end_time, heartbeat_time, retry_of FROM study_trials
                    WHERE study_id = ? ORDER BY number
                    """,
                arguments: [studyID]
            ).map { row in
                TrialRecord(
                    trial: Trial(
                        number: row[0], state: TrialState(rawValue: row[1]) ?? .failed, params: [:], value: row[2]),
                    startTime: row[3], endTime: row[4], heartbeatTime: row[5], retryOf: row[6])
            }
            var index: [Int: Int] = [:]
            for (position, record) in records.enumerated() { index[record.number] = position }
            for row in try Row.fetchAll(
                db, sql: "SELECT number, name, value FROM study_trial_params WHERE study_id = ?", arguments: [studyID])
            {
                guard let position = index[row[0]], let value = ParameterValue(storageText: row[2]) else { continue }
                records[position].trial.params[row[1]] = value
            }
            for row in try Row.fetchAll(
                db,
                sql: "SELECT number, step, value, is_nan FROM study_trial_values WHERE study_id = ?",
                arguments: [studyID])
            {
                guard let position = index[row[0]] else { continue }
                let isNaN: Bool = row[3]
                records[position].trial.intermediateValues[row[1]] = isNaN ? .nan : row[2]
            }
            return records
        }
    }

    public func createTrial(
        studyID: Int64, params: [String: ParameterValue], space: SearchSpace, state: TrialState, retryOf: Int?,
        time: Int64
    ) async throws -> TrialRecord {
        let distributions = Dictionary(
            uniqueKeysWithValues: space.parameters.map { ($0.name, $0.distribution.storageText) })
        return try await write { db in
            guard
                try Int.fetchOne(db, sql: "SELECT 1 FROM studies WHERE study_id = ?", arguments: [studyID]) != nil
            else {
                throw SkiffError.notFound("The study does not exist.")
            }
            let number =
                try Int.fetchOne(
                    db, sql: "SELECT COALESCE(MAX(number) + 1, 0) FROM study_trials WHERE study_id = ?",
                    arguments: [studyID]) ?? 0
            try db.execute(
                sql: """
                    INSERT INTO study_trials(study_id, number, state, value, start_time, end_time, heartbeat_time,
                    retry_of) VALUES (?, ?, ?, NULL, ?, NULL, ?, ?)
                    """,
                arguments: [studyID, number, state.rawValue, time, time, retryOf])
            for (name, value) in params.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: """
                        INSERT INTO study_trial_params(study_id, number, name, value, distribution)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        studyID, number, name, value.storageText, distributions[name] ?? "",
                    ])
            }
            return TrialRecord(
                trial: Trial(number: number, state: state, params: params), startTime: time, heartbeatTime: time,
                retryOf: retryOf)
        }
    }

    public func startTrial(studyID: Int64, number: Int, time: Int64) async throws {
        try await write { db in
            try Self.requireState(db, studyID: studyID, number: number, .waiting)
            try db.execute(
                sql: """
                    UPDATE study_trials SET state = 'running', start_time = ?, heartbeat_time = ?
                    WHERE study_id = ? AND number = ?
                    """,
                arguments: [time, time, studyID, number])
        }
    }

    public func finishTrial(studyID: Int64, number: Int, state: TrialState, value: Double?, time: Int64)
        async throws
    {
        try await write { db in
            try Self.requireState(db, studyID: studyID, number: number, .running)
            try db.execute(
                sql: "UPDATE study_trials SET state = ?, value = ?, end_time = ? WHERE study_id = ? AND number = ?",
                arguments: [state.rawValue, value.flatMap { $0.isFinite ? $0 : nil }, time, studyID, number])
        }
    }

    public func reportIntermediateValue(studyID: Int64, number: Int, step: Int, value: Double, time: Int64)
        async throws
    {
        try await write { db in
            try Self.requireState(db, studyID: studyID, number: number, .running)
            try db.execute(
                sql: """
                    INSERT INTO study_trial_values(study_id, number, step, value, is_nan) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(study_id, number, step) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan
                    """,
                arguments: [studyID, number, step, value.isNaN ? 0 : value, value.isNaN])
            try db.execute(
                sql: "UPDATE study_trials SET heartbeat_time = ? WHERE study_id = ? AND number = ?",
                arguments: [time, studyID, number])
        }
    }

    public func heartbeat(studyID: Int64, number: Int, time: Int64) async throws {
        try await write { db in
            try Self.requireState(db, studyID: studyID, number: number, .running)
            try db.execute(
                sql: "UPDATE study_trials SET heartbeat_time = ? WHERE study_id = ? AND number = ?",
                arguments: [time, studyID, number])
        }
    }

    public func failStaleTrials(studyID: Int64, heartbeatBefore cutoff: Int64, time: Int64) async throws -> [Int] {
        try await write { db in
            let numbers = try Int.fetchAll(
                db,
                sql: """
                    SELECT number FROM study_trials WHERE study_id = ? AND state = 'running' AND heartbeat_time < ?
                    ORDER BY number
                    """,
                arguments: [studyID, cutoff])
            for number in numbers {
                try db.execute(
                    sql: "UPDATE study_trials SET state = 'failed', end_time = ? WHERE study_id = ? AND number = ?",
                    arguments: [time, studyID, number])
            }
            return numbers
        }
    }

    static func requireState(_ db: Database, studyID: Int64, number: Int, _ expected: TrialState) throws {
        guard
            let state = try String.fetchOne(
                db, sql: "SELECT state FROM study_trials WHERE study_id = ? AND number = ?",
                arguments: [studyID, number])
        else {
            throw SkiffError.notFound("Trial \(number) does not exist.")
        }
        guard state == expected.rawValue else {
            throw SkiffError.invalid("Trial \(number) is not \(expected.rawValue) (it is \(state)).")
        }
    }

    static func fetchStudies(_ db: Database, _ tail: String, _ arguments: StatementArguments) throws
        -> [StudyRecord]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT study_id, name, direction, space, sampler, pruner, seed, max_retries, heartbeat_grace_ms,
                creation_time FROM studies \(tail)
                """,
            arguments: arguments
        ).map { row in
            let seed: Int64 = row[6]
            let settings: StudySettings
            do {
                settings = try StudySettings(
                    name: row[1], spaceText: row[3], direction: StudyDirection(rawValue: row[2]) ?? .minimize,
                    sampler: SamplerKind(rawValue: row[4]) ?? .tpe, pruner: PrunerKind(rawValue: row[5]) ?? .none,
                    seed: UInt64(bitPattern: seed), maxRetries: row[7], heartbeatGraceMilliseconds: row[8])
            } catch {
                throw SkiffError(.internalError, "A stored study could not be read.", detail: "\(error)")
            }
            return StudyRecord(id: row[0], settings: settings, creationTime: row[9])
        }
    }
}
