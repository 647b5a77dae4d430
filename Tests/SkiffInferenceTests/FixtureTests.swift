import Foundation
import SkiffInference
import Testing

/// Every fixture model predicts what its reference library (onnxruntime, xgboost, lightgbm) predicted: labels
/// exactly, scores within the case's tolerance relative to `max(1, |reference|)` (1e-5, or 1e-6 for LightGBM's
/// double path).
@Suite("Reference fixtures")
struct FixtureTests {
    @Test("the fixture set is present")
    func fixturesArePresent() {
        #expect(FixtureCase.names.count >= 40)
    }

    @Test("model predictions match the reference library", arguments: FixtureCase.names)
    func matchesReference(name: String) throws {
        let fixture = try FixtureCase.load(name)
        let predictor = try ModelLoader.load(path: fixture.modelPath)
        let outputs = try predictor.predict(
            fixture.feeds, options: PredictionOptions(pool: ComputePool(threadCount: 2)))
        try compare(outputs, fixture.outputs, tolerance: fixture.tolerance, name: name)
        if let raw = fixture.rawOutputs {
            let margins = try predictor.predict(fixture.feeds, options: PredictionOptions(rawScores: true))
            try compare(margins, raw, tolerance: fixture.tolerance, name: "\(name) (raw)")
        }
    }

    @Test(
        "single rows predict the same as the whole batch", arguments: FixtureCase.names.filter { !$0.hasPrefix("onnx") }
    )
    func singleRowsMatchBatch(name: String) throws {
        let fixture = try FixtureCase.load(name)
        let predictor = try ModelLoader.load(path: fixture.modelPath)
        let input = fixture.inputs[0].tensor
        let batch = try predictor.predict(["features": input], options: PredictionOptions())[0].tensor.doubles
        let columns = input.shape[1]
        let values = input.doubles
        let perRow = batch.count / input.shape[0]
        for row in stride(from: 0, to: input.shape[0], by: 7) {
            let single = Tensor(
                shape: [1, columns], storage: .double(Array(values[row * columns..<(row + 1) * columns])))
            let result = try predictor.predict(["features": single], options: PredictionOptions())[0].tensor.doubles
            #expect(result == Array(batch[row * perRow..<(row + 1) * perRow]), "\(name) row \(row)")
        }
    }

    private func compare(
        _ outputs: [NamedTensor], _ expected: [FixtureCase.TensorValue], tolerance: Double, name: String
    )
        throws
    {
        #expect(outputs.count == expected.count, "\(name): output count")
        for reference in expected {
            let output = try #require(
                outputs.first { $0.name == reference.name }, "\(name): no output \(reference.name)")
            let tensor = output.tensor
            #expect(tensor.count == reference.data.count, "\(name): \(reference.name) element count")
            guard tensor.count == reference.data.count else { continue }
            switch reference.dtype {
            case "string":
                #expect(tensor.strings == reference.data.map { $0.text ?? "" }, "\(name): \(reference.name)")
            case "int64", "bool":
                let actual = tensor.doubles
                let wrong = zip(actual, reference.data).enumerated().filter { $0.element.0 != $0.element.1.number }
                #expect(wrong.isEmpty, "\(name): \(reference.name) differs at \(wrong.prefix(5).map(\.offset))")
            default:
                let actual = tensor.doubles
                var worst = 0.0
                var failures = [Int]()
                for (index, (value, expectedValue)) in zip(actual, reference.data).enumerated() {
                    let target = expectedValue.number ?? .nan
                    if target.isNaN && value.isNaN { continue }
                    let error = abs(value - target) / max(1, abs(target))
                    worst = max(worst, error.isNaN ? .infinity : error)
                    if !(error <= tolerance) { failures.append(index) }
                }
                #expect(
                    failures.isEmpty,
                    "\(name): \(reference.name) off at \(failures.count) elements, e.g. \(failures.prefix(5)); worst \(worst)"
                )
            }
        }
    }
}

extension Tensor {
    fileprivate var strings: [String] {
        (0..<count).map { formattedElement($0) }
    }
}
