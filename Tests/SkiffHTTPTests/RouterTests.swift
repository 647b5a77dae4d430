import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SkiffArtifacts
import SkiffCore
import SkiffJSON
import SkiffSQLite
import Testing

@testable import SkiffHTTP

@Suite("HTTP routes")
struct RouterTests {
    static func makeApp() throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-http-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SQLiteTrackingStore(path: dir + "/skiff.db")
        let tracking = TrackingService(store: store, now: { 1_700_000_000_000 })
        let now: @Sendable () -> Int64 = { 1_700_000_000_000 }
        let router = SkiffRouter.make(
            .init(
                tracking: tracking,
                registry: RegistryService(registry: store, models: store, tracking: store, now: now),
                loggedModels: LoggedModelService(store: store, now: now),
                webhooks: WebhookService(store: store, delivery: RefusingDelivery(), now: now),
                artifacts: try LocalArtifactStore(root: dir + "/artifacts")),
            logger: Logger(label: "test"))
        return Application(router: router)
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    static func errorCode(_ response: TestResponse) throws -> String? {
        try json(response.body)["error_code"] as? String
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    @Test("a new run carries both ids, omits end_time, and has a generated name and runName tag")
    func createRun() async throws {
        try await Self.makeApp().test(.router) { client in
            try await client.execute(
                uri: "/api/2.0/mlflow/runs/create", method: .post, headers: Self.jsonHeaders,
                body: ByteBuffer(string: #"{"experiment_id":"0","start_time":123}"#)
            ) { response in
                #expect(response.status == .ok)
                let run = try #require(try Self.json(response.body)["run"] as? [String: Any])
                let info = try #require(run["info"] as? [String: Any])
                #expect(info["run_id"] as? String == info["run_uuid"] as? String)
                #expect(info["end_time"] == nil)
                #expect(info["start_time"] as? Int == 123)
                let name = try #require(info["run_name"] as? String)
                #expect(name.split(separator: "-").count == 3)
                let tags = try #require((run["data"] as? [String: Any])?["tags"] as? [[String: String]])
                #expect(tags == [["key": "mlflow.runName", "value": name]])
            }
        }
    }

    @Test("errors are MLflow JSON with MLflow's statuses")
    func errors() async throws {
        try await Self.makeApp().test(.router) { client in
            try await client.execute(
                uri: "/api/2.0/mlflow/runs/get?run_id=\(String(repeating: "a", count: 32))", method: .get
            ) { response in
                #expect(response.status == .notFound)
                let code = try Self.errorCode(response)
                #expect(code == "RESOURCE_DOES_NOT_EXIST")
            }
            try await client.execute(
                uri: "/api/2.0/mlflow/experiments/create", method: .post, headers: Self.jsonHeaders,
                body: ByteBuffer(string: #"{"name":"Default"}"#)
            ) { response in
                #expect(response.status == .badRequest, "already-exists is a 400, as in MLflow")
                let code = try Self.errorCode(response)
                #expect(code == "RESOURCE_ALREADY_EXISTS")
            }
            try await client.execute(uri: "/api/2.0/mlflow/experiments/get?experiment_id=x1", method: .get) {
                response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/api/2.0/mlflow/runs/create", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("the ajax-api prefix serves the same handlers")
    func ajaxPrefix() async throws {
        try await Self.makeApp().test(.router) { client in
            try await client.execute(uri: "/ajax-api/2.0/mlflow/experiments/get?experiment_id=0", method: .get) {
                response in
                #expect(response.status == .ok)
                let experiment = try #require(try Self.json(response.body)["experiment"] as? [String: Any])
                #expect(experiment["name"] as? String == "Default")
            }
        }
    }
}

@Suite("JSON wire format")
struct JSONWireTests {
    @Test("parses objects, escapes, surrogate pairs and keeps number text")
    func parse() throws {
        let value = try JSONParser.parse(
            Array(#"{"a":[1,-2.5e3,true,null],"s":"x\n\u00e9\ud83d\ude00","big":9007199254740993}"#.utf8))
        guard case .object(let o) = value else {
            Issue.record("not an object")
            return
        }
        #expect(o["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .null]))
        #expect(o["s"] == .string("x\né😀"))
        #expect(o["big"] == .number("9007199254740993"))
    }

    @Test(
        "refuses malformed and hostile documents",
        arguments: ["{", "[1,]", "{\"a\" 1}", "01x", "\"\u{1}\"", String(repeating: "[", count: 1000), "nul", "{} x"])
    func refuse(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("writes protobuf-JSON doubles and escapes strings")
    func write() throws {
        var w = JSONWriter()
        w.beginObject()
        w.field("nan", Double.nan)
        w.field("inf", -Double.infinity)
        w.field("one", 1.0)
        w.field("half", 0.5)
        w.field("s", "q\"\\\n\u{1}")
        w.endObject()
        #expect(
            String(decoding: w.bytes, as: UTF8.self)
                == #"{"nan":"NaN","inf":"-Infinity","one":1.0,"half":0.5,"s":"q\"\\\n\u0001"}"#)
    }
}

/// A delivery double that refuses every destination, so route tests never send anything.
struct RefusingDelivery: WebhookDelivering {
    func checkDestination(_ url: String) async throws {
        throw SkiffError.invalid("no deliveries in route tests")
    }

    func deliverTest(_ webhook: Webhook, event: RegistryEvent) async -> WebhookTestResult {
        WebhookTestResult(success: false, responseStatus: nil, responseBody: nil, errorMessage: "disabled")
    }
}
