import PostgresNIO
import SkiffCore

extension PostgresTrackingStore {
    /// Replicas share the database: study engines rebuild from it under the study lock.
    public var isShared: Bool { true }

    /// Holds a session advisory lock keyed by schema and study while `body` runs.
    ///
    /// A waiter takes the lock with `pg_try_advisory_lock` and gives its connection back between tries, so
    /// waiting replicas never hold the pool's connections that the lock holder's `body` needs. Bounded: after
    /// 30 s of waiting the call fails with `temporarilyUnavailable` (the client retries).
    public func withStudyLock<T: Sendable>(
        studyID: Int64, isolation: isolated (any Actor)?, _ body: () async throws -> T
    ) async throws -> T {
        let logger = self.logger
        let deadline = ContinuousClock.now + .seconds(30)
        var pause = 1
        while true {
            let outcome: T? = try await client.withConnection(isolation: isolation) { conn in
                var lock = SQL(
                    "SELECT pg_try_advisory_lock(hashtextextended('skiff-study:' || current_schema() || ':' || ")
                lock += "\(lock.bind(studyID))::text, 0))"
                guard try await conn.rows(lock, logger)[0].decode(Bool.self) else { return nil }
                var unlock = SQL(
                    "SELECT pg_advisory_unlock(hashtextextended('skiff-study:' || current_schema() || ':' || ")
                unlock += "\(unlock.bind(studyID))::text, 0))"
                do {
                    let result = try await body()
                    try await conn.run(unlock, logger)
                    return .some(result)
                } catch {
                    try? await conn.run(unlock, logger)
                    throw error
                }
            }
            if let outcome { return outcome }
            guard ContinuousClock.now < deadline else {
                throw SkiffError(.temporarilyUnavailable, "The study is busy in another server; retry.")
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: pause...(2 * pause))))
            pause = min(pause * 2, 50)
        }
    }
}
