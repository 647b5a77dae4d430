import SkiffCore
import Testing

/// The behaviour suite for `ModelRegistryStore` and `LoggedModelStore` backends.
///
/// The factory returns one store that implements both protocols and `TrackingStore` (logged models live in
/// experiments); every check starts from a fresh store.
public enum RegistryStoreConformance {
    /// A store with every protocol the registry needs.
    public typealias Store = ModelRegistryStore & LoggedModelStore & TrackingStore

    /// One named behaviour.
    public struct Check: Sendable, CustomTestStringConvertible {
        public let name: String
        public let run: @Sendable (any Store) async throws -> Void
        public var testDescription: String { name }
    }

    static let t0: Int64 = 1_700_000_000_000

    static func version(_ store: any Store, _ name: String, source: String = "s3://b/m", runID: String? = nil)
        async throws -> ModelVersion
    {
        try await store.createModelVersion(
            NewModelVersion(
                name: name, source: source, storageLocation: source, runID: runID, runLink: nil, modelID: nil,
                description: nil, userID: nil, tags: [], time: t0))
    }

    /// Every check.
    public static let checks: [Check] = [
        Check(name: "registered models are unique, fetched with tags, renamed with their versions") { store in
            _ = try await store.createRegisteredModel(
                name: "m", description: "d", tags: [Tag(key: "k", value: "v")], userID: nil, time: t0)
            await TrackingStoreConformance.expectError(.resourceAlreadyExists) {
                _ = try await store.createRegisteredModel(name: "m", description: nil, tags: [], userID: nil, time: t0)
            }
            _ = try await version(store, "m")
            _ = try await version(store, "m")
            try await store.setAlias(name: "m", alias: "champion", version: 2, time: t0)
            try await store.setModelVersionTag(name: "m", version: 1, tag: Tag(key: "a", value: "b"), time: t0)
            let renamed = try await store.renameRegisteredModel(name: "m", newName: "n", time: t0 + 1)
            #expect(renamed.name == "n")
            #expect(renamed.tags == [Tag(key: "k", value: "v")])
            #expect(renamed.aliases == [ModelAlias(alias: "champion", version: 2)])
            #expect(try await store.modelVersion(name: "n", version: 1).tags == [Tag(key: "a", value: "b")])
            #expect(try await store.modelVersion(name: "n", alias: "champion").version == 2)
            await TrackingStoreConformance.expectError(.resourceDoesNotExist) {
                _ = try await store.registeredModel(name: "m")
            }
        },
        Check(name: "versions are numbered per model and deleting the model cascades") { store in
            for name in ["a", "b"] {
                _ = try await store.createRegisteredModel(name: name, description: nil, tags: [], userID: nil, time: t0)
            }
            #expect(try await version(store, "a").version == 1)
            #expect(try await version(store, "a").version == 2)
            #expect(try await version(store, "b").version == 1)
            try await store.deleteModelVersion(name: "a", version: 2)
            #expect(try await version(store, "a").version == 2, "the next number is max + 1")
            try await store.deleteRegisteredModel(name: "a")
            await TrackingStoreConformance.expectError(.resourceDoesNotExist) {
                _ = try await store.modelVersion(name: "a", version: 1)
            }
            #expect(try await store.searchModelVersions(ModelVersionQuery()).items.map(\.name) == ["b"])
        },
        Check(name: "aliases move, vanish with their version, and unknown aliases are invalid, not missing") { store in
            _ = try await store.createRegisteredModel(name: "m", description: nil, tags: [], userID: nil, time: t0)
            _ = try await version(store, "m")
            _ = try await version(store, "m")
            try await store.setAlias(name: "m", alias: "prod", version: 1, time: t0)
            try await store.setAlias(name: "m", alias: "prod", version: 2, time: t0)
            #expect(try await store.modelVersion(name: "m", alias: "prod").version == 2)
            #expect(try await store.modelVersion(name: "m", version: 2).aliases == ["prod"])
            #expect(try await store.modelVersion(name: "m", version: 1).aliases == [])
            try await store.deleteModelVersion(name: "m", version: 2)
            await TrackingStoreConformance.expectError(.invalidParameterValue) {
                _ = try await store.modelVersion(name: "m", alias: "prod")
            }
            await TrackingStoreConformance.expectError(.resourceDoesNotExist) {
                try await store.setAlias(name: "m", alias: "x", version: 9, time: t0)
            }
        },
        Check(name: "stage transitions archive existing versions on request; latest versions are per stage") { store in
            _ = try await store.createRegisteredModel(name: "m", description: nil, tags: [], userID: nil, time: t0)
            for _ in 0..<3 { _ = try await version(store, "m") }
            _ = try await store.transitionStage(
                name: "m", version: 1, stage: .production, archiveExisting: false, time: t0)
            _ = try await store.transitionStage(
                name: "m", version: 2, stage: .production, archiveExisting: true, time: t0)
            #expect(try await store.modelVersion(name: "m", version: 1).stage == .archived)
            let latest = try await store.registeredModel(name: "m").latestVersions
            #expect(
                Set(latest.map { "\($0.stage.rawValue)=\($0.version)" }) == ["Archived=1", "Production=2", "None=3"])
        },
        Check(name: "registry search: name patterns, tags, the prompt-exclusion clause, order and pages") { store in
            for (name, team) in [("alpha", "a"), ("beta", "b"), ("gamma", "a")] {
                _ = try await store.createRegisteredModel(
                    name: name, description: nil, tags: [Tag(key: "team", value: team)], userID: nil, time: t0)
            }
            _ = try await store.createRegisteredModel(
                name: "prompt", description: nil, tags: [Tag(key: "mlflow.prompt.is_prompt", value: "true")],
                userID: nil, time: t0)
            func names(_ filter: String, _ order: [String] = []) async throws -> [String] {
                try await store.searchRegisteredModels(
                    RegisteredModelQuery(
                        filter: RegistrySearchGrammar.registeredModelFilter(filter),
                        orderBy: RegistrySearchGrammar.registeredModelOrder(order))
                ).items.map(\.name)
            }
            #expect(try await names("tags.`mlflow.prompt.is_prompt` != 'true'") == ["alpha", "beta", "gamma"])
            #expect(try await names("tags.team = 'a'", ["name DESC"]) == ["gamma", "alpha"])
            #expect(
                try await names("name LIKE '%a' and tags.`mlflow.prompt.is_prompt` != 'true'") == [
                    "alpha", "beta", "gamma",
                ])
            #expect(try await names("name ILIKE 'ALP%'") == ["alpha"])
            let first = try await store.searchRegisteredModels(RegisteredModelQuery(maxResults: 3))
            #expect(first.items.count == 3)
            let rest = try await store.searchRegisteredModels(
                RegisteredModelQuery(maxResults: 3, offset: try PageToken.decodeOffset(first.nextPageToken)))
            #expect(rest.items.map(\.name) == ["prompt"])
            #expect(rest.nextPageToken == nil)
        },
        Check(name: "logged models: pending then ready, tags, immutable params, search by name, metrics by model id") {
            store in
            let run = try await store.createRun(
                NewRun(
                    runID: TrackingService.newRunID(), experimentID: "0", runName: "r", userID: "", startTime: t0,
                    tags: []))
            let model = try await store.createLoggedModel(
                NewLoggedModel(
                    id: "m-" + TrackingService.newRunID(), experimentID: "0", name: "model", modelType: nil,
                    sourceRunID: run.info.runID, userID: nil, params: [Tag(key: "C", value: "1")], tags: [], time: t0))
            #expect(model.status == .pending)
            #expect(model.artifactURI.hasSuffix("/0/models/\(model.id)/artifacts"))
            _ = try await store.setLoggedModelStatus(id: model.id, status: .ready, time: t0 + 1)
            try await store.setLoggedModelTags(id: model.id, tags: [Tag(key: "t", value: "1")], time: t0)
            try await store.logLoggedModelParams(id: model.id, params: [Tag(key: "C", value: "1")])
            await TrackingStoreConformance.expectError(.invalidParameterValue) {
                try await store.logLoggedModelParams(id: model.id, params: [Tag(key: "C", value: "2")])
            }
            try await store.logBatch(
                runID: run.info.runID,
                metrics: [Metric(key: "acc", value: 0.9, timestamp: t0, step: 0, modelID: model.id)], params: [],
                tags: [])
            let fetched = try await store.loggedModel(id: model.id, allowDeleted: false)
            #expect(fetched.status == .ready)
            #expect(fetched.tags == [Tag(key: "t", value: "1")])
            #expect(fetched.metrics.map(\.key) == ["acc"])
            let found = try await store.searchLoggedModels(
                LoggedModelQuery(
                    experimentIDs: ["0"], filter: RegistrySearchGrammar.loggedModelFilter("name = 'model'")))
            #expect(found.items.map(\.id) == [model.id])
            let byMetric = try await store.searchLoggedModels(
                LoggedModelQuery(
                    experimentIDs: ["0"], filter: RegistrySearchGrammar.loggedModelFilter("metrics.acc > 0.5")))
            #expect(byMetric.items.map(\.id) == [model.id])
            try await store.deleteLoggedModel(id: model.id, time: t0)
            await TrackingStoreConformance.expectError(.resourceDoesNotExist) {
                _ = try await store.loggedModel(id: model.id, allowDeleted: false)
            }
            #expect(try await store.loggedModel(id: model.id, allowDeleted: true).id == model.id)
        },
        Check(name: "logged-model metrics: one per model, ordered by latest value with nulls last, per dataset") {
            store in
            let run = try await store.createRun(
                NewRun(
                    runID: TrackingService.newRunID(), experimentID: "0", runName: "r", userID: "", startTime: t0,
                    tags: []))
            // a 0.5, b 0.9, c none, d 0.9 (the same point as b, in the same run), e NaN, f 0.7 on dataset "ds1".
            var ids: [String: String] = [:]
            for (offset, name) in ["a", "b", "c", "d", "e", "f"].enumerated() {
                ids[name] =
                    try await store.createLoggedModel(
                        NewLoggedModel(
                            id: "m-" + TrackingService.newRunID(), experimentID: "0", name: name, modelType: nil,
                            sourceRunID: run.info.runID, userID: nil, params: [], tags: [], time: t0 + Int64(offset))
                    ).id
            }
            func metric(_ name: String, _ value: Double, step: Int64 = 0, dataset: String? = nil) -> Metric {
                Metric(
                    key: "acc", value: value, timestamp: t0, step: step, modelID: ids[name], datasetName: dataset,
                    datasetDigest: dataset.map { _ in "dg" })
            }
            try await store.logBatch(
                runID: run.info.runID,
                metrics: [
                    metric("a", 0.95), metric("a", 0.5, step: 1), metric("b", 0.9), metric("d", 0.9),
                    metric("e", .nan), metric("f", 0.7, dataset: "ds1"),
                ], params: [], tags: [])
            #expect(try await store.loggedModel(id: ids["d"]!, allowDeleted: false).metrics.map(\.value) == [0.9])
            func names(
                _ order: [OrderTerm], filter: String = "", datasets: [DatasetKey] = [], max: Int = 100
            ) async throws -> [String] {
                var out: [String] = []
                var offset = 0
                for _ in 0..<20 {
                    let page = try await store.searchLoggedModels(
                        LoggedModelQuery(
                            experimentIDs: ["0"], filter: RegistrySearchGrammar.loggedModelFilter(filter),
                            maxResults: max, orderBy: order, offset: offset, datasets: datasets))
                    out += page.items.map(\.name)
                    guard page.nextPageToken != nil else { break }
                    offset += max
                }
                return out
            }
            let descending = [OrderTerm(entity: .metric("acc"), ascending: false)]
            // Ties on the value fall back to the newest model first (d after b in creation order).
            #expect(try await names(descending) == ["d", "b", "f", "a", "e", "c"])
            #expect(try await names(descending, max: 2) == ["d", "b", "f", "a", "e", "c"])
            #expect(
                try await names([OrderTerm(entity: .metric("acc"), ascending: true)], max: 4)
                    == ["a", "f", "d", "b", "e", "c"])
            let onDataset = [OrderTerm(entity: .metric("acc"), ascending: false, dataset: DatasetKey(name: "ds1"))]
            #expect(try await names(onDataset) == ["f", "e", "d", "c", "b", "a"])
            // Any logged value matches a metric filter (a's first point is 0.95); NaN never does.
            #expect(try await names([], filter: "metrics.acc > 0.92") == ["a"])
            #expect(try await names([], filter: "metrics.acc > 0.4") == ["f", "d", "b", "a"])
            #expect(try await names([], datasets: [DatasetKey(name: "ds1", digest: "dg")]) == ["f"])
            #expect(try await names([], filter: "metrics.acc > 0.8", datasets: [DatasetKey(name: "ds1")]).isEmpty)
            // Attributes: models without one (no model_type here but on "b") last in both directions.
            let typed = try await store.createLoggedModel(
                NewLoggedModel(
                    id: "m-" + TrackingService.newRunID(), experimentID: "0", name: "typed", modelType: "sk",
                    sourceRunID: run.info.runID, userID: nil, params: [], tags: [], time: t0 - 1))
            for ascending in [true, false] {
                let first = try await names([OrderTerm(entity: .attribute("model_type"), ascending: ascending)])
                #expect(first.first == typed.name, "the model with a type first, ascending: \(ascending)")
            }
        },
    ]
}
