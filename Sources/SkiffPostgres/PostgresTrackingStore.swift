import Foundation
import Logging
import PostgresNIO
import SkiffCore
import Synchronization

/// The team store: PostgreSQL through postgres-nio, shared by any number of `skiff server` replicas.
///
/// The store keeps no state of its own between calls: every read and write goes to the database, so several
/// processes on one database behave as one server. Writes run in transactions that take row locks where a
/// read decides a write (the next model-version number, a trial number), and are retried when PostgreSQL
/// reports a serialization failure or deadlock. Failures are `SkiffError`s with the same codes as SQLite's.
///
/// The `PostgresClient` must be running (`client.run()`, e.g. in the server's task group) before the first call.
public struct PostgresTrackingStore: TrackingStore {
    let client: PostgresClient
    let logger: Logger
    /// The root new experiments' artifact locations are derived from, e.g. `mlflow-artifacts:`.
    let defaultArtifactRoot: String
    /// The schema a `search_path` in the URL named; created at start-up when missing.
    var schema: String?
    /// Told the latency of every read and write and the pool's use (the server's `/metrics`).
    public var observer: (any OperationsObserver)?
    /// The URL's parts when the store was made from a URL (for ``checkConnection()``).
    var parsedURL: PostgresURL.Parsed?
    /// Connections leased now, for the pool-use gauge.
    let leased = Leases()
    /// The pool's size.
    let capacity: Int

    /// A count of leased connections. A class so copies of the store share it.
    final class Leases: Sendable {
        let count = Mutex(0)
    }

    /// Wraps a client; call ``prepare(time:)`` once the client runs.
    /// - Parameters:
    ///   - client: a postgres-nio connection pool.
    ///   - defaultArtifactRoot: experiments without an explicit location get `<root>/<id>`.
    ///   - logger: where store failures are logged (at debug level, with their SQLSTATE, never whole SQL).
    ///   - capacity: the client's `maximumConnections`, reported beside the connections in use.
    public init(
        client: PostgresClient, defaultArtifactRoot: String = "mlflow-artifacts:", capacity: Int = 20, logger: Logger
    ) {
        self.client = client
        self.logger = logger
        self.capacity = capacity
        var root = defaultArtifactRoot
        while root.hasSuffix("/") { root.removeLast() }
        self.defaultArtifactRoot = root
    }

    /// Connects to the database a `postgres://` URL names (nothing is opened until ``runConnectionPool()``).
    /// - Throws: `SkiffError` `invalidParameterValue` for a malformed URL.
    public init(url: String, defaultArtifactRoot: String = "mlflow-artifacts:", logger: Logger) throws(SkiffError) {
        let parsed = try PostgresURL.parse(url)
        var configuration = parsed.client
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.init(
            client: client, defaultArtifactRoot: defaultArtifactRoot,
            capacity: configuration.options.maximumConnections, logger: logger)
        schema = configuration.options.additionalStartupParameters.first { $0.0 == "search_path" }?.1
        self.parsedURL = parsed
    }

