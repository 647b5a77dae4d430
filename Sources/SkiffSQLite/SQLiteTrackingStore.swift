import Foundation
import GRDB
import SkiffCore

/// The embedded tracking store: SQLite through GRDB, in WAL mode.
///
/// Writes are serialised by GRDB's writer queue and reads run concurrently from a small reader pool,
/// all off Swift's cooperative thread pool. Every acknowledged write is committed to the WAL before the
/// call returns, so a killed process reopens with it present (`synchronous=NORMAL` only risks the last
/// transactions on power loss, not on a process crash).
public struct SQLiteTrackingStore: TrackingStore {
    let pool: DatabasePool
    /// The root new experiments' artifact locations are derived from, e.g. `mlflow-artifacts:`.
    let defaultArtifactRoot: String
    /// Told the latency of every read and write (the server's `/metrics`).
    public var observer: (any OperationsObserver)?

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    /// - Parameters:
    ///   - path: the SQLite file.
    ///   - defaultArtifactRoot: experiments without an explicit location get `<root>/<id>`.
    /// - Throws: `SkiffError` with code `internalError` when the file cannot be opened or migrated.
    public init(path: String, defaultArtifactRoot: String = "mlflow-artifacts:") throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8000")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw SkiffError(.internalError, "The tracking database could not be opened.", detail: "\(error)")
        }
        var root = defaultArtifactRoot
        while root.hasSuffix("/") { root.removeLast() }
        self.defaultArtifactRoot = root
        let time = Int64(Date().timeIntervalSince1970 * 1000)
        try Self.translating {
            try pool.write { db in try Self.ensureDefaultExperiment(db, root: root, time: time) }
        }
        try optimize()
    }

    /// Refreshes the query planner's statistics where they are stale (SQLite's `PRAGMA optimize`, bounded
    /// by `analysis_limit` so it stays cheap on large databases). Run at start-up and periodically.
    public func optimize() throws {
        try Self.translating {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA analysis_limit = 1000; PRAGMA optimize(0x10002);")
            }
        }
    }

    /// Runs a write transaction, translating SQLite errors into `SkiffError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let result = try await pool.write(body)
            observer?.storeCall(write: true, duration: ContinuousClock.now - start, failed: false)
            return result
        } catch let error as SkiffError {
            observer?.storeCall(write: true, duration: ContinuousClock.now - start, failed: true)
            throw error
        } catch {
            observer?.storeCall(write: true, duration: ContinuousClock.now - start, failed: true)
            throw Self.translate(error)
        }
    }

    /// Runs a read, translating SQLite errors into `SkiffError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let result = try await pool.read(body)
            observer?.storeCall(write: false, duration: ContinuousClock.now - start, failed: false)
            return result
        } catch let error as SkiffError {
            observer?.storeCall(write: false, duration: ContinuousClock.now - start, failed: true)
            throw error
        } catch {
            observer?.storeCall(write: false, duration: ContinuousClock.now - start, failed: true)
            throw Self.translate(error)
        }
    }

    static func translating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SkiffError {
            throw error
        } catch {
            throw translate(error)
        }
    }

    /// Maps SQLite failures onto the shared codes: a constraint is a conflict, a busy database is transient.
    /// The detail keeps SQLite's code and message, never the SQL text (which may hold request values).
    static func translate(_ error: any Error) -> SkiffError {
        guard let database = error as? DatabaseError else {
            return SkiffError(.internalError, "The tracking store failed.", detail: "\(type(of: error))")
        }
        let db = "SQLite \(database.extendedResultCode): \(database.message ?? "")"
        return translate(database, detail: db)
    }

    private static func translate(_ db: DatabaseError, detail: String) -> SkiffError {
        switch db.resultCode {
        case .SQLITE_CONSTRAINT:
            switch db.extendedResultCode {
            case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
                return SkiffError(.resourceAlreadyExists, "The entity already exists.", detail: detail)
            case .SQLITE_CONSTRAINT_FOREIGNKEY:
                // A concurrent delete removed what this write refers to.
                return SkiffError(.resourceDoesNotExist, "A referenced entity does not exist.", detail: detail)
            default:
                return SkiffError(.invalidParameterValue, "The request breaks a storage constraint.", detail: detail)
            }
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return SkiffError(.temporarilyUnavailable, "The tracking store is busy; retry.", detail: detail)
        case .SQLITE_FULL:
            return SkiffError(.internalError, "The tracking store's disk is full.", detail: detail)
        default:
            return SkiffError(.internalError, "The tracking store failed.", detail: detail)
        }
    }

    static func ensureDefaultExperiment(_ db: Database, root: String, time: Int64) throws {
        let exists = try Int.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE experiment_id = 0") != nil
        if !exists {
            try db.execute(
                sql: """
                    INSERT INTO experiments(experiment_id, name, artifact_location, lifecycle_stage, creation_time,
                    last_update_time) VALUES (0, ?, ?, 'active', ?, ?)
                    """,
                arguments: [Experiment.defaultName, "\(root)/0", time, time]
            )
        }
    }
}
