import Hummingbird
import Logging
import SkiffJSON

/// Builds the model server's router: MLflow's scoring protocol, the Open Inference Protocol, health, version,
/// Prometheus metrics and the registry webhook that makes alias watching poll at once.
enum ServingRouter {
    struct Dependencies: Sendable {
        var scoring: ScoringService
        var metrics: ServingMetrics
        var watcher: AliasWatcher
        var maxBodyBytes: Int
        var version: String
        var accessLog: Bool
    }

    static func make(_ dependencies: Dependencies, logger: Logger) -> Router<ServingRequestContext> {
        let router = Router(context: ServingRequestContext.self)
        router.add(middleware: AccessLogMiddleware(logger: logger, enabled: dependencies.accessLog))
        // MLflow's health routes answer "\n" once the model is loaded; models load before the server listens.
        router.get("/ping") { _, _ in ServingResponses.text("\n") }
        router.get("/health") { _, _ in ServingResponses.text("\n") }
        router.get("/version") { _, _ in ServingResponses.text(dependencies.version) }
        router.get("/metrics") { _, _ in
            for route in dependencies.scoring.routes.values {
                for slot in route.slots { dependencies.metrics.queueDepth(model: slot.label, slot.depth) }
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: .init(bytes: dependencies.metrics.exposition())))
        }
        router.post("/webhooks/registry") { _, _ in
            dependencies.watcher.pollSoon()
            return ServingResponses.json(Array("{}".utf8))
        }
        ScoringRoutes(scoring: dependencies.scoring, maxBodyBytes: dependencies.maxBodyBytes).register(router)
        OpenInferenceRoutes(
            scoring: dependencies.scoring, maxBodyBytes: dependencies.maxBodyBytes, serverVersion: dependencies.version
        ).register(router)
        return router
    }
}
