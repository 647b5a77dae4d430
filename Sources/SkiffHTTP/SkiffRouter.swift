import Hummingbird
import Logging
import NIOCore
import SkiffCore
import SkiffJSON
import SkiffRouting
import SkiffStudies
import Synchronization

/// Builds the HTTP router of `skiff server`: the MLflow-compatible tracking API, the artifact proxy and
/// the health endpoints. Hummingbird's types stop here: callers hand in Skiff services and get a responder.
public enum SkiffRouter {
    /// The services the router serves.
    public struct Services: Sendable {
        public var tracking: TrackingService
        public var registry: RegistryService
        public var loggedModels: LoggedModelService
        public var webhooks: WebhookService
        public var artifacts: any ArtifactStore
        /// Host names accepted in the `Host` header besides loopback names and IP literals (`*`: any).
        public var allowedHosts: [String]
        /// Hyperparameter studies (`/api/skiff/v1/studies`); `nil` leaves those routes out.
        public var studies: StudyService?
        /// Request and store metrics served at `/metrics`; `nil` leaves the route out.
        public var metrics: ServerMetrics?
        /// The local `--default-artifact-root`, which the UI's file calls may read; `nil` when there is none.
        public var localArtifactRoot: LocalArtifactRoot?

        /// Creates the set of services.
        public init(
            tracking: TrackingService, registry: RegistryService, loggedModels: LoggedModelService,
            webhooks: WebhookService, artifacts: any ArtifactStore, allowedHosts: [String] = [],
            studies: StudyService? = nil, metrics: ServerMetrics? = nil, localArtifactRoot: LocalArtifactRoot? = nil
        ) {
            self.localArtifactRoot = localArtifactRoot
            self.metrics = metrics
            self.studies = studies
            self.webhooks = webhooks
            self.tracking = tracking
            self.registry = registry
            self.loggedModels = loggedModels
            self.artifacts = artifacts
            self.allowedHosts = allowedHosts
        }
    }

    /// A local directory that is the default artifact root, and the store that reads it.
    public struct LocalArtifactRoot: Sendable {
        public var path: String
        public var store: any ArtifactStore

        /// - Parameters:
        ///   - path: the absolute directory new experiments' artifact locations are made under.
        ///   - store: an artifact store rooted at `path`.
        public init(path: String, store: any ArtifactStore) {
            self.path = path
            self.store = store
        }
    }

    /// The `info` of the server's OpenAPI document.
    static let info = OpenAPIInfo(
        title: "Skiff tracking server", version: SkiffVersion.string,
        description:
            "MLflow's REST API (tracking, logged models, registry, webhooks, artifacts; also under /ajax-api for "
            + "MLflow's web UI) and Skiff's own API under /api/skiff/v1. Writes take a JSON body with Content-Type "
            + "application/json; errors are {error_code, message} with a 4xx status for client mistakes.")

    /// Every shared schema the server's operations refer to.
    static let components =
        WireComponents.all + ArtifactSchemas.all + LoggedModelRoutes.components
        + RegistryComponents.all + StudyComponents.all

    /// A router with every route registered.
    /// - Parameter routes: filled with every route registered (the caller may inspect it).
    public static func make(
        _ services: Services, logger: Logger, routes: RouteTable = RouteTable()
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(
            middleware: MethodNotAllowedMiddleware(table: routes) { method, allowed in
                var w = JSONWriter()
                w.beginObject()
                w.field("error_code", SkiffError.Code.badRequest.description)
                w.field(
                    "message",
                    "The method \(method.rawValue) is not allowed here; use "
                        + allowed.map(\.rawValue).joined(separator: ", ") + ".")
                w.endObject()
                return APIResponder.json(w.bytes)
            })
        if let metrics = services.metrics {
            router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
            router.on(
                Operation(
                    .get, "/metrics", id: "metrics", summary: "Request and store metrics (Prometheus text format)",
                    tags: ["Server"],
                    responses: [.init(200, "OK", [.init("text/plain; version=0.0.4; charset=utf-8", .string())])]),
                recordingIn: routes
            ) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
            }
        }
        router.add(middleware: HostGuardMiddleware(allowedHosts: services.allowedHosts))
        let api = APIResponder(router: router, logger: logger, routes: routes)
        // The document describes itself too, so its route is recorded before the document is rendered below.
        let document = Mutex<[UInt8]>([])
        router.on(
            Operation(
                .get, "/api/skiff/v1/openapi.json", id: "openAPIDocument",
                summary: "This document: every route the server serves", tags: ["Server"],
                responses: [.init(200, "OpenAPI 3.1", [.json(.map(.anything))])]),
            recordingIn: routes
        ) { _, _ in
            APIResponder.json(document.withLock { $0 })
        }
        ServerInfoRoutes().register(api)
        TrackingRoutes(tracking: services.tracking).register(api)
        LoggedModelRoutes(models: services.loggedModels, artifacts: services.artifacts).register(api)
        RegistryRoutes(registry: services.registry).register(api)
        WebhookRoutes(webhooks: services.webhooks).register(api)
        ArtifactRoutes(store: services.artifacts).register(api)
        let roots = ArtifactRoots(proxy: services.artifacts, local: services.localArtifactRoot)
        UIHelperRoutes(
            tracking: services.tracking, registry: services.registry, loggedModels: services.loggedModels, roots: roots
        ).register(api)
        RunArtifactRoutes(tracking: services.tracking, roots: roots).register(api)
        if let studies = services.studies { StudyRoutes(studies: studies).register(api) }
        // Last: its root fields call the handlers registered above.
        do {
            GraphQLRoutes(schema: try MLflowGraphQLSchema.make(api.handlers)).register(api)
        } catch {
            // Only an invalid type or field name can fail here; the GraphQL tests catch it.
            logger.critical("the GraphQL schema is invalid; /graphql is not served", metadata: ["error": "\(error)"])
        }
        let rendered = routes.openAPIDocument(Self.info, components: Self.components)
        document.withLock { $0 = rendered }
        return router
    }
}
