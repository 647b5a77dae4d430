import SkiffCore
import Testing

/// The one behaviour suite every `TrackingStore` backend must pass.
///
/// A backend's test target runs `TrackingStoreConformance.checks` against fresh stores of its kind:
/// `@Test(arguments: TrackingStoreConformance.checks) func conforms(_ check: Check) async throws`.
/// A behaviour difference between backends is a bug, so checks assert exact results, not just success.
public enum TrackingStoreConformance {
    /// One named behaviour.
    public struct Check: Sendable, CustomTestStringConvertible {
        public let name: String
        public let run: @Sendable (any TrackingStore) async throws -> Void
        public var testDescription: String { name }
    }

    /// Every check.
    public static let checks: [Check] = experimentChecks + runChecks + searchChecks

    static let t0: Int64 = 1_700_000_000_000

    /// Asserts that `body` throws a `SkiffError` with `code`.
    static func expectError(
        _ code: SkiffError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("expected \(code), but nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as SkiffError {
            #expect(error.code == code, "\(error.debugDescription)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected SkiffError \(code), got \(error)", sourceLocation: sourceLocation)
        }
    }

    static func newRun(
        _ store: any TrackingStore, experiment: String = "0", name: String = "run", start: Int64 = t0,
        tags: [Tag] = []
    ) async throws -> Run {
        try await store.createRun(
            NewRun(
                runID: TrackingService.newRunID(), experimentID: experiment, runName: name, userID: "alice",
                startTime: start, tags: tags))
    }

    static func metric(_ key: String, _ value: Double, step: Int64 = 0, ts: Int64 = t0) -> Metric {
        Metric(key: key, value: value, timestamp: ts, step: step)
    }

    // MARK: - Experiments

    static let experimentChecks: [Check] = [
        Check(name: "the Default experiment exists with id 0") { store in
            let e = try await store.experiment(id: "0")
            #expect(e.name == "Default")
            #expect(e.lifecycleStage == .active)
            #expect(e.artifactLocation.hasSuffix("/0"))
        },
        Check(name: "experiments get sequential ids and a derived artifact location") { store in
            let a = try await store.createExperiment(name: "a", artifactLocation: nil, tags: [], time: t0)
            let b = try await store.createExperiment(
                name: "b", artifactLocation: "s3://bucket/b", tags: [Tag(key: "k", value: "v")], time: t0)
            #expect(Int(b)! == Int(a)! + 1)
            #expect(try await store.experiment(id: a).artifactLocation.hasSuffix("/\(a)"))
            let eb = try await store.experiment(id: b)
            #expect(eb.artifactLocation == "s3://bucket/b")
            #expect(eb.tags == [Tag(key: "k", value: "v")])
            #expect(eb.creationTime == t0)
        },
        Check(name: "a duplicate experiment name is a conflict, also against a deleted one") { store in
            let id = try await store.createExperiment(name: "dup", artifactLocation: nil, tags: [], time: t0)
            await expectError(.resourceAlreadyExists) {
                _ = try await store.createExperiment(name: "dup", artifactLocation: nil, tags: [], time: t0)
            }
            try await store.deleteExperiment(id: id, time: t0)
            await expectError(.resourceAlreadyExists) {
                _ = try await store.createExperiment(name: "dup", artifactLocation: nil, tags: [], time: t0)
            }
            #expect(try await store.experiment(named: "dup").lifecycleStage == .deleted)
        },
        Check(name: "unknown experiments are not found") { store in
            await expectError(.resourceDoesNotExist) { _ = try await store.experiment(id: "999") }
            await expectError(.resourceDoesNotExist) { _ = try await store.experiment(named: "nope") }
        },
        Check(name: "renaming an experiment keeps its id and refuses a taken name") { store in
            let id = try await store.createExperiment(name: "old", artifactLocation: nil, tags: [], time: t0)
            _ = try await store.createExperiment(name: "taken", artifactLocation: nil, tags: [], time: t0)
            try await store.renameExperiment(id: id, newName: "new", time: t0 + 5)
            let e = try await store.experiment(named: "new")
            #expect(e.id == id)
            #expect(e.lastUpdateTime == t0 + 5)
            await expectError(.resourceAlreadyExists) {
                try await store.renameExperiment(id: id, newName: "taken", time: t0)
            }
        },
        Check(name: "deleting an experiment deletes its runs and restoring brings them back") { store in
            let id = try await store.createExperiment(name: "x", artifactLocation: nil, tags: [], time: t0)
            let run = try await newRun(store, experiment: id)
            try await store.deleteExperiment(id: id, time: t0 + 1)
            #expect(try await store.run(id: run.info.runID).info.lifecycleStage == .deleted)
            await expectError(.invalidParameterValue) { _ = try await newRun(store, experiment: id) }
            try await store.restoreExperiment(id: id, time: t0 + 2)
            #expect(try await store.run(id: run.info.runID).info.lifecycleStage == .active)
            #expect(try await store.experiment(id: id).lifecycleStage == .active)
        },
        Check(name: "experiment tags are set, overwritten and deleted") { store in
            let id = try await store.createExperiment(name: "tags", artifactLocation: nil, tags: [], time: t0)
            try await store.setExperimentTag(id: id, tag: Tag(key: "a", value: "1"))
            try await store.setExperimentTag(id: id, tag: Tag(key: "a", value: "2"))
            try await store.setExperimentTag(id: id, tag: Tag(key: "b", value: "3"))
            #expect(try await store.experiment(id: id).tags == [Tag(key: "a", value: "2"), Tag(key: "b", value: "3")])
            try await store.deleteExperimentTag(id: id, key: "a")
            #expect(try await store.experiment(id: id).tags == [Tag(key: "b", value: "3")])
            await expectError(.resourceDoesNotExist) { try await store.deleteExperimentTag(id: id, key: "a") }
        },
    ]

