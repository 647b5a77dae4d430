import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SkiffArtifacts
import SkiffCore
import SkiffRouting
import SkiffSQLite
import SkiffStudies
import Testing

@testable import SkiffHTTP

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// A router with every optional service on, so every route the server can serve is registered.
    static func makeApp(_ routes: RouteTable) throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-openapi-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SQLiteTrackingStore(path: dir + "/skiff.db")
        let now: @Sendable () -> Int64 = { 1_700_000_000_000 }
        let artifacts = try LocalArtifactStore(root: dir + "/artifacts")
        let router = SkiffRouter.make(
            .init(
                tracking: TrackingService(store: store, now: now),
                registry: RegistryService(registry: store, models: store, tracking: store, now: now),
                loggedModels: LoggedModelService(store: store, now: now),
                webhooks: WebhookService(store: store, delivery: RefusingDelivery(), now: now),
                artifacts: artifacts, studies: StudyService(store: store, now: now), metrics: ServerMetrics(),
                localArtifactRoot: .init(path: dir + "/artifacts", store: artifacts)),
            logger: Logger(label: "test"), routes: routes)
        return Application(router: router)
    }

    @Test("every registered route is in the served document, under its method, with an answer and no dangling $ref")
    func everyRouteIsDocumented() async throws {
        let routes = RouteTable()
        let app = try Self.makeApp(routes)
        #expect(routes.unresolvedReferences(components: SkiffRouter.components).isEmpty)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/skiff/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try RouterTests.json(response.body)
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                var documented = 0
                var ids = Set<String>()
                for operation in routes.operations {
                    let entry = paths[operation.templatePath]?[operation.method.rawValue.lowercased()]
                    let described = try #require(
                        entry as? [String: Any], "\(operation.method) \(operation.path) is not in the document")
                    #expect(described["operationId"] as? String == operation.id)
                    let answers = try #require(described["responses"] as? [String: Any])
                    #expect(answers.keys.contains { $0.hasPrefix("2") || $0 == "501" }, "\(operation.id) has no answer")
                    #expect(ids.insert(operation.id).inserted, "\(operation.id) is used twice")
                    documented += 1
                }
                #expect(paths.values.reduce(0) { $0 + $1.count } == documented, "the document lists only real routes")
                // The MLflow client's core calls, under both prefixes.
                for path in ["/api/2.0/mlflow/runs/log-batch", "/ajax-api/2.0/mlflow/runs/log-batch"] {
                    #expect(paths[path]?["post"] != nil)
                }
                #expect(paths["/api/2.0/mlflow-artifacts/artifacts/{path}"]?["put"] != nil)
                #expect(paths["/api/skiff/v1/studies/{study}/ask"]?["post"] != nil)
                #expect(documented > 150)
            }
        }
    }

    @Test("a route's fields become query parameters on GET and a required JSON body on POST")
    func fieldsFollowTheMethod() async throws {
        let routes = RouteTable()
        _ = try Self.makeApp(routes)
        let get = try #require(routes.operations.first { $0.id == "getRun" })
        #expect(get.parameters.map(\.name) == ["run_id", "run_uuid"])
        #expect(get.parameters.allSatisfy { $0.location == .query } && get.body.isEmpty)
        let create = try #require(routes.operations.first { $0.id == "createExperiment" })
        #expect(create.parameters.isEmpty && create.isBodyRequired)
        #expect(create.body.first?.schema.properties.first { $0.isRequired }?.name == "name")
        let ajax = try #require(routes.operations.first { $0.id == "createExperimentAjax" })
        #expect(ajax.path == "/ajax-api/2.0/mlflow/experiments/create")
    }
}
