import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SkiffArtifacts
import SkiffCore
import SkiffHTTP
import SkiffSQLite
import SkiffStudies
import SkiffWebhooks

/// `skiff server`: the composition root that turns a configuration into concrete stores and an HTTP
/// application, and runs it until SIGTERM or SIGINT with a graceful shutdown.
public struct TrackingServer: Sendable {
    /// Where the server listens and keeps its data.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Holds `skiff.db` and `artifacts/` unless `database` or `artifactRoot` say otherwise.
        public var dataDirectory: String
        /// A SQLite file path; nil means `<dataDirectory>/skiff.db`.
        public var database: String?
        /// The artifact directory; nil means `<dataDirectory>/artifacts`.
        public var artifactRoot: String?
        /// Extra host names accepted in the `Host` header (`*` for any).
        public var allowedHosts: [String]
        /// Lets webhooks target loopback and private addresses (off by default: an SSRF guard).
        public var webhooksAllowPrivate: Bool = false

        /// Creates a configuration with the embedded defaults.
        public init(
            host: String = "127.0.0.1", port: Int = 5000, dataDirectory: String = "./skiff-data",
            database: String? = nil, artifactRoot: String? = nil, allowedHosts: [String] = []
        ) {
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.database = database
            self.artifactRoot = artifactRoot
            self.allowedHosts = allowedHosts
        }

        /// Checks the configuration before anything is opened.
        /// - Throws: `SkiffError` `invalidParameterValue` with a message a person can act on.
        public func validate() throws(SkiffError) {
            guard (0...65535).contains(port) else { throw .invalid("--port must be between 0 and 65535, got \(port).") }
            if let database, database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
                throw .invalid(
                    "PostgreSQL is not supported yet: --db takes a SQLite file path for now (e.g. --db ./skiff.db).")
            }
            if let database, database.contains("://"), !database.hasPrefix("sqlite://") {
                throw .invalid("--db must be a SQLite file path, got a URL: '\(database)'.")
            }
            if let artifactRoot, artifactRoot.contains("://"), !artifactRoot.hasPrefix("file://") {
                throw .invalid("--artifacts must be a local directory for now, got '\(artifactRoot)'.")
            }
        }

        var databasePath: String {
            guard var db = database else { return dataDirectory + "/skiff.db" }
            if db.hasPrefix("sqlite:///") { db = String(db.dropFirst("sqlite://".count)) }
            return db
        }

        var artifactPath: String {
            guard var root = artifactRoot else { return dataDirectory + "/artifacts" }
            if root.hasPrefix("file://") { root = String(root.dropFirst("file://".count)) }
            return root
        }
    }

    public let configuration: Configuration
    let logger: Logger

    /// Creates a server; nothing is opened until `run`.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Opens the stores and serves until a shutdown signal (or the task is cancelled).
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    /// - Throws: `SkiffError` for a bad configuration or unopenable storage.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try configuration.validate()
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            let dbDirectory = (configuration.databasePath as NSString).deletingLastPathComponent
            if !dbDirectory.isEmpty {
                try FileManager.default.createDirectory(atPath: dbDirectory, withIntermediateDirectories: true)
            }
        } catch {
            throw SkiffError(.internalError, "The data directory could not be created.", detail: "\(error)")
        }
        let store = try SQLiteTrackingStore(path: configuration.databasePath, defaultArtifactRoot: "mlflow-artifacts:")
        let artifacts = try LocalArtifactStore(root: configuration.artifactPath)
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let dispatcher = WebhookDispatcher(
            store: store,
            configuration: .init(policy: DestinationPolicy(allowPrivate: configuration.webhooksAllowPrivate)),
            logger: logger)
        let tracking = TrackingService(store: store, now: now)
        let registry = RegistryService(registry: store, models: store, tracking: store, events: dispatcher, now: now)
        let router = SkiffRouter.make(
            .init(
                tracking: tracking, registry: registry, loggedModels: LoggedModelService(store: store, now: now),
                webhooks: WebhookService(store: store, delivery: dispatcher, now: now), artifacts: artifacts,
                allowedHosts: configuration.allowedHosts, studies: StudyService(store: store, now: now)),
            logger: logger)
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "skiff/\(SkiffVersion.string)"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info(
                    "skiff server listening", metadata: ["address": "\(channel.localAddress?.description ?? "")"])
                await onListening(port)
            },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [app, dispatcher, StoreMaintenance(store: store, interval: .seconds(300), logger: logger)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
