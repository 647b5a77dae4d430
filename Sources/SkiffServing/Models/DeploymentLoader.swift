import Foundation
import SkiffInference

/// Fetches, compiles and warms model versions, off Swift's cooperative pool.
struct DeploymentLoader: Sendable {
    let resolver: any ModelResolver
    let options: PredictionOptions

    /// Loads the version a reference points at now.
    /// - Throws: `ServingError` `modelLoad` saying what failed: resolution, a missing file, an unsupported model.
    func load(_ reference: String) async throws(ServingError) -> ModelDeployment {
        let started = ContinuousClock.now
        let resolved = try await resolver.resolve(reference)
        let options = self.options
        let compiled: Result<(any Predictor, [ModelDeployment.Output]), ServingError> = await Self.offload {
            do {
                let predictor = try ModelLoader.load(path: resolved.localPath)
                return .success((predictor, Self.warm(predictor, options: options)))
            } catch let error as InferenceError {
                return .failure(ServingError(.modelLoad, "The model '\(reference)' cannot be loaded: \(error)"))
            } catch {
                return .failure(ServingError(.modelLoad, "The model '\(reference)' cannot be loaded."))
            }
        }
        let (predictor, outputs) = try compiled.get()
        let elapsed = started.duration(to: .now)
        return ModelDeployment(
            name: resolved.name, version: resolved.version ?? "1", reference: reference, format: resolved.format,
            predictor: predictor, outputs: outputs,
            loadSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// Runs one row of zeros through the model so its first real request pays no first-call costs, and records
    /// the outputs' types and widths for the protocol's metadata.
    static func warm(_ predictor: any Predictor, options: PredictionOptions) -> [ModelDeployment.Output] {
        var feeds = [String: Tensor]()
        for input in predictor.inputs {
            let width = input.columnCount ?? max(input.featureNames.count, 1)
            feeds[input.name] =
                input.elementType == .string
                ? Tensor(shape: [1, width], storage: .string(Array(repeating: "", count: width)))
                : Tensor(shape: [1, width], storage: .double(Array(repeating: 0, count: width)))
        }
        guard let outputs = try? predictor.predict(feeds, options: options) else { return [] }
        return outputs.map { .init(name: $0.name, elementType: $0.tensor.elementType, width: max($0.tensor.count, 1)) }
    }

    /// Runs blocking work on a thread of its own and awaits its result.
    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = "skiff-model-load"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
