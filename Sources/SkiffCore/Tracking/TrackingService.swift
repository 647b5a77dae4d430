import Foundation

/// The tracking API as clients see it: validates every input with MLflow's rules, fills in what the
/// server owns (ids, generated run names, the `mlflow.runName` tag, timestamps), then calls the store.
///
/// The HTTP layer and the CLI both go through this type; stores never see unvalidated input.
public struct TrackingService: Sendable {
    public let store: any TrackingStore
    private let now: @Sendable () -> Int64

    /// Creates a service over a store.
    /// - Parameters:
    ///   - store: where data lives.
    ///   - now: the clock, in milliseconds since the epoch (injected so tests control time).
    public init(store: any TrackingStore, now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.now = now
    }

    static let runNameTag = "mlflow.runName"

    // MARK: - Experiments

    /// Creates an experiment.
    /// - Throws: `invalidParameterValue` for a bad name, location or tag; `resourceAlreadyExists`.
    public func createExperiment(name: String, artifactLocation: String?, tags: [Tag]) async throws -> String {
        try Validate.experimentName(name)
        var location = artifactLocation.flatMap { $0.isEmpty ? nil : $0 }
        if let given = location {
            try Validate.artifactLocation(given)
            location = Self.absoluteLocalLocation(given)
        }
        for tag in tags { try validateExperimentTag(tag) }
        return try await store.createExperiment(name: name, artifactLocation: location, tags: tags, time: now())
    }

    /// A relative local path made absolute against the server's working directory, as MLflow's stores do, so
    /// the location means the same to every client; URIs and absolute paths are kept as given.
    public static func absoluteLocalLocation(_ location: String) -> String {
        let beforeSlash = location.prefix { $0 != "/" }
        guard !location.hasPrefix("/"), !beforeSlash.contains(":") else { return location }
        var cwd = FileManager.default.currentDirectoryPath
        while cwd.hasSuffix("/") { cwd.removeLast() }
        var relative = Substring(location)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return relative.isEmpty || relative == "." ? cwd : cwd + "/" + relative
    }

    /// - Throws: `invalidParameterValue` for a non-integer id, `resourceDoesNotExist`.
    public func experiment(id: String) async throws -> Experiment {
        try Validate.experimentID(id)
        return try await store.experiment(id: id)
    }

    /// - Throws: `resourceDoesNotExist`.
    public func experiment(named name: String) async throws -> Experiment {
        try await store.experiment(named: name)
    }

    /// Searches experiments.
    /// - Throws: `invalidParameterValue` for a bad filter, order, page token or size.
    public func searchExperiments(
        filter: String, viewType: ViewType, maxResults: Int?, orderBy: [String], pageToken: String?
    ) async throws -> Page<Experiment> {
        guard let maxResults, maxResults > 0 else {
            throw SkiffError.invalid("Invalid value for max_results: it must be a positive integer")
        }
        guard maxResults <= Limits.maxExperimentsPerSearch else {
            throw SkiffError.invalid(
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most "
                    + "\(Limits.maxExperimentsPerSearch)"
            )
        }
        let query = ExperimentQuery(
            filter: try ExperimentSearchGrammar.filter(filter), viewType: viewType, maxResults: maxResults,
            orderBy: try ExperimentSearchGrammar.orderBy(orderBy), offset: try PageToken.decodeOffset(pageToken)
        )
        return try await store.searchExperiments(query)
    }

    /// Renames an experiment.
    public func renameExperiment(id: String, newName: String) async throws {
        try Validate.experimentID(id)
        try Validate.experimentName(newName)
        try await store.renameExperiment(id: id, newName: newName, time: now())
    }

    /// Soft-deletes an experiment and its runs.
    public func deleteExperiment(id: String) async throws {
        try Validate.experimentID(id)
        try await store.deleteExperiment(id: id, time: now())
    }

    /// Restores an experiment and its runs.
    public func restoreExperiment(id: String) async throws {
        try Validate.experimentID(id)
        try await store.restoreExperiment(id: id, time: now())
    }

    /// Sets an experiment tag (values over 20000 characters are an error, as in MLflow).
    public func setExperimentTag(id: String, tag: Tag) async throws {
        try Validate.experimentID(id)
        try validateExperimentTag(tag)
        try await store.setExperimentTag(id: id, tag: tag)
    }

    /// Deletes an experiment tag.
    public func deleteExperimentTag(id: String, key: String) async throws {
        try Validate.experimentID(id)
        guard !key.isEmpty else { throw SkiffError.missingParameter("key") }
        try await store.deleteExperimentTag(id: id, key: key)
    }

