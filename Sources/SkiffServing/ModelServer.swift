import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SkiffInference
import SkiffRouting

/// `skiff serve`: loads every configured model, then serves them over MLflow's scoring protocol and the Open
/// Inference Protocol until SIGTERM or SIGINT, with alias watching, shadow mirroring and the prediction log
/// running beside it as services.
public struct ModelServer: Sendable {
    public let configuration: ServingConfiguration
    let resolver: any ModelResolver
    let logger: Logger
    let version: String

    /// Creates a server; nothing is loaded until `run`.
    /// - Parameters:
    ///   - configuration: What to serve.
    ///   - resolver: Turns model references into local files (a registry client, or files only).
    ///   - version: The version string `/version` and `/v2` report.
    ///   - logger: Where access logs and events go.
    public init(configuration: ServingConfiguration, resolver: any ModelResolver, version: String, logger: Logger) {
        self.configuration = configuration
        self.resolver = resolver
        self.version = version
        self.logger = logger
    }

    /// The loaded models and the parts that serve them, before anything listens.
    struct Assembly {
        var router: Router<ServingRequestContext>
        /// Every operation the router serves, as its OpenAPI document lists them.
        var operations: RouteTable
        var routes: [ModelRoute]
        var predictionLog: PredictionLogger?
        var mirror: ShadowMirror
        var watcher: AliasWatcher

        /// The method (as OpenAPI keys it), document path and id of every operation, in registration order.
        var documentedOperations: [(method: String, path: String, id: String)] {
            operations.operations.map { ($0.method.rawValue.lowercased(), $0.templatePath, $0.id) }
        }
    }

    /// Loads the models and serves until a shutdown signal (or the task is cancelled).
    /// - Parameter onListening: Called with the bound port once the server accepts connections.
    /// - Throws: `ServingError` for a bad configuration or a model that cannot be loaded.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let assembly = try await assemble()
        let listeningLogger = logger
        let app = Application(
            router: assembly.router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "skiff-serve/\(version)"),
            onServerRunning: { channel in
                listeningLogger.info(
                    "skiff serve listening", metadata: ["address": "\(channel.localAddress?.description ?? "")"])
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        // A graceful shutdown stops services in reverse order: the HTTP server first, the prediction log last, so
        // every answered prediction is flushed.
        var services: [any Service] = assembly.predictionLog.map { [$0] } ?? []
        services += [assembly.watcher, assembly.mirror, app]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        for route in assembly.routes { for slot in route.slots { slot.stop() } }
    }

    /// Validates the configuration, loads every model and builds the router.
    func assemble() async throws(ServingError) -> Assembly {
        try configuration.validate()
        let metrics = ServingMetrics()
        metrics.declareDefaults()
        let options = PredictionOptions(pool: configuration.threads.map { ComputePool(threadCount: $0) } ?? .shared)
        let loader = DeploymentLoader(resolver: resolver, options: options)
        var routes = [String: ModelRoute]()
        var order = [String]()
        for route in configuration.routes {
            let name = route.resolvedName
            func slot(_ reference: String, _ label: String) async throws(ServingError) -> ModelSlot {
                let deployment = try await loader.load(reference)
                metrics.modelLoaded(model: label, version: deployment.version, seconds: deployment.loadSeconds)
                logger.info(
                    "model loaded",
                    metadata: [
                        "model": "\(label)", "reference": "\(reference)", "version": "\(deployment.version)",
                        "seconds": "\(String(format: "%.3f", deployment.loadSeconds))",
                    ])
                return ModelSlot(
                    label: label, reference: reference, deployment: deployment, limits: configuration.batching,
                    metrics: metrics, options: options)
            }
            let primary = try await slot(route.model, name)
            var canary: ModelRoute.Canary?
            if let configured = route.canary {
                canary = .init(slot: try await slot(configured.model, name + ":canary"), weight: configured.weight)
            }
            var shadows = [ModelSlot]()
            for (index, reference) in route.shadows.enumerated() {
                shadows.append(try await slot(reference, name + ":shadow\(index + 1)"))
            }
            routes[name] = ModelRoute(
                name: name, primary: primary, canary: canary, shadows: shadows, stickyHeader: route.stickyHeader)
            order.append(name)
        }
        let predictionLog = try configuration.predictionLogDirectory.map { directory throws(ServingError) in
            try PredictionLogger(
                configuration: .init(
                    directory: directory, segmentBytes: configuration.predictionLogSegmentBytes,
                    bufferRecords: configuration.predictionLogBufferRecords),
                metrics: metrics, logger: logger)
        }
        let mirror = ShadowMirror(
            timeout: configuration.requestTimeout, metrics: metrics, predictionLog: predictionLog, logger: logger)
        let watcher = AliasWatcher(
            slots: order.flatMap { routes[$0]!.slots }, loader: loader, interval: configuration.pollInterval,
            metrics: metrics, logger: logger)
        let scoring = ScoringService(
            routes: routes, order: order, metrics: metrics, predictionLog: predictionLog, mirror: mirror,
            requestTimeout: configuration.requestTimeout)
        let operations = RouteTable()
        let router = ServingRouter.make(
            .init(
                scoring: scoring, metrics: metrics, watcher: watcher, maxBodyBytes: configuration.maxBodyBytes,
                version: version, accessLog: configuration.accessLog),
            routes: operations, logger: logger)
        return Assembly(
            router: router, operations: operations, routes: order.map { routes[$0]! }, predictionLog: predictionLog,
            mirror: mirror,
            watcher: watcher)
    }
}
