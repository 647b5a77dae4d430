import Logging
import ServiceLifecycle
import SkiffSQLite

/// Refreshes SQLite's query-planner statistics while the server runs.
///
/// The store runs `PRAGMA optimize` at start-up; a server that starts empty and then takes a large load would
/// otherwise plan searches without statistics until its next restart.
struct StoreMaintenance: Service {
    let store: SQLiteTrackingStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Woken by a graceful shutdown, not only by the timer, so SIGTERM never waits for it.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                try store.optimize()
            } catch {
                logger.warning("store maintenance failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
