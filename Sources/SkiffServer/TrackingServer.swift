import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import ServiceLifecycle
import SkiffArtifacts
import SkiffCore
import SkiffHTTP
import SkiffJSON
import SkiffPostgres
import SkiffRouting
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
        /// A SQLite file path or a `postgres://` URL; nil means `<dataDirectory>/skiff.db`.
        public var database: String?
        /// The artifact directory or an `s3://bucket/prefix` location; nil means `<dataDirectory>/artifacts`.
        public var artifactRoot: String?
        /// The S3-compatible endpoint for an `s3://` artifact root; nil means the AWS_* variables or AWS itself.
        public var s3Endpoint: String?
        /// Extra host names accepted in the `Host` header (`*` for any).
        public var allowedHosts: [String]
        /// Lets webhooks target loopback and private addresses (off by default: an SSRF guard).
        public var webhooksAllowPrivate: Bool = false
        /// Where new experiments put their artifacts when they name no location, as MLflow's
        /// `--default-artifact-root`: nil means `mlflow-artifacts:`, this server's proxy. A local directory or an
        /// object-store URI makes clients write there themselves; relative paths are resolved against the
        /// working directory.
        public var defaultArtifactRoot: String?

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
            if let database, isPostgres(database) {
                _ = try PostgresURL.configuration(database)
            } else if let database, database.contains("://"), !database.hasPrefix("sqlite://") {
                throw .invalid(
                    "--db must be a SQLite file path or a postgres:// URL, got '\(database.prefix(40))…'.")
            }
            if let s3 = artifactRoot.flatMap({ S3Configuration.isS3($0) ? $0 : nil }) {
                _ = try S3Configuration.resolve(uri: s3, endpoint: s3Endpoint)
            } else if let artifactRoot, artifactRoot.contains("://"), !artifactRoot.hasPrefix("file://") {
                throw .invalid("--artifacts must be a local directory or an s3://bucket/prefix, got '\(artifactRoot)'.")
            } else if s3Endpoint != nil {
                throw .invalid("--s3-endpoint needs --artifacts s3://bucket/prefix.")
            }
            if let defaultArtifactRoot {
                guard !defaultArtifactRoot.isEmpty else { throw .invalid("--default-artifact-root must not be empty.") }
                try Validate.artifactLocation(defaultArtifactRoot)
            }
        }

        func isPostgres(_ database: String) -> Bool {
            database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
        }

        /// The PostgreSQL URL when the metadata lives there.
        var postgresURL: String? { database.flatMap { isPostgres($0) ? $0 : nil } }

        var databasePath: String {
            guard var db = database else { return dataDirectory + "/skiff.db" }
            if db.hasPrefix("sqlite:///") { db = String(db.dropFirst("sqlite://".count)) }
            return db
        }

        /// The root new experiments' artifact locations are derived from.
        var experimentArtifactRoot: String {
            guard let root = defaultArtifactRoot else { return "mlflow-artifacts:" }
            return TrackingService.absoluteLocalLocation(root)
        }

        /// The default artifact root when it is a local directory, with a store that reads it for the UI's calls.
        func localArtifactRoot() throws -> SkiffRouter.LocalArtifactRoot? {
            guard defaultArtifactRoot != nil else { return nil }
            var root = experimentArtifactRoot
            if root.lowercased().hasPrefix("file://") { root = String(root.dropFirst("file://".count)) }
            guard root.hasPrefix("/") else { return nil }
            return SkiffRouter.LocalArtifactRoot(path: root, store: try LocalArtifactStore(root: root))
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
        } catch {
            throw SkiffError(.internalError, "The data directory could not be created.", detail: "\(error)")
        }
        if let url = configuration.postgresURL {
            try await runOnPostgres(url: url, onListening: onListening)
        } else {
            try await runOnSQLite(onListening: onListening)
        }
    }

    private func runOnSQLite(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let dbDirectory = (configuration.databasePath as NSString).deletingLastPathComponent
        if !dbDirectory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: dbDirectory, withIntermediateDirectories: true)
            } catch {
                throw SkiffError(.internalError, "The database directory could not be created.", detail: "\(error)")
            }
        }
        var store = try SQLiteTrackingStore(
            path: configuration.databasePath, defaultArtifactRoot: configuration.experimentArtifactRoot)
        let metrics = ServerMetrics()
        store.observer = metrics
        try await serve(
            metrics: metrics,
            store: store, extraServices: [StoreMaintenance(store: store, interval: .seconds(300), logger: logger)],
            onListening: onListening)
    }

    /// Runs the connection pool beside the server: the pool starts first, the schema is migrated, then the server
    /// serves; when the server stops the pool is cancelled with it.
    private func runOnPostgres(url: String, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        var configured = try PostgresTrackingStore(
            url: url, defaultArtifactRoot: configuration.experimentArtifactRoot, logger: logger)
        let metrics = ServerMetrics()
        configured.observer = metrics
        let store = configured
        try await Self.withDeadline(.seconds(15), "PostgreSQL did not answer within 15 s; is the server up?") {
            try await store.checkConnection()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runConnectionPool() }
            defer { group.cancelAll() }
            try await Self.withDeadline(.seconds(30), "PostgreSQL did not answer within 30 s; is the server up?") {
                try await store.prepare()
            }
            try await serve(metrics: metrics, store: store, extraServices: [], onListening: onListening)
        }
    }

    /// Runs `body`, failing with `message` if it takes longer than `limit`.
    static func withDeadline(
        _ limit: Duration, _ message: String, _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let finished = try await group.next() ?? false
            group.cancelAll()
            guard finished else { throw SkiffError(.internalError, message) }
        }
    }

    private func serve(
        metrics: ServerMetrics, store: some ServerStore, extraServices: [any Service],
        onListening: @escaping @Sendable (Int) async -> Void
    ) async throws {
        let (artifacts, s3) = try await openArtifactStore()
        do {
            try await serveHTTP(
                metrics: metrics, store: store, artifacts: artifacts, extraServices: extraServices,
                onListening: onListening)
        } catch {
            try? await s3?.shutdown()
            throw error
        }
        try? await s3?.shutdown()
    }

    /// The artifact store the configuration names; for S3, one that has answered a listing within 15 s.
    private func openArtifactStore() async throws -> (any ArtifactStore, S3ArtifactStore?) {
        guard let uri = configuration.artifactRoot, S3Configuration.isS3(uri) else {
            return (try LocalArtifactStore(root: configuration.artifactPath), nil)
        }
        let s3 = S3ArtifactStore(
            configuration: try S3Configuration.resolve(uri: uri, endpoint: configuration.s3Endpoint), logger: logger)
        do {
            try await Self.withDeadline(
                .seconds(15), "S3 at \(s3.configuration.endpointDescription) did not answer within 15 s; is it up?"
            ) { try await s3.checkAccess() }
        } catch {
            try? await s3.shutdown()
            throw error
        }
        logger.info(
            "artifacts in S3",
            metadata: ["bucket": "\(s3.configuration.bucket)", "endpoint": "\(s3.configuration.endpointDescription)"])
        return (s3, s3)
    }

    private func serveHTTP(
        metrics: ServerMetrics, store: some ServerStore, artifacts: any ArtifactStore, extraServices: [any Service],
        onListening: @escaping @Sendable (Int) async -> Void
    ) async throws {
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let dispatcher = WebhookDispatcher(
            store: store,
            configuration: .init(
                policy: DestinationPolicy(allowPrivate: configuration.webhooksAllowPrivate), observer: metrics),
            logger: logger)
        let tracking = TrackingService(store: store, now: now)
        let registry = RegistryService(registry: store, models: store, tracking: store, events: dispatcher, now: now)
        let router = SkiffRouter.make(
            .init(
                tracking: tracking, registry: registry, loggedModels: LoggedModelService(store: store, now: now),
                webhooks: WebhookService(store: store, delivery: dispatcher, now: now), artifacts: artifacts,
                allowedHosts: configuration.allowedHosts, studies: StudyService(store: store, now: now),
                metrics: metrics, localArtifactRoot: try configuration.localArtifactRoot()),
            logger: logger)
        let logger = self.logger
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [Self.parserErrorBody()])),
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
                services: [app, dispatcher] + extraServices,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The error JSON for a request Hummingbird cannot parse, so even that 400 says what was wrong.
    static func parserErrorBody() -> ParserErrorBodyHandler {
        ParserErrorBodyHandler { error in
            let message =
                error == .headerOverflow
                ? "The request line and headers are larger than 80 KB; send long values in a POST body."
                : "The request is not well-formed HTTP."
            var w = JSONWriter()
            w.beginObject()
            w.field("error_code", SkiffError.Code.badRequest.description)
            w.field("message", message)
            w.endObject()
            return ("application/json", w.bytes)
        }
    }
}

/// Every store protocol the server needs, implemented by each backend.
typealias ServerStore = TrackingStore & LoggedModelStore & ModelRegistryStore & WebhookStore & StudyStore