    /// Opens one connection and closes it, so a wrong address, password or database name is reported at once
    /// and by name (the pool alone would keep retrying in the background).
    /// - Throws: `SkiffError` `internalError` saying what failed, never with the password.
    public func checkConnection() async throws {
        guard let parsedURL else { return }
        let target = "\(parsedURL.host):\(parsedURL.port)"
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try parsedURL.connection(), id: 0, logger: logger)
            try await connection.close()
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState] ?? ""
            let message: String
            switch state {
            case "28P01", "28000":
                message = "PostgreSQL at \(target) refused the credentials of user '\(parsedURL.client.username)'."
            case "3D000":
                message = "PostgreSQL at \(target) has no database '\(parsedURL.client.database ?? "")'."
            default:
                if error.code == .authMechanismRequiresPassword {
                    message = "PostgreSQL at \(target) asks for a password: put it in the URL (user:password@host)."
                } else if error.code == .connectionError {
                    message = "Could not connect to PostgreSQL at \(target); is the server up and listening there?"
                } else {
                    message =
                        "PostgreSQL at \(target) refused the connection (\(state.isEmpty ? "\(error.code)" : state))."
                }
            }
            throw SkiffError(.internalError, message, detail: error.serverInfo?[.message])
        } catch {
            throw SkiffError(.internalError, "Could not connect to PostgreSQL at \(target).", detail: "\(error)")
        }
    }

    /// Runs the connection pool until the calling task is cancelled; every store call needs it running.
    public func runConnectionPool() async {
        await client.run()
    }

    /// Migrates the schema to the current version under an advisory lock (so replicas starting together take
    /// turns) and creates the Default experiment.
    /// - Throws: `SkiffError` `internalError` when the database cannot be reached or migrated.
    public func prepare(time: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) async throws {
        if let schema {
            // PostgresURL admits only [a-z0-9_] names, so the name can stand in the statement.
            let (sql, logger) = (SQL("CREATE SCHEMA IF NOT EXISTS \(schema)"), logger)
            do {
                try await read { conn in try await conn.run(sql, logger) }
            } catch let error as SkiffError where error.code == .resourceAlreadyExists {
                // Another replica created it at the same moment.
            }
        }
        try await migrate()
        let root = defaultArtifactRoot
        try await write { conn in
            var sql = SQL(
                "INSERT INTO experiments(experiment_id, name, artifact_location, lifecycle_stage, creation_time, ")
            sql += "last_update_time) VALUES (0, \(sql.bind(Experiment.defaultName)), \(sql.bind("\(root)/0")), "
            sql += "'active', \(sql.bind(time)), \(sql.bind(time))) ON CONFLICT DO NOTHING"
            try await conn.run(sql, logger)
        }
    }

    /// Runs `body` in a transaction, retrying (a bounded number of times) on serialization failures and
    /// deadlocks, and translating PostgreSQL errors into `SkiffError`.
    func write<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await observed(write: true) { try await retryingTransaction(body) }
    }

    /// Runs `body` on a pooled connection (autocommit), translating PostgreSQL errors.
    func read<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await observed(write: false) { try await autocommit(body) }
    }

    /// Times a store call and counts the connection it leases, for the observer.
    private func observed<T: Sendable>(write: Bool, _ body: () async throws -> T) async throws -> T {
        guard let observer else { return try await body() }
        let start = ContinuousClock.now
        observer.storeConnections(
            inUse: leased.count.withLock {
                $0 += 1; return $0
            }, capacity: capacity)
        defer {
            observer.storeConnections(
                inUse: leased.count.withLock {
                    $0 -= 1; return $0
                }, capacity: capacity)
        }
        do {
            let result = try await body()
            observer.storeCall(write: write, duration: ContinuousClock.now - start, failed: false)
            return result
        } catch {
            observer.storeCall(write: write, duration: ContinuousClock.now - start, failed: true)
            throw error
        }
    }

    private func retryingTransaction<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withTransaction(logger: logger) { conn in try await body(conn) }
            } catch {
                let cause = Self.cause(of: error)
                if let skiff = cause as? SkiffError { throw skiff }
                let translated = Self.translate(cause)
                if translated.retryable && attempt < 8 {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 << attempt))))
                    continue
                }
                logger.debug("store write failed", metadata: ["error": "\(translated.error.debugDescription)"])
                throw translated.error
            }
        }
    }

    private func autocommit<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { conn in try await body(conn) }
        } catch let error as SkiffError {
            throw error
        } catch {
            let translated = Self.translate(error).error
            logger.debug("store read failed", metadata: ["error": "\(translated.debugDescription)"])
            throw translated
        }
    }

    /// The error that made a transaction fail: the body's, else BEGIN's or COMMIT's.
    static func cause(of error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError else { return error }
        return transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error
    }

    /// Maps PostgreSQL failures onto the shared codes by SQLSTATE: a unique violation is a conflict, a foreign
    /// key violation a missing referent, a serialization failure or deadlock is retried, a lost connection is
    /// transient. The detail keeps the SQLSTATE and the server's message, never the SQL text.
    static func translate(_ error: any Error) -> (error: SkiffError, retryable: Bool) {
        guard let psql = error as? PSQLError else {
            return (SkiffError(.internalError, "The tracking store failed.", detail: "\(type(of: error))"), false)
        }
        let state = psql.serverInfo?[.sqlState] ?? ""
        let message = psql.serverInfo?[.message] ?? "\(psql.code)"
        let detail = "SQLSTATE \(state): \(message)"
        switch state {
        case "23505":
            return (SkiffError(.resourceAlreadyExists, "The entity already exists.", detail: detail), false)
        case "23503":
            return (SkiffError(.resourceDoesNotExist, "A referenced entity does not exist.", detail: detail), false)
        case "22021":
            // PostgreSQL text cannot hold NUL; a client's NUL byte is its mistake, not the store's failure.
            return (
                SkiffError(.invalidParameterValue, "Text values may not contain a NUL character.", detail: detail),
                false
            )
        case "23502", "23514", "22001", "22003", "22P02", "54001":
            return (
                SkiffError(.invalidParameterValue, "The request breaks a storage constraint.", detail: detail), false
            )
        case "40001", "40P01":
            return (SkiffError(.temporarilyUnavailable, "The tracking store is busy; retry.", detail: detail), true)
        case "53300", "57P01", "57P02", "57P03":
            return (
                SkiffError(.temporarilyUnavailable, "The tracking store is unavailable; retry.", detail: detail), false
            )
        default:
            if psql.code == .connectionError || psql.code == .serverClosedConnection || psql.code == .poolClosed {
                return (
                    SkiffError(.temporarilyUnavailable, "The tracking store is unreachable; retry.", detail: detail),
                    false
                )
            }
            return (SkiffError(.internalError, "The tracking store failed.", detail: detail), false)
        }
    }
}
