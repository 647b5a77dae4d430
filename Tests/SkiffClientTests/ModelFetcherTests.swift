import Foundation
import SkiffInference
import Testing

@testable import SkiffClient

@Suite("Model fetcher")
struct ModelFetcherTests {
    static let inferenceFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SkiffInferenceTests/Fixtures")

    @Test("A local file is fetched in place with its format and stem")
    func localFile() async throws {
        let path = Self.inferenceFixtures.appendingPathComponent("onnx_decision_tree.onnx").path
        let fetcher = ModelFetcher(trackingURI: nil, cacheDirectory: NSTemporaryDirectory())
        let model = try await fetcher.fetch(ModelReference(parsing: path))
        #expect(model.localPath == path)
        #expect(model.format == .onnx)
        #expect(model.name == "onnx_decision_tree")
        #expect(model.version == nil)
        _ = try ModelLoader.load(path: model.localPath)
    }

    @Test("A missing local file is notFound")
    func missingFile() async throws {
        let fetcher = ModelFetcher(trackingURI: nil, cacheDirectory: NSTemporaryDirectory())
        await #expect {
            try await fetcher.fetch(ModelReference(parsing: "/nonexistent/skiff/model.onnx"))
        } throws: { error in
            (error as? ClientError)?.code == .notFound
        }
    }

    @Test("A registry reference without a tracking URI says how to give one")
    func registryWithoutServer() async throws {
        let fetcher = ModelFetcher(trackingURI: nil, cacheDirectory: NSTemporaryDirectory())
        do {
            _ = try await fetcher.fetch(ModelReference(parsing: "models:/churn/1"))
            Issue.record("fetched without a server")
        } catch {
            #expect(error.code == .invalidTrackingURI)
            #expect(error.description.contains("--tracking-uri"))
        }
    }

    @Test(
        "A tracking URI that is not http(s) is refused",
        arguments: ["ftp://host", "127.0.0.1:5000", "http://", "file:///x"])
    func badTrackingURI(uri: String) async throws {
        let fetcher = ModelFetcher(trackingURI: uri, cacheDirectory: NSTemporaryDirectory())
        await #expect {
            try await fetcher.aliasVersion(name: "churn", alias: "champion")
        } throws: { error in
            (error as? ClientError)?.code == .invalidTrackingURI
        }
    }

    @Test("A server that is not listening is unreachable, and the message hides credentials")
    func unreachable() async throws {
        let fetcher = ModelFetcher(
            trackingURI: "http://user:secret@127.0.0.1:9", cacheDirectory: NSTemporaryDirectory(), timeout: 5)
        do {
            _ = try await fetcher.fetch(ModelReference(parsing: "models:/churn@champion"))
            Issue.record("fetched from nowhere")
        } catch {
            #expect(error.code == .unreachable)
            #expect(error.description.contains("127.0.0.1:9"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test(
        "Artifact URIs behind the proxy map to proxy paths; others do not",
        arguments: [
            ("mlflow-artifacts:/1/models/m-1/artifacts", "1/models/m-1/artifacts"),
            ("mlflow-artifacts://otherhost:5000/1/abc/artifacts/model", "1/abc/artifacts/model"),
            ("http://h:5000/api/2.0/mlflow-artifacts/artifacts/2/x/artifacts", "2/x/artifacts"),
            ("s3://bucket/1/x", nil),
            ("/var/mlruns/1/x", nil),
        ] as [(String, String?)])
    func proxyPaths(uri: String, path: String?) {
        #expect(ModelFetcher.proxyPath(uri) == path)
    }

    @Test("Cache directories are made of safe segments whatever the model name")
    func cacheKeys() {
        let hostile = ModelLocation(
            name: "../../etc", version: "3", runID: nil, artifactPath: "1/models/m-1/artifacts", isFile: false)
        let key = ModelFetcher.cacheKey(hostile)
        #expect(!key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }))
        #expect(key.hasPrefix("models/"))
        let other = ModelLocation(
            name: "../../etc", version: "3", runID: nil, artifactPath: "1/models/m-2/artifacts", isFile: false)
        #expect(ModelFetcher.cacheKey(other) != key)
        #expect(ModelFetcher.safeSegment("..") == "_..")
        #expect(ModelFetcher.hash("") == "cbf29ce484222325")
    }

    @Test("XGBoost JSON and UBJSON are told apart by content")
    func xgboostEncoding() throws {
        let json = try Data(contentsOf: Self.inferenceFixtures.appendingPathComponent("xgb_binary.json"))
        #expect(ModelFetcher.XGBoostEncoding(head: [UInt8](json.prefix(64))) == .json)
        let ubj = try Data(contentsOf: Self.inferenceFixtures.appendingPathComponent("xgb_binary.ubj"))
        #expect(ModelFetcher.XGBoostEncoding(head: [UInt8](ubj.prefix(64))) == .ubjson)
        #expect(ModelFetcher.XGBoostEncoding(head: Array(" \n{ \"learner\"".utf8)) == .json)
        #expect(ModelFetcher.XGBoostEncoding(head: Array("{L".utf8) + [0, 0, 0, 0, 0, 0, 0, 7]) == .ubjson)
        #expect(ModelFetcher.XGBoostEncoding(head: Array("{i\u{7}learner".utf8)) == .ubjson)
        #expect(ModelFetcher.XGBoostEncoding(head: Array("binf".utf8)) == nil)
        #expect(ModelFetcher.XGBoostEncoding(head: []) == nil)
    }
}
