import Hummingbird
import Logging
import SkiffJSON
import SkiffRouting

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
        // Inside the access log, so that the log shows the 405.
        let methods = MethodTable()
        router.add(
            middleware: MethodNotAllowedMiddleware(table: methods) { method, allowed in
                ServingResponses.mlflowError(
                    ServingError(
                        .badRequest,
                        "The method \(method.rawValue) is not allowed here; use "
                            + allowed.map(\.rawValue).joined(separator: ", ") + "."))
            })
        // MLflow's health routes answer "\n" once the model is loaded; models load before the server listens.
        router.on(.get, "/ping", recordingIn: methods) { _, _ in ServingResponses.text("\n") }
        router.on(.get, "/health", recordingIn: methods) { _, _ in ServingResponses.text("\n") }
        router.on(.get, "/version", recordingIn: methods) { _, _ in ServingResponses.text(dependencies.version) }
        router.on(.get, "/metrics", recordingIn: methods) { _, _ in
            for route in dependencies.scoring.routes.values {
                for slot in route.slots { dependencies.metrics.queueDepth(model: slot.label, slot.depth) }
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: .init(bytes: dependencies.metrics.exposition())))
        }
        router.on(.post, "/webhooks/registry", recordingIn: methods) { _, _ in
            dependencies.watcher.pollSoon()
            return ServingResponses.json(Array("{}".utf8))
        }
        ScoringRoutes(scoring: dependencies.scoring, maxBodyBytes: dependencies.maxBodyBytes).register(router, methods)
        OpenInferenceRoutes(
            scoring: dependencies.scoring, maxBodyBytes: dependencies.maxBodyBytes, serverVersion: dependencies.version
        ).register(router, methods)
        return router
    }
}
