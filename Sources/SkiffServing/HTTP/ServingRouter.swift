import Hummingbird
import Logging
import SkiffJSON
import SkiffRouting
import Synchronization

/// Builds the model server's router: MLflow's scoring protocol, the Open Inference Protocol, health, version,
/// Prometheus metrics, the registry webhook that makes alias watching poll at once, and the OpenAPI document of
/// them all, rendered from the operations the routes are registered with.
enum ServingRouter {
    struct Dependencies: Sendable {
        var scoring: ScoringService
        var metrics: ServingMetrics
        var watcher: AliasWatcher
        var maxBodyBytes: Int
        var version: String
        var accessLog: Bool
    }

    /// Builds the router, recording every route in `routes`.
    static func make(_ dependencies: Dependencies, routes: RouteTable = RouteTable(), logger: Logger)
        -> Router<ServingRequestContext>
    {
        let router = Router(context: ServingRequestContext.self)
        router.add(middleware: AccessLogMiddleware(logger: logger, enabled: dependencies.accessLog))
        // Inside the access log, so that the log shows the 405.
        router.add(
            middleware: MethodNotAllowedMiddleware(table: routes) { method, allowed in
                ServingResponses.mlflowError(
                    ServingError(
                        .badRequest,
                        "The method \(method.rawValue) is not allowed here; use "
                            + allowed.map(\.rawValue).joined(separator: ", ") + "."))
            })
        let requestID = [ServingSchemas.requestID]
        let mlflow = [ServingSchemas.Tag.mlflow]
        let server = [ServingSchemas.Tag.server]
        // The document describes itself too, so its route is recorded before the document is rendered below.
        let document = Mutex<[UInt8]>([])
        router.on(
            Operation(
                .get, "/openapi.json", id: "openAPIDocument", summary: "This document: every route the server serves",
                tags: server, parameters: requestID,
                responses: [ServingSchemas.answer(200, "OpenAPI 3.1.", [.json(.map(.anything))])]),
            recordingIn: routes
        ) { _, _ in
            ServingResponses.json(document.withLock { $0 })
        }
        // MLflow's health routes answer "\n" once the model is loaded; models load before the server listens.
        for (path, id, summary) in [
            ("/ping", "ping", "MLflow's health check: a newline once the models are loaded"),
            ("/health", "health", "The same health check as /ping"),
        ] {
            router.on(
                Operation(
                    .get, path, id: id, summary: summary, tags: mlflow, parameters: requestID,
                    responses: [ServingSchemas.text("A newline.", .oneOf(["\n"]))]),
                recordingIn: routes
            ) { _, _ in ServingResponses.text("\n") }
        }
        router.on(
            Operation(
                .get, "/version", id: "version", summary: "The server's version", tags: mlflow,
                parameters: requestID, responses: [ServingSchemas.text("The version, as plain text.")]),
            recordingIn: routes
        ) { _, _ in ServingResponses.text(dependencies.version) }
        let prometheus = "text/plain; version=0.0.4; charset=utf-8"
        router.on(
            Operation(
                .get, "/metrics", id: "metrics",
                summary: "Request, batch, queue and model metrics (Prometheus text format)",
                tags: server, parameters: requestID,
                responses: [ServingSchemas.answer(200, "The metrics.", [Operation.Content(prometheus, .string())])]),
            recordingIn: routes
        ) { _, _ in
            for route in dependencies.scoring.routes.values {
                for slot in route.slots { dependencies.metrics.queueDepth(model: slot.label, slot.depth) }
            }
            return Response(
                status: .ok, headers: [.contentType: prometheus],
                body: ResponseBody(byteBuffer: .init(bytes: dependencies.metrics.exposition())))
        }
        router.on(
            Operation(
                .post, "/webhooks/registry", id: "registryWebhook",
                summary: "A model registry event: poll every watched alias now",
                description: "Any event, or none, makes the alias watcher poll at once; the body is not read.",
                tags: server, parameters: requestID,
                body: [.json(Schema.anything.described("An MLflow webhook event; not read."))], bodyRequired: false,
                responses: [
                    ServingSchemas.answer(
                        200, "The poll is scheduled.", [.json(.object([], additionalProperties: false))])
                ]),
            recordingIn: routes
        ) { _, _ in
            dependencies.watcher.pollSoon()
            return ServingResponses.json(Array("{}".utf8))
        }
        ScoringRoutes(scoring: dependencies.scoring, maxBodyBytes: dependencies.maxBodyBytes).register(router, routes)
        OpenInferenceRoutes(
            scoring: dependencies.scoring, maxBodyBytes: dependencies.maxBodyBytes, serverVersion: dependencies.version
        ).register(router, routes)
        let rendered = routes.openAPIDocument(info(dependencies), components: ServingSchemas.components)
        document.withLock { $0 = rendered }
        return router
    }

    /// The `info` of the server's OpenAPI document.
    static func info(_ dependencies: Dependencies) -> OpenAPIInfo {
        OpenAPIInfo(
            title: "Skiff model server", version: dependencies.version,
            description:
                "Serves " + dependencies.scoring.order.map { "'\($0)'" }.joined(separator: ", ")
                + " over MLflow's scoring protocol (/invocations, /models/{name}/invocations: JSON or CSV rows, "
                + "answered {predictions}, errors {error_code, message}) and the Open Inference Protocol (KServe "
                + "v2, /v2: tensors, errors {error}). Whether rows fit a model's inputs is checked against the "
                + "version loaded when they run (see /v2/models/{name}); a body that does not is answered 400.")
    }
}