    // MARK: - Runs

    static let runChecks: [Check] = [
        Check(name: "a new run is RUNNING under its experiment's artifact location") { store in
            let id = try await store.createExperiment(
                name: "r", artifactLocation: "mlflow-artifacts:/r/", tags: [], time: t0)
            let run = try await newRun(store, experiment: id, tags: [Tag(key: "mlflow.user", value: "alice")])
            #expect(run.info.status == .running)
            #expect(run.info.endTime == nil)
            #expect(run.info.artifactURI == "mlflow-artifacts:/r/\(run.info.runID)/artifacts")
            #expect(run.tags == [Tag(key: "mlflow.user", value: "alice")])
            let fetched = try await store.run(id: run.info.runID)
            #expect(fetched == run)
        },
        Check(name: "runs in unknown or deleted experiments are refused") { store in
            await expectError(.resourceDoesNotExist) { _ = try await newRun(store, experiment: "12345") }
            await expectError(.resourceDoesNotExist) { _ = try await store.run(id: "0123456789abcdef0123456789abcdef") }
        },
        Check(name: "updating a run sets status, end time and name (and the runName tag)") { store in
            let run = try await newRun(store)
            let info = try await store.updateRun(
                id: run.info.runID, RunUpdate(status: .finished, endTime: t0 + 10, runName: "renamed"))
            #expect(info.status == .finished)
            #expect(info.endTime == t0 + 10)
            #expect(info.runName == "renamed")
            let fetched = try await store.run(id: run.info.runID)
            #expect(fetched.tags.contains(Tag(key: "mlflow.runName", value: "renamed")))
        },
        Check(name: "params are immutable: the same value is a no-op, another is refused atomically") { store in
            let id = try await newRun(store).info.runID
            try await store.logBatch(runID: id, metrics: [], params: [Tag(key: "lr", value: "0.1")], tags: [])
            try await store.logBatch(runID: id, metrics: [], params: [Tag(key: "lr", value: "0.1")], tags: [])
            await expectError(.invalidParameterValue) {
                try await store.logBatch(
                    runID: id, metrics: [metric("loss", 1)], params: [Tag(key: "lr", value: "0.2")],
                    tags: [Tag(key: "t", value: "x")])
            }
            let run = try await store.run(id: id)
            #expect(run.params == [Tag(key: "lr", value: "0.1")])
            #expect(run.metrics.isEmpty, "a refused batch writes nothing")
            #expect(!run.tags.contains(Tag(key: "t", value: "x")))
        },
        Check(name: "tags overwrite, delete, and mlflow.runName renames the run") { store in
            let id = try await newRun(store).info.runID
            try await store.logBatch(runID: id, metrics: [], params: [], tags: [Tag(key: "a", value: "1")])
            try await store.logBatch(runID: id, metrics: [], params: [], tags: [Tag(key: "a", value: "2")])
            try await store.logBatch(
                runID: id, metrics: [], params: [], tags: [Tag(key: "mlflow.runName", value: "n2")])
            let run = try await store.run(id: id)
            #expect(run.tags.contains(Tag(key: "a", value: "2")))
            #expect(run.info.runName == "n2")
            try await store.deleteTag(runID: id, key: "a")
            #expect(try await !store.run(id: id).tags.contains { $0.key == "a" })
            await expectError(.resourceDoesNotExist) { try await store.deleteTag(runID: id, key: "a") }
        },
        Check(name: "the latest metric is the greatest step, then timestamp, then value") { store in
            let id = try await newRun(store).info.runID
            try await store.logBatch(
                runID: id,
                metrics: [
                    metric("m", 5, step: 2, ts: t0), metric("m", 9, step: 1, ts: t0 + 100),
                    metric("m", 3, step: 2, ts: t0),
                ], params: [], tags: [])
            #expect(try await store.run(id: id).metrics.first?.value == 5)
            try await store.logBatch(runID: id, metrics: [metric("m", 1, step: 2, ts: t0 + 1)], params: [], tags: [])
            #expect(try await store.run(id: id).metrics.first?.value == 1)
            try await store.logBatch(
                runID: id, metrics: [metric("m", 100, step: 1, ts: t0 + 999)], params: [], tags: [])
            let latest = try await store.run(id: id).metrics
            #expect(latest.count == 1)
            #expect(latest.first?.value == 1)
            #expect(latest.first?.step == 2)
        },
        Check(name: "NaN and infinities round-trip through history and latest values") { store in
            let id = try await newRun(store).info.runID
            try await store.logBatch(
                runID: id,
                metrics: [
                    metric("n", .nan, step: 0), metric("p", .infinity, step: 0), metric("q", -.infinity, step: 0),
                ],
                params: [], tags: [])
            let history = try await store.metricHistory(runID: id, key: "n", offset: 0, limit: nil).items
            #expect(history.count == 1)
            #expect(history.first?.value.isNaN == true)
            let latest = Dictionary(
                uniqueKeysWithValues: try await store.run(id: id).metrics.map { ($0.key, $0.value) })
            #expect(latest["n"]?.isNaN == true)
            #expect(latest["p"] == .infinity)
            #expect(latest["q"] == -.infinity)
        },
        Check(name: "metric history is ordered by step and timestamp and pages without loss") { store in
            let id = try await newRun(store).info.runID
            let values = (0..<250).map { metric("h", Double($0), step: Int64(249 - $0), ts: t0 + Int64($0)) }
            try await store.logBatch(runID: id, metrics: values, params: [], tags: [])
            try await store.logBatch(runID: id, metrics: [values[0]], params: [], tags: [])
            var collected: [Metric] = []
            var offset = 0
            for _ in 0..<10 {
                let page = try await store.metricHistory(runID: id, key: "h", offset: offset, limit: 100)
                collected += page.items
                guard let token = page.nextPageToken else { break }
                offset = try PageToken.decodeOffset(token)
            }
            #expect(collected.count == 250, "an exact duplicate is stored once")
            #expect(collected.map(\.step) == (0..<250).map { Int64($0) })
            #expect(try await store.metricHistory(runID: id, key: "h", offset: 0, limit: nil).items.count == 250)
        },
        Check(name: "deleted runs refuse writes and can be restored") { store in
            let id = try await newRun(store).info.runID
            try await store.deleteRun(id: id, time: t0)
            #expect(try await store.run(id: id).info.lifecycleStage == .deleted)
            await expectError(.invalidParameterValue) {
                try await store.logBatch(runID: id, metrics: [metric("m", 1)], params: [], tags: [])
            }
            try await store.restoreRun(id: id)
            try await store.logBatch(runID: id, metrics: [metric("m", 1)], params: [], tags: [])
            #expect(try await store.run(id: id).metrics.count == 1)
        },
        Check(name: "inputs and outputs are recorded once and come back with the run") { store in
            let id = try await newRun(store).info.runID
            let dataset = Dataset(
                name: "train", digest: "abcd1234", sourceType: "code", source: "{}", schema: "{\"x\":1}", profile: nil)
            let input = DatasetInput(dataset: dataset, tags: [Tag(key: "mlflow.data.context", value: "training")])
            try await store.logInputs(runID: id, datasets: [input], models: ["m-1"])
            try await store.logInputs(runID: id, datasets: [input], models: ["m-1"])
            try await store.logOutputs(runID: id, models: [ModelOutput(modelID: "m-2", step: 3)])
            let run = try await store.run(id: id)
            #expect(run.datasetInputs == [input])
            #expect(run.modelInputs == ["m-1"])
            #expect(run.modelOutputs == [ModelOutput(modelID: "m-2", step: 3)])
        },
        Check(name: "dataset summaries are distinct per experiment, name, digest and context") { store in
            let other = try await store.createExperiment(
                name: "datasets-\(TrackingService.newRunID())", artifactLocation: nil, tags: [], time: t0)
            func input(_ name: String, _ digest: String, _ context: String?) -> DatasetInput {
                DatasetInput(
                    dataset: Dataset(
                        name: name, digest: digest, sourceType: "code", source: "{}", schema: nil, profile: nil),
                    tags: context.map { [Tag(key: DatasetSummary.contextTag, value: $0)] } ?? [])
            }
            let a = try await newRun(store, experiment: other).info.runID
            let b = try await newRun(store, experiment: other).info.runID
            try await store.logInputs(
                runID: a, datasets: [input("train", "d1", "training"), input("x", "d9", nil)], models: [])
            try await store.logInputs(
                runID: b, datasets: [input("train", "d1", "training"), input("train", "d1", "eval")], models: [])
            let summaries = try await store.datasetSummaries(experimentIDs: [other], limit: 1000)
            #expect(
                summaries == [
                    DatasetSummary(experimentID: other, name: "train", digest: "d1", context: "eval"),
                    DatasetSummary(experimentID: other, name: "train", digest: "d1", context: "training"),
                    DatasetSummary(experimentID: other, name: "x", digest: "d9", context: nil),
                ])
            #expect(try await store.datasetSummaries(experimentIDs: [other], limit: 2).count == 2)
            #expect(try await store.datasetSummaries(experimentIDs: ["999999"], limit: 1000).isEmpty)
        },
        Check(name: "bulk interval history samples each run and tags values with the run id") { store in
            let a = try await newRun(store).info.runID
            let b = try await newRun(store).info.runID
            try await store.logBatch(
                runID: a, metrics: (0..<100).map { metric("x", Double($0), step: Int64($0)) }, params: [], tags: [])
            try await store.logBatch(runID: b, metrics: [metric("x", 7, step: 5)], params: [], tags: [])
            let sampled = try await store.metricHistoryBulkInterval(
                runIDs: [a, b], key: "x", startStep: nil, endStep: nil, maxResults: 10)
            let fromA = sampled.filter { $0.runID == a }
            #expect(fromA.count == 10)
            #expect(fromA.first?.step == 0)
            #expect(fromA.last?.step == 99)
            #expect(sampled.filter { $0.runID == b }.map(\.value) == [7])
            let ranged = try await store.metricHistoryBulkInterval(
                runIDs: [a], key: "x", startStep: 10, endStep: 19, maxResults: 100)
            #expect(ranged.map(\.step) == Array(10...19))
        },
        Check(name: "concurrent writers never lose a write") { store in
            let id = try await newRun(store).info.runID
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for i in 0..<25 {
                            try await store.logBatch(
                                runID: id, metrics: [metric("w\(worker)", Double(i), step: Int64(i))],
                                params: [Tag(key: "p\(worker)-\(i)", value: "v")], tags: [])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let run = try await store.run(id: id)
            #expect(run.params.count == 200)
            #expect(run.metrics.count == 8)
            for worker in 0..<8 {
                let history = try await store.metricHistory(runID: id, key: "w\(worker)", offset: 0, limit: nil)
                #expect(history.items.count == 25)
            }
        },
    ]
}