    private func validateExperimentTag(_ tag: Tag) throws(SkiffError) {
        try Validate.entityKey(tag.key, kind: "Tag")
        guard tag.value.count <= Limits.maxExperimentTagValueLength else {
            throw .invalid(
                "'value' exceeds the maximum length of \(Limits.maxExperimentTagValueLength) characters"
            )
        }
    }

    // MARK: - Runs

    /// Creates a run; the name comes from `runName`, else the `mlflow.runName` tag, else is generated.
    /// - Throws: `invalidParameterValue`, `resourceDoesNotExist` for an unknown experiment.
    public func createRun(
        experimentID: String?, userID: String?, runName: String?, startTime: Int64?, tags: [Tag]
    ) async throws -> Run {
        let experimentID = (experimentID?.isEmpty ?? true) ? Experiment.defaultID : experimentID!
        try Validate.experimentID(experimentID)
        var tags = try tags.map { tag throws(SkiffError) in try runTag(tag) }
        let tagName = tags.last(where: { $0.key == Self.runNameTag })?.value
        let given = runName.flatMap { $0.isEmpty ? nil : $0 }
        if let given, let tagName, given != tagName {
            throw SkiffError.invalid(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values "
                    + "(run_name='\(given)', mlflow.runName='\(tagName)')."
            )
        }
        let name = given ?? tagName ?? RunNameGenerator.next()
        tags.removeAll { $0.key == Self.runNameTag }
        tags.append(Tag(key: Self.runNameTag, value: name))
        let new = NewRun(
            runID: Self.newRunID(), experimentID: experimentID, runName: name, userID: userID ?? "",
            startTime: startTime ?? now(), tags: Self.lastWins(tags)
        )
        return try await store.createRun(new)
    }

    /// - Throws: `invalidParameterValue` for a malformed id, `resourceDoesNotExist`.
    public func run(id: String) async throws -> Run {
        try Validate.runID(id)
        return try await store.run(id: id)
    }

