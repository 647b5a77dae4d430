import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import SkiffServing

@Suite("Model server routes")
struct ServingRouterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SkiffInferenceTests/Fixtures").path

    static func app(_ routes: [ServingConfiguration.Route], configure: (inout ServingConfiguration) -> Void = { _ in })
        async throws -> some ApplicationProtocol
    {
        var configuration = ServingConfiguration()
        configuration.routes = routes
        configuration.accessLog = false
        configure(&configuration)
        let server = ModelServer(
            configuration: configuration, resolver: Self.resolver, version: "test", logger: Logger(label: "test"))
        return Application(router: try await server.assemble().router)
    }

    static let binary = fixtures + "/onnx_gradient_boosting_binary.onnx"
    /// Files only: no tracking server, so registry references are refused.
    static let resolver = RegistryModelResolver(
        trackingURI: nil, cacheDirectory: FileManager.default.temporaryDirectory.path + "/skiff-serving-tests")
    static let json: HTTPFields = [.contentType: "application/json"]

    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("MLflow scoring: one prediction object per row, labelled by output")
    func invocations() async throws {
        try await Self.app([.init(model: Self.binary)]).test(.router) { client in
            try await client.execute(
                uri: "/invocations", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"instances": [[0.1,0.2,0.3,0.4,0.5],[1,2,3,4,5]]}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.skiffModelVersion] == "1")
                let predictions = try #require(try Self.object(response.body)["predictions"] as? [[String: Any]])
                #expect(predictions.count == 2)
                #expect(predictions[0]["label"] as? Int == 1)
                #expect((predictions[0]["probabilities"] as? [Double])?.count == 2)
            }
            try await client.execute(uri: "/ping", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/version", method: .get) { #expect(String(buffer: $0.body) == "test") }
        }
    }

    @Test("a scalar output gives one number per row")
    func scalarOutput() async throws {
        try await Self.app([.init(name: "reg", model: Self.fixtures + "/lgb_binary.txt")]).test(.router) { client in
            try await client.execute(uri: "/v2/models/reg", method: .get) { response in
                let inputs = try #require(try Self.object(response.body)["inputs"] as? [[String: Any]])
                #expect(inputs.first?["name"] as? String == "features")
            }
            try await client.execute(uri: "/v2/models/reg", method: .get) { response in
                let outputs = try #require(try Self.object(response.body)["outputs"] as? [[String: Any]])
                #expect(outputs.first?["shape"] as? [Int] == [-1])
            }
        }
    }

    @Test("bad requests are 4xx in the protocol's error form, and the server keeps serving")
    func errors() async throws {
        try await Self.app([.init(name: "m", model: Self.binary)]).test(.router) { client in
            for (body, contentType, status) in [
                ("{", "application/json", HTTPResponse.Status.badRequest),
                (#"{"instances": [[1]]}"#, "application/json", .badRequest),
                ("a,b\n1,2", "text/plain", .unsupportedMediaType),
                (#"{"instances": [[1,2,3,4,5]]}"#, "application/json; charset=latin-1", .unsupportedMediaType),
            ] {
                try await client.execute(
                    uri: "/invocations", method: .post, headers: [.contentType: contentType],
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == status)
                    let answer = try Self.object(response.body)
                    #expect(answer["error_code"] is String)
                }
            }
            try await client.execute(uri: "/models/nope/invocations", method: .post, headers: Self.json) {
                #expect($0.status == .notFound)
            }
            try await client.execute(
                uri: "/v2/models/m/infer", method: .post, body: ByteBuffer(string: #"{"inputs": 3}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let answer = try Self.object(response.body)
                #expect(answer["error"] is String)
            }
            try await client.execute(uri: "/v2/models/m/versions/7", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: "/invocations", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"instances": [[1,2,3,4,5]]}"#)
            ) { #expect($0.status == .ok) }
        }
    }

    @Test("Open Inference Protocol: metadata, readiness and typed infer, with and without a version")
    func openInference() async throws {
        try await Self.app([.init(name: "m", model: Self.binary)]).test(.router) { client in
            for uri in ["/v2/health/live", "/v2/health/ready", "/v2/models/m/ready", "/v2/models/m/versions/1/ready"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
            try await client.execute(uri: "/v2", method: .get) { response in
                let answer = try Self.object(response.body)
                #expect(answer["name"] as? String == "skiff")
            }
            let body = #"""
                {"id": "abc", "inputs": [{"name": "input", "shape": [2, 5], "datatype": "FP32",
                 "data": [0.1,0.2,0.3,0.4,0.5,1,2,3,4,5]}], "outputs": [{"name": "probabilities"}]}
                """#
            for uri in ["/v2/models/m/infer", "/v2/models/m/versions/1/infer"] {
                try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    let answer = try Self.object(response.body)
                    #expect(answer["id"] as? String == "abc")
                    #expect(answer["model_version"] as? String == "1")
                    let outputs = try #require(answer["outputs"] as? [[String: Any]])
                    #expect(outputs.map { $0["name"] as? String } == ["probabilities"])
                    #expect(outputs.first?["shape"] as? [Int] == [2, 2])
                    #expect(outputs.first?["datatype"] as? String == "FP32")
                    #expect((outputs.first?["data"] as? [Double])?.count == 4)
                }
            }
        }
    }

    @Test("metrics are Prometheus text with requests, latency and batch sizes")
    func metrics() async throws {
        try await Self.app([.init(name: "m", model: Self.binary)]).test(.router) { client in
            try await client.execute(
                uri: "/invocations", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"instances": [[1,2,3,4,5]]}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(
                    text.contains(
                        #"skiff_requests_total{model="m",version="1",role="primary",protocol="mlflow",status="200"} 1"#)
                )
                #expect(text.contains("skiff_request_duration_seconds_bucket"))
                #expect(text.contains(#"skiff_batch_rows_count{model="m"} 1"#))
                #expect(text.contains(#"skiff_model_load_seconds{model="m",version="1"}"#))
                #expect(text.contains("skiff_prediction_log_dropped_total 0"))
                #expect(text.contains(#"skiff_queue_depth{model="m"} 0"#))
            }
        }
    }

    @Test("/openapi.json lists every operation the router serves, and every $ref in it resolves")
    func openAPIDocument() async throws {
        var configuration = ServingConfiguration()
        configuration.routes = [
            .init(name: "m", model: Self.binary, stickyHeader: "X-User"), .init(name: "n", model: Self.binary),
        ]
        configuration.accessLog = false
        let assembly = try await ModelServer(
            configuration: configuration, resolver: Self.resolver, version: "test", logger: Logger(label: "test")
        ).assemble()
        let operations = assembly.documentedOperations
        #expect(Set(operations.map(\.id)).count == operations.count, "operation ids are unique")
        try await Application(router: assembly.router).test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try Self.object(response.body)
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                for (method, path, id) in operations {
                    let operation = paths[path]?[method] as? [String: Any]
                    #expect(operation?["operationId"] as? String == id, "\(method) \(path) is documented as \(id)")
                }
                #expect(paths.values.reduce(0) { $0 + $1.count } == operations.count, "nothing else is documented")
                for path in ["/openapi.json", "/invocations", "/models/{name}/invocations", "/v2/models/{name}/infer"] {
                    #expect(paths[path] != nil, "\(path) is documented")
                }

                let schemas = try #require(
                    (document["components"] as? [String: Any])?["schemas"] as? [String: Any])
                var references: [String] = []
                Self.collectReferences(document, into: &references)
                #expect(!references.isEmpty)
                let prefix = "#/components/schemas/"
                for reference in Set(references) {
                    #expect(
                        reference.hasPrefix(prefix) && schemas[String(reference.dropFirst(prefix.count))] != nil,
                        "\(reference) resolves")
                }

                // The model names and sticky headers come from the configuration.
                func parameters(_ path: String, _ method: String) -> [[String: Any]] {
                    (paths[path]?[method] as? [String: Any])?["parameters"] as? [[String: Any]] ?? []
                }
                let infer = parameters("/v2/models/{name}/infer", "post")
                let name = infer.first { $0["name"] as? String == "name" }?["schema"] as? [String: Any]
                #expect(name?["enum"] as? [String] == ["m", "n"])
                #expect(infer.contains { $0["name"] as? String == "X-User" })
                #expect(infer.contains { $0["name"] as? String == "X-Skiff-Timeout-Ms" })
                let pinned = parameters("/v2/models/{name}/versions/{version}/infer", "post")
                #expect(!pinned.contains { $0["name"] as? String == "X-User" }, "a version in the path pins the slot")
                let first = parameters("/invocations", "post")
                #expect(first.contains { $0["name"] as? String == "X-User" })
            }
        }
    }

    /// Every `$ref` value anywhere in `value`.
    static func collectReferences(_ value: Any, into references: inout [String]) {
        if let object = value as? [String: Any] {
            for (key, member) in object {
                if key == "$ref", let reference = member as? String {
                    references.append(reference)
                } else {
                    collectReferences(member, into: &references)
                }
            }
        } else if let array = value as? [Any] {
            for item in array { collectReferences(item, into: &references) }
        }
    }

    @Test("configurations that cannot work are refused before anything loads")
    func badConfigurations() async throws {
        let cases: [([ServingConfiguration.Route], String)] = [
            ([], "Nothing to serve"),
            ([.init(name: "a b", model: Self.binary)], "letters"),
            ([.init(name: "m", model: Self.binary), .init(name: "m", model: Self.binary)], "Two models"),
            ([.init(model: Self.binary, canary: .init(model: Self.binary, weight: 150))], "between 0 and 100"),
            ([.init(model: "models:/churn@champion")], "--tracking-uri"),
            ([.init(model: Self.fixtures + "/missing.onnx")], "does not exist"),
        ]
        for (routes, expected) in cases {
            do {
                _ = try await Self.app(routes)
                Issue.record("accepted \(routes)")
            } catch let error as ServingError {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }

    @Test("serving.yaml: routes, batching and logs, with errors that name the key")
    func yaml() throws {
        let configuration = try ServingConfiguration.load(
            yaml: """
                port: 9000
                batching: {max_batch_size: 64, max_batch_delay: 2ms, max_queue: 10}
                log_predictions: /tmp/predictions
                models:
                  - name: churn
                    model: models:/churn@champion
                    canary: {model: models:/churn/4, weight: 12.5}
                    shadow: [models:/churn/5]
                    sticky_header: X-User
                  - model: fraud.onnx
                """)
        #expect(configuration.port == 9000)
        #expect(configuration.batching == BatchLimits(maxRows: 64, maxDelay: .milliseconds(2), maxQueued: 10))
        #expect(configuration.routes.map(\.resolvedName) == ["churn", "fraud"])
        let derived: [ServingConfiguration.Route] = [
            .init(model: "models:/churn/3"), .init(model: "runs:/0a1b2c/models/ranker.ubj"),
            .init(model: "/srv/models/fraud.v2.onnx"), .init(name: "given", model: "models:/churn@live"),
        ]
        #expect(derived.map(\.resolvedName) == ["churn", "ranker", "fraud", "given"])
        #expect(configuration.routes[0].canary?.weight == 12.5)
        #expect(configuration.routes[0].shadows == ["models:/churn/5"])
        #expect(configuration.predictionLogDirectory == "/tmp/predictions")
        for (text, expected) in [
            ("models: []", "non-empty"),
            ("prot: 1\nmodels: [{model: a.onnx}]", "unknown key 'prot'"),
            ("models: [{model: a.onnx, canary: {model: b.onnx}}]", "canary.weight"),
            ("batching: {max_batch_delay: soon}\nmodels: [{model: a.onnx}]", "max_batch_delay"),
            ("[", "not valid YAML"),
        ] {
            #expect(throws: ServingError.self) { try ServingConfiguration.load(yaml: text) }
            do { _ = try ServingConfiguration.load(yaml: text) } catch {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
        #expect(DurationText.parse("500us") == .microseconds(500))
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse("3") == .milliseconds(3))
        #expect(DurationText.parse("-1ms") == nil)
    }
}

@Suite("Shadow mirror")
struct ShadowMirrorTests {
    @Test("a copy that would hold more values than the mirror's budget is dropped and counted")
    func boundedByValues() async throws {
        let metrics = ServingMetrics()
        let loader = DeploymentLoader(resolver: ServingRouterTests.resolver, options: .init())
        let deployment = try await loader.load(ServingRouterTests.binary)
        let slot = ModelSlot(
            label: "m:shadow1", reference: ServingRouterTests.binary, deployment: deployment, limits: BatchLimits(),
            metrics: metrics, options: .init())
        defer { slot.stop() }
        let mirror = ShadowMirror(
            maxValues: 10, timeout: .seconds(5), metrics: metrics, predictionLog: nil, logger: Logger(label: "test"))
        let rows = ScoringPayload.matrix(
            .init(name: "", shape: [4, 5], cells: Array(repeating: .number(1), count: 20), origin: "instances"))
        mirror.submit(.init(slot: slot, route: "m", requestID: "r", payload: rows, primary: []))
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"skiff_shadow_comparisons_total{model="m",result="dropped"} 1"#))
    }
}
