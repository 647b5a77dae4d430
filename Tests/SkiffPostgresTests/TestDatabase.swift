import Foundation
import Logging
import PostgresNIO
import SkiffCore
import SkiffPostgres

/// A throwaway schema in the PostgreSQL database named by `SKIFF_TEST_POSTGRES_URL`, one per test.
///
/// Without the variable the Postgres tests are skipped on a developer's machine, but in CI (`CI` set) they run
/// and fail: a skipped Postgres test in CI is a failure. `.ci/run` starts a server and sets the URL.
enum TestDatabase {
    static let environment = ProcessInfo.processInfo.environment
    static var url: String? { environment["SKIFF_TEST_POSTGRES_URL"] }
    /// True when the tests must run: a URL is given, or this is CI (where a missing URL fails them).
    static var enabled: Bool { url != nil || environment["CI"] != nil }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "SKIFF_TEST_POSTGRES_URL is not set; .ci/run starts PostgreSQL and sets it." }
    }

    /// Runs `body` with a store on a fresh schema, dropped afterwards.
    static func withStore<T: Sendable>(_ body: @Sendable (PostgresTrackingStore) async throws -> T) async throws -> T {
        try await withStores(count: 1) { stores in try await body(stores[0]) }
    }

    /// Runs `body` with `count` stores on one fresh schema, each with its own connection pool, as replicas are.
    static func withStores<T: Sendable>(
        count: Int, _ body: @Sendable ([PostgresTrackingStore]) async throws -> T
    ) async throws -> T {
        guard let url else { throw Missing() }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let separator = url.contains("?") ? "&" : "?"
        var configuration = try PostgresURL.configuration(url + separator + "search_path=" + schema)
        configuration.options.maximumConnections = 3
        let logger = Logger(label: "skiff.test.postgres")
        let clients = (0..<count).map { _ in PostgresClient(configuration: configuration, backgroundLogger: logger) }
        let client = clients[0]
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.run() } }
            defer { group.cancelAll() }
            _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger).collect()
            do {
                let stores = clients.map { PostgresTrackingStore(client: $0, logger: logger) }
                for store in stores { try await store.prepare() }
                let result = try await body(stores)
                _ = try? await client.query(
                    PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger
                ).collect()
                return result
            } catch {
                _ = try? await client.query(
                    PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger
                ).collect()
                throw error
            }
        }
    }
}
