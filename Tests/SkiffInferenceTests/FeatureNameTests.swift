import Foundation
import SkiffInference
import Testing

/// `skiff convert` records the training columns of a model's single 2-D input in the ONNX metadata entry
/// `skiff.feature_names`; the loader exposes them so CSV and JSON columns bind by name, in any order.
@Suite("ONNX feature names")
struct FeatureNameTests {
    @Test("a converted model's input carries the recorded column names")
    func recordedNames() throws {
        let path = FixtureCase.directory.appendingPathComponent("onnx_feature_names.onnx").path
        let predictor = try ModelLoader.load(path: path)
        let input = try #require(predictor.inputs.first)
        #expect(predictor.inputs.count == 1)
        #expect(input.columnCount == 3)
        #expect(input.featureNames == ["a", "b", "c"])
    }

    @Test("a model without the entry has no feature names")
    func noNames() throws {
        let path = FixtureCase.directory.appendingPathComponent("onnx_decision_tree.onnx").path
        let predictor = try ModelLoader.load(path: path)
        #expect(predictor.inputs.allSatisfy { $0.featureNames.isEmpty })
    }
}