    /// Updates a run's status, end time or name.
    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try Validate.runID(id)
        var update = update
        if let name = update.runName, name.isEmpty { update.runName = nil }
        return try await store.updateRun(id: id, update)
    }

    /// Soft-deletes a run.
    public func deleteRun(id: String) async throws {
        try Validate.runID(id)
        try await store.deleteRun(id: id, time: now())
    }

    /// Restores a run.
    public func restoreRun(id: String) async throws {
        try Validate.runID(id)
        try await store.restoreRun(id: id)
    }

    /// Logs metrics, params and tags in one atomic write, with MLflow's batch limits.
    /// Over-long param and tag values are truncated (MLflow's default), duplicate param keys refused.
    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        try Validate.runID(runID)
        guard metrics.count <= Limits.maxMetricsPerBatch else {
            throw SkiffError.invalid(
                "A batch logging request can contain at most \(Limits.maxMetricsPerBatch) metrics. "
                    + "Got \(metrics.count) metrics. Please split up metrics across multiple requests and try again."
            )
        }
        guard params.count <= Limits.maxParamsPerBatch else {
            throw SkiffError.invalid(
                "A batch logging request can contain at most \(Limits.maxParamsPerBatch) params. "
                    + "Got \(params.count) params. Please split up params across multiple requests and try again."
            )
        }
        guard tags.count <= Limits.maxTagsPerBatch else {
            throw SkiffError.invalid(
                "A batch logging request can contain at most \(Limits.maxTagsPerBatch) tags. "
                    + "Got \(tags.count) tags. Please split up tags across multiple requests and try again."
            )
        }
        let total = metrics.count + params.count + tags.count
        guard total <= Limits.maxEntitiesPerBatch else {
            throw SkiffError.invalid(
                "A batch logging request can contain at most \(Limits.maxEntitiesPerBatch) metrics, params, and tags "
                    + "in total. Got \(total) total entities."
            )
        }
        var validKeys = Set<String>()
        for metric in metrics {
            // A batch usually repeats a few keys; each distinct key is validated once.
            if validKeys.insert(metric.key).inserted { try Validate.entityKey(metric.key, kind: "Metric") }
            guard metric.timestamp >= 0 else {
                throw SkiffError.invalid(
                    "Invalid timestamp \(metric.timestamp) for metric '\(metric.key)': must be a non-negative integer"
                )
            }
        }
        var seen = Set<String>()
        var checkedParams: [Param] = []
        checkedParams.reserveCapacity(params.count)
        for param in params {
            try Validate.entityKey(param.key, kind: "Param")
            guard seen.insert(param.key).inserted else {
                throw SkiffError.invalid(
                    "Duplicate parameter keys have been submitted: ['\(param.key)']. Please ensure the request "
                        + "contains only one param value per param key."
                )
            }
            checkedParams.append(Param(key: param.key, value: String(param.value.prefix(Limits.maxParamValueLength))))
        }
        let checkedTags = try tags.map { tag throws(SkiffError) in try runTag(tag) }
        try await store.logBatch(
            runID: runID, metrics: metrics, params: checkedParams, tags: Self.lastWins(checkedTags)
        )
    }

    /// Deletes a run tag.
    public func deleteTag(runID: String, key: String) async throws {
        try Validate.runID(runID)
        guard !key.isEmpty else { throw SkiffError.missingParameter("key") }
        try await store.deleteTag(runID: runID, key: key)
    }

    /// Records datasets and models a run consumed.
    public func logInputs(runID: String, datasets: [DatasetInput], models: [String]) async throws {
        try Validate.runID(runID)
        guard datasets.count <= Limits.maxDatasetsPerBatch else {
            throw SkiffError.invalid(
                "A batch logging request can contain at most \(Limits.maxDatasetsPerBatch) datasets. "
                    + "Got \(datasets.count) datasets."
            )
        }
        for input in datasets {
            let d = input.dataset
            try requireLength(d.name, "name", Limits.maxDatasetNameLength, required: true)
            try requireLength(d.digest, "digest", Limits.maxDatasetDigestLength, required: true)
            try requireLength(d.sourceType, "source_type", 64, required: true)
            try requireLength(d.source, "source", Limits.maxDatasetSourceLength, required: true)
            try requireLength(d.schema ?? "", "schema", Limits.maxDatasetSchemaLength, required: false)
            try requireLength(d.profile ?? "", "profile", Limits.maxDatasetProfileLength, required: false)
            for tag in input.tags {
                try requireLength(tag.key, "key", Limits.maxInputTagKeyLength, required: true)
                try requireLength(tag.value, "value", Limits.maxInputTagValueLength, required: false)
            }
        }
        for model in models { try Validate.runID(model) }
        try await store.logInputs(runID: runID, datasets: datasets, models: models)
    }

    /// Records models a run produced.
    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try Validate.runID(runID)
        for model in models { try Validate.runID(model.modelID) }
        try await store.logOutputs(runID: runID, models: models)
    }

    /// Searches runs. No experiment ids gives an empty page, as in MLflow.
    /// - Throws: `invalidParameterValue` for a bad filter, order, token or size.
    public func searchRuns(
        experimentIDs: [String], filter: String, viewType: ViewType, maxResults: Int?, orderBy: [String],
        pageToken: String?
    ) async throws -> Page<Run> {
        let maxResults = maxResults ?? 1000
        guard maxResults > 0, maxResults <= Limits.maxRunsPerSearch else {
            throw SkiffError.invalid(
                "Invalid value \(maxResults) for parameter 'max_results' supplied. It must be at most "
                    + "\(Limits.maxRunsPerSearch), and greater than 0"
            )
        }
        for id in experimentIDs { try Validate.experimentID(id) }
        let query = RunQuery(
            experimentIDs: experimentIDs, filter: try RunSearchGrammar.filter(filter), viewType: viewType,
            maxResults: maxResults, orderBy: try RunSearchGrammar.orderBy(orderBy),
            offset: try PageToken.decodeOffset(pageToken)
        )
        guard !experimentIDs.isEmpty else { return Page(items: [], nextPageToken: nil) }
        return try await store.searchRuns(query)
    }

    // MARK: - Metric history

    /// One page of a metric's history. Without `maxResults` the whole history comes back.
    public func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws
        -> Page<Metric>
    {
        try Validate.runID(runID)
        guard !key.isEmpty else { throw SkiffError.missingParameter("metric_key") }
        if let maxResults, maxResults <= 0 {
            throw SkiffError.invalid("max_results must be a positive integer, got \(maxResults)")
        }
        let offset = try PageToken.decodeOffset(pageToken)
        // A page larger than any history stands for "all of it"; the cap keeps `limit + 1` and
        // `offset + limit` in range for the stores.
        let limit = maxResults.map { min($0, PageToken.maxOffset) }
        // As in MLflow, an unknown run has an empty history (no extra lookup on this hot path).
        return try await store.metricHistory(runID: runID, key: key, offset: offset, limit: limit)
    }

    /// The whole history of one metric across up to 100 runs (MLflow's UI call `metrics/get-history-bulk`):
    /// ordered by run id, then timestamp, step and value, at most `maxResults` (≤ 25,000) values in all.
    public func metricHistoryBulk(runIDs: [String], key: String?, maxResults: Int?) async throws -> [Metric] {
        guard !runIDs.isEmpty else {
            throw SkiffError.invalid("GetMetricHistoryBulk request must specify at least one run_id.")
        }
        guard runIDs.count <= Limits.maxBulkIntervalRunIDs else {
            throw SkiffError.invalid(
                "GetMetricHistoryBulk request cannot specify more than \(Limits.maxBulkIntervalRunIDs) run_ids. "
                    + "Received \(runIDs.count) run_ids.")
        }
        guard let key else { throw SkiffError.invalid("GetMetricHistoryBulk request must specify a metric_key.") }
        for id in runIDs { try Validate.runID(id) }
        let limit = min(maxResults ?? Limits.maxHistoryPage, Limits.maxHistoryPage)
        guard limit > 0 else { return [] }
        var out: [Metric] = []
        for runID in Set(runIDs).sorted() where out.count < limit {
            // Each run's first `limit` values by step; the response is cut at `limit` in all, so no run
            // contributes more than that.
            let page = try await store.metricHistory(runID: runID, key: key, offset: 0, limit: limit)
            let ordered = page.items.sorted { ($0.timestamp, $0.step, $0.value) < ($1.timestamp, $1.step, $1.value) }
            for var metric in ordered.prefix(limit - out.count) {
                metric.runID = runID
                out.append(metric)
            }
        }
        return out
    }

    /// The datasets the runs of up to 20 experiments used, as MLflow's `experiments/search-datasets` lists
    /// them (at most 1,000).
    public func datasetSummaries(experimentIDs: [String]) async throws -> [DatasetSummary] {
        guard !experimentIDs.isEmpty else {
            throw SkiffError.invalid("SearchDatasets request must specify at least one experiment_id.")
        }
        guard experimentIDs.count <= Limits.maxExperimentsPerDatasetSearch else {
            throw SkiffError.invalid(
                "SearchDatasets request cannot specify more than \(Limits.maxExperimentsPerDatasetSearch) "
                    + "experiment_ids. Received \(experimentIDs.count) experiment_ids.")
        }
        return try await store.datasetSummaries(experimentIDs: experimentIDs, limit: Limits.maxDatasetSummaries)
    }

    /// Sampled history of one metric across up to 100 runs, for charts.
    public func metricHistoryBulkInterval(
        runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int?
    ) async throws -> [Metric] {
        guard !runIDs.isEmpty else { throw SkiffError.missingParameter("run_ids") }
        guard runIDs.count <= Limits.maxBulkIntervalRunIDs else {
            throw SkiffError.invalid(
                "GetMetricHistoryBulkInterval request must specify at most \(Limits.maxBulkIntervalRunIDs) run_ids. "
                    + "Received \(runIDs.count) run_ids."
            )
        }
        for id in runIDs { try Validate.runID(id) }
        guard !key.isEmpty else { throw SkiffError.missingParameter("metric_key") }
        let maxResults = maxResults ?? Limits.maxHistoryPage
        guard maxResults > 0, maxResults <= Limits.maxHistoryPage else {
            throw SkiffError.invalid(
                "max_results must be between 1 and \(Limits.maxHistoryPage), got \(maxResults)"
            )
        }
        if let startStep, let endStep, startStep > endStep {
            throw SkiffError.invalid(
                "end_step must be greater than start_step. Found start_step=\(startStep) and end_step=\(endStep).")
        }
        return try await store.metricHistoryBulkInterval(
            runIDs: runIDs, key: key, startStep: startStep, endStep: endStep, maxResults: maxResults
        )
    }

    // MARK: - Helpers

    private func runTag(_ tag: Tag) throws(SkiffError) -> Tag {
        try Validate.entityKey(tag.key, kind: "Tag")
        return Tag(key: tag.key, value: String(tag.value.prefix(Limits.maxRunTagValueLength)))
    }

    private func requireLength(_ value: String, _ name: String, _ max: Int, required: Bool) throws(SkiffError) {
        if required, value.isEmpty { throw .missingParameter(name) }
        guard value.utf8.count <= max else {
            throw .invalid("'\(name)' exceeds the maximum length of \(max) characters")
        }
    }

    /// Keeps the last value of each key, in first-seen order (a later `set_tag` wins).
    static func lastWins(_ tags: [Tag]) -> [Tag] {
        var index: [String: Int] = [:]
        var out: [Tag] = []
        for tag in tags {
            if let i = index[tag.key] {
                out[i] = tag
            } else {
                index[tag.key] = out.count
                out.append(tag)
            }
        }
        return out
    }

    /// A new run id: 32 lowercase hex characters from the system random generator.
    public static func newRunID() -> String {
        var g = SystemRandomNumberGenerator()
        let hi = g.next() as UInt64
        let lo = g.next() as UInt64
        return hex16(hi) + hex16(lo)
    }

    static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
