import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SkiffArtifacts
import SkiffCore
import SkiffSQLite
import SkiffStudies
import Testing

@testable import SkiffHTTP

@Suite("Study routes")
struct StudyRouteTests {
    static func makeApp() throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-studies-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try SQLiteTrackingStore(path: dir + "/skiff.db")
        let now: @Sendable () -> Int64 = { 1_700_000_000_000 }
        let router = SkiffRouter.make(
            .init(
                tracking: TrackingService(store: store, now: now),
                registry: RegistryService(registry: store, models: store, tracking: store, now: now),
                loggedModels: LoggedModelService(store: store, now: now),
                webhooks: WebhookService(store: store, delivery: RefusingDelivery(), now: now),
                artifacts: try LocalArtifactStore(root: dir + "/artifacts"),
                studies: StudyService(store: store, now: now)),
            logger: Logger(label: "test"))
        return Application(router: router)
    }

    static let headers: HTTPFields = [.contentType: "application/json"]

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    static func post(
        _ client: some TestClientProtocol, _ uri: String, _ body: String
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, try json($0.body))
        }
    }

    static let space = #"x: {type: float, low: -5, high: 5}\nn: {type: int, low: 1, high: 4}"#

    @Test("ask, report, tell and best over the API")
    func askTell() async throws {
        try await Self.makeApp().test(.router) { client in
            let create = #"{"name": "s1", "space": "\#(Self.space)", "pruner": "none", "seed": 3}"#
            var (status, body) = try await Self.post(client, "/api/skiff/v1/studies", create)
            #expect(status == .ok)
            #expect(body["created"] as? Bool == true)
            (status, body) = try await Self.post(client, "/api/skiff/v1/studies", create)
            #expect(body["created"] as? Bool == false)

            (status, body) = try await Self.post(client, "/api/skiff/v1/studies/s1/ask", #"{"max_trials": 1}"#)
            #expect(status == .ok)
            #expect(body["status"] as? String == "trial")
            let trial = try #require(body["trial"] as? [String: Any])
            let params = try #require(trial["params"] as? [String: Any])
            let x = try #require(params["x"] as? Double)
            #expect((-5...5).contains(x))
            #expect((1...4).contains(try #require(params["n"] as? Int)))
            #expect(trial["number"] as? Int == 0)

            (status, body) = try await Self.post(client, "/api/skiff/v1/studies/s1/ask", #"{"max_trials": 1}"#)
            #expect(body["status"] as? String == "wait")
            (status, body) = try await Self.post(
                client, "/api/skiff/v1/studies/s1/trials/0/report", #"{"step": 1, "value": 0.5}"#)
            #expect(body["should_prune"] as? Bool == false)
            (status, body) = try await Self.post(client, "/api/skiff/v1/studies/s1/trials/0/heartbeat", "{}")
            #expect(status == .ok)
            (status, body) = try await Self.post(client, "/api/skiff/v1/studies/s1/trials/0/tell", #"{"value": 0.25}"#)
            #expect(status == .ok)
            #expect((body["trial"] as? [String: Any])?["state"] as? String == "complete")
            (status, body) = try await Self.post(client, "/api/skiff/v1/studies/s1/ask", #"{"max_trials": 1}"#)
            #expect(body["status"] as? String == "done")

            try await client.execute(uri: "/api/skiff/v1/studies/s1/best", method: .get) { response in
                let best = try #require(try Self.json(response.body)["trial"] as? [String: Any])
                #expect(best["value"] as? Double == 0.25)
            }
            try await client.execute(uri: "/api/skiff/v1/studies/s1/trials", method: .get) { response in
                let trials = try #require(try Self.json(response.body)["trials"] as? [[String: Any]])
                #expect(trials.count == 1)
                #expect((trials[0]["intermediate_values"] as? [String: Double]) == ["1": 0.5])
            }
        }
    }

    @Test(
        "bad input is a 4xx JSON error",
        arguments: [
            ("/api/skiff/v1/studies", #"{"name": "bad", "space": "x: {type: float, low: 3, high: 1}"}"#, 400),
            ("/api/skiff/v1/studies", #"{"name": "bad", "space": "x: {type: float}", "sampler": "magic"}"#, 400),
            ("/api/skiff/v1/studies", #"{"space": "x: {type: int, low: 0, high: 1}"}"#, 400),
            ("/api/skiff/v1/studies", #"{"name": "bad", "space": "x: {type: float}", "seed": -1}"#, 400),
            ("/api/skiff/v1/studies", #"{"name": "bad", "space": "x: {type: float}", "seed": "soon"}"#, 400),
            ("/api/skiff/v1/studies", #"{"name": 7, "space": "x: {type: float}"}"#, 400),
            ("/api/skiff/v1/studies/nope/ask", "{}", 404),
            ("/api/skiff/v1/studies/e/trials/0/tell", #"{"value": "abc"}"#, 400),
            ("/api/skiff/v1/studies/e/trials/0/tell", #"{"value": 1, "state": "sleeping"}"#, 400),
            ("/api/skiff/v1/studies/e/trials/7/tell", #"{"value": 1}"#, 404),
            ("/api/skiff/v1/studies/e/trials/x/report", #"{"step": 1, "value": 1}"#, 400),
            ("/api/skiff/v1/studies/e/trials/1/tell", #"{"value": 1}"#, 400),
            ("/api/skiff/v1/studies/e/ask", #"{"max_trials": 0}"#, 400),
            ("/api/skiff/v1/studies/e/ask", "{not json", 400),
        ])
    func badInput(uri: String, body: String, expected: Int) async throws {
        try await Self.makeApp().test(.router) { client in
            _ = try await Self.post(
                client, "/api/skiff/v1/studies", #"{"name": "e", "space": "x: {type: int, low: 0, high: 9}"}"#)
            _ = try await Self.post(client, "/api/skiff/v1/studies/e/ask", "{}")
            _ = try await Self.post(client, "/api/skiff/v1/studies/e/ask", "{}")
            _ = try await Self.post(client, "/api/skiff/v1/studies/e/trials/1/tell", #"{"state": "failed"}"#)
            try await client.execute(uri: uri, method: .post, headers: Self.headers, body: ByteBuffer(string: body)) {
                response in
                #expect(Int(response.status.code) == expected)
                let error = try Self.json(response.body)
                #expect(error["error_code"] is String)
                #expect(error["message"] is String)
            }
        }
    }

    @Test("the OpenAPI document is served and lists every study route")
    func openAPI() async throws {
        try await Self.makeApp().test(.router) { client in
            try await client.execute(uri: "/api/skiff/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try Self.json(response.body)
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: Any])
                for path in [
                    "/api/skiff/v1/studies", "/api/skiff/v1/studies/{study}", "/api/skiff/v1/studies/{study}/ask",
                    "/api/skiff/v1/studies/{study}/trials", "/api/skiff/v1/studies/{study}/best",
                    "/api/skiff/v1/studies/{study}/trials/{number}/tell",
                    "/api/skiff/v1/studies/{study}/trials/{number}/report",
                    "/api/skiff/v1/studies/{study}/trials/{number}/heartbeat",
                ] {
                    #expect(paths[path] != nil, "\(path) is documented")
                }
            }
        }
    }
}
