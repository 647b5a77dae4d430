import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SkiffArtifacts
import SkiffCore
import SkiffSQLite
import Testing

@testable import SkiffHTTP

@Suite("Server metrics")
struct ServerMetricsTests {
    @Test("/metrics counts requests by route pattern and status, and store calls by kind")
    func metrics() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-metrics-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let metrics = ServerMetrics()
        var store = try SQLiteTrackingStore(path: dir + "/skiff.db")
        store.observer = metrics
        let now: @Sendable () -> Int64 = { 1_700_000_000_000 }
        let router = SkiffRouter.make(
            .init(
                tracking: TrackingService(store: store, now: now),
                registry: RegistryService(registry: store, models: store, tracking: store, now: now),
                loggedModels: LoggedModelService(store: store, now: now),
                webhooks: WebhookService(store: store, delivery: RefusingDelivery(), now: now),
                artifacts: try LocalArtifactStore(root: dir + "/artifacts"), metrics: metrics),
            logger: Logger(label: "test"))
        try await Application(router: router).test(.router) { client in
            for id in ["0", "0", "123456"] {
                try await client.execute(uri: "/api/2.0/mlflow/experiments/get?experiment_id=\(id)", method: .get) {
                    _ in
                }
            }
            // A path no route matches must not become a series of its own.
            try await client.execute(uri: "/no/such/path/\(UUID().uuidString)", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(
                    text.contains(
                        #"skiff_http_requests_total{route="/api/2.0/mlflow/experiments/get",method="GET",status="200"} 2"#
                    ),
                    "\(text)")
                #expect(
                    text.contains(
                        #"skiff_http_requests_total{route="/api/2.0/mlflow/experiments/get",method="GET",status="404"} 1"#
                    ))
                #expect(!text.contains("/no/such/path"))
                #expect(text.contains(#"skiff_store_calls_total{kind="read",outcome="ok"}"#))
                #expect(text.contains("skiff_http_request_duration_seconds_bucket"))
            }
        }
    }
}
