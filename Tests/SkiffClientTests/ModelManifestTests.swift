import Foundation
import SkiffInference
import Testing

@testable import SkiffClient

@Suite("MLmodel flavor selection")
struct ModelManifestTests {
    static func manifest(_ name: String) throws -> ModelManifest {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "MLmodel"))
        return try ModelManifest(yaml: String(contentsOf: url, encoding: .utf8))
    }

    @Test(
        "Native flavors name their data file and format",
        arguments: [
            ("onnx", "onnx", "model.onnx", ModelFormat.onnx),
            ("xgboost", "xgboost", "model.ubj", .xgboost),
            ("lightgbm-booster", "lightgbm", "model.lgb", .lightgbm),
        ])
    func picksNativeFlavor(fixture: String, flavor: String, path: String, format: ModelFormat) throws {
        let native = try Self.manifest(fixture).nativeArtifact(for: "models:/m/1")
        #expect(native == ModelManifest.NativeArtifact(flavor: flavor, path: path, format: format))
    }

    @Test("A sklearn-only model is refused with its flavor and the convert command")
    func sklearnOnly() throws {
        let manifest = try Self.manifest("sklearn")
        #expect(manifest.flavor("sklearn")?.settings["serialization_format"] == "skops")
        #expect(manifest.flavor("sklearn")?.settings["skops_trusted_types"] == nil)
        #expect(manifest.signatureColumnNames == ["a", "b", "c"])
        do {
            _ = try manifest.nativeArtifact(for: "models:/churn/1")
            Issue.record("accepted a sklearn model")
        } catch {
            #expect(error.code == .noNativeArtifact)
            #expect(error.description.contains("sklearn"))
            #expect(error.description.contains("skiff convert models:/churn/1 --tracking-uri URL"))
            #expect(error.description.contains("mlflow.onnx"))
        }
    }

    @Test("A LightGBM scikit-learn wrapper saved with skops is not native, and the message says how to fix it")
    func lightgbmWrapper() throws {
        let manifest = try Self.manifest("lightgbm-sklearn")
        #expect(manifest.flavor("lightgbm")?.lists["skops_trusted_types"]?.count == 2)
        do {
            _ = try manifest.nativeArtifact(for: "models:/lgb/2")
            Issue.record("accepted a pickled model")
        } catch {
            #expect(error.code == .noNativeArtifact)
            #expect(error.description.contains("booster"))
        }
    }

    @Test("A python_function-only model is refused naming what it has")
    func pyfuncOnly() throws {
        let manifest = try Self.manifest("pyfunc-only")
        do {
            _ = try manifest.nativeArtifact(for: "models:/custom/1")
            Issue.record("accepted a pyfunc model")
        } catch {
            #expect(error.code == .noNativeArtifact)
            #expect(error.description.contains("python_function"))
            #expect(!error.description.contains("skiff convert"))
        }
    }

    @Test("A data path that leaves the model directory is refused")
    func escapingPath() throws {
        #expect {
            try Self.manifest("escaping").nativeArtifact(for: "models:/evil/1")
        } throws: { error in
            (error as? ClientError)?.code == .noNativeArtifact
        }
    }

    @Test("Logged model and run IDs are read; an ONNX tensor signature has no column names")
    func identifiers() throws {
        let manifest = try Self.manifest("onnx")
        #expect(manifest.modelID == "m-0123456789abcdef0123456789abcdef")
        #expect(manifest.runID == "0123456789abcdef0123456789abcdef")
        #expect(manifest.signatureColumnNames == nil)
    }

    @Test("Text that is not an MLmodel mapping is a serverError", arguments: ["", "- a\n- b\n", "flavors: {}\n", "{"])
    func notAManifest(text: String) {
        #expect {
            try ModelManifest(yaml: text)
        } throws: { error in
            (error as? ClientError)?.code == .serverError
        }
    }
}
