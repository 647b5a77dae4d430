import Foundation
import Testing

@testable import SkiffInference

/// Bad model files and bad inputs get errors a user can act on.
@Suite("Model and input errors")
struct ModelErrorTests {
    private func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: FixtureCase.directory.appendingPathComponent(file)))
    }

    private func code(_ body: () throws -> Void) -> InferenceError? {
        do {
            try body()
            return nil
        } catch let error as InferenceError {
            return error
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return nil
        }
    }

    @Test("an unsupported ONNX operator is named together with its node")
    func unsupportedOperator() throws {
        var model = try Onnx_ModelProto(serializedBytes: try bytes("onnx_scaler_logreg.onnx"))
        model.graph.node[0].opType = "FancyScaler"
        model.graph.node[0].name = "scaler-node"
        let data: [UInt8] = try model.serializedBytes()
        let error = try #require(code { _ = try ModelLoader.load(bytes: data, format: .onnx) })
        #expect(error.code == .unsupportedOperator)
        #expect(error.description.contains("FancyScaler"))
        #expect(error.description.contains("scaler-node"))
    }

    @Test(
        "a file that is not what its extension says is rejected",
        arguments: [
            ("xgb_binary.json", ModelFormat.onnx), ("onnx_ridge.onnx", .lightgbm), ("lgb_binary.txt", .xgboost),
            ("onnx_ridge.onnx", .xgboost), ("xgb_binary.ubj", .lightgbm),
        ])
    func wrongFormat(file: String, format: ModelFormat) throws {
        let data = try bytes(file)
        let error = try #require(code { _ = try ModelLoader.load(bytes: data, format: format) })
        #expect(error.code == .unsupportedFormat || error.code == .corruptModel)
    }

    @Test(
        "a truncated model file is rejected",
        arguments: ["xgb_binary.json", "xgb_binary.ubj", "lgb_multiclass.txt", "onnx_random_forest_binary.onnx"])
    func truncated(file: String) throws {
        let data = try bytes(file)
        let format = ModelFormat(path: file)!
        for fraction in [0.1, 0.5, 0.9] {
            let prefix = Array(data.prefix(Int(Double(data.count) * fraction)))
            let error = try #require(code { _ = try ModelLoader.load(bytes: prefix, format: format) })
            #expect(error.code == .corruptModel || error.code == .unsupportedFormat)
        }
    }

    @Test("an empty file is rejected for every format", arguments: ModelFormat.allCases)
    func empty(format: ModelFormat) {
        #expect(throws: InferenceError.self) { try ModelLoader.load(bytes: [], format: format) }
    }

    @Test("a missing named input is reported by name")
    func missingInput() throws {
        let predictor = try ModelLoader.load(
            path: FixtureCase.directory.appendingPathComponent("onnx_column_transformer_logreg.onnx").path)
        let feeds: [String: Tensor] = [
            "age": Tensor(shape: [1, 1], storage: .double([1])),
            "color": Tensor(shape: [1, 1], storage: .string(["red"])),
        ]
        let error = try #require(code { _ = try predictor.predict(feeds, options: PredictionOptions()) })
        #expect(error.code == .missingColumn)
        #expect(error.description.contains("income"))
    }

    @Test("the wrong number of feature columns is reported")
    func wrongColumnCount() throws {
        let predictor = try ModelLoader.load(
            path: FixtureCase.directory.appendingPathComponent("lgb_binary.txt").path)
        let feeds = ["features": Tensor(shape: [2, 3], storage: .double([1, 2, 3, 4, 5, 6]))]
        let error = try #require(code { _ = try predictor.predict(feeds, options: PredictionOptions()) })
        #expect(error.code == .invalidInput)
    }

    @Test("an unknown extension is rejected before reading")
    func unknownExtension() {
        #expect(ModelFormat(path: "model.pkl") == nil)
        #expect(ModelFormat(path: "dir.v2/model.UBJ") == .xgboost)
        #expect(throws: InferenceError.self) { try ModelLoader.load(path: "/nonexistent/model.bin") }
    }
}
