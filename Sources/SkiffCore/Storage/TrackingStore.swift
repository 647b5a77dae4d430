/// Persistent storage of experiments, runs and their data.
///
/// Every backend (SQLite, PostgreSQL) implements this protocol and passes the one conformance suite in
/// SkiffTesting; a behaviour difference between backends is a bug. Stores trust their inputs to be
/// validated (`TrackingService` does that) but enforce the rules that need stored state: unique names,
/// active-only writes, immutable params. All failures are `SkiffError`.
public protocol TrackingStore: Sendable {
    // MARK: Experiments

    /// Creates an experiment and returns its id. With a nil `artifactLocation` the store derives one
    /// from its default artifact root and the new id.
    /// - Throws: `resourceAlreadyExists` when the name is taken (also by a deleted experiment).
    func createExperiment(name: String, artifactLocation: String?, tags: [Tag], time: Int64) async throws -> String
    /// - Throws: `resourceDoesNotExist`.
    func experiment(id: String) async throws -> Experiment
    /// Finds an experiment by exact name, deleted ones included.
    /// - Throws: `resourceDoesNotExist`.
    func experiment(named name: String) async throws -> Experiment
    /// Searches experiments.
    func searchExperiments(_ query: ExperimentQuery) async throws -> Page<Experiment>
    /// - Throws: `resourceDoesNotExist`, `resourceAlreadyExists`, `invalidParameterValue` for a deleted one.
    func renameExperiment(id: String, newName: String, time: Int64) async throws
    /// Soft-deletes an experiment and its runs.
    func deleteExperiment(id: String, time: Int64) async throws
    /// Restores a soft-deleted experiment and the runs deleted with it.
    func restoreExperiment(id: String, time: Int64) async throws
    /// Sets (inserts or overwrites) an experiment tag.
    func setExperimentTag(id: String, tag: Tag) async throws
    /// Deletes an experiment tag.
    /// - Throws: `resourceDoesNotExist` when the tag is absent.
    func deleteExperimentTag(id: String, key: String) async throws

    // MARK: Runs

    /// Creates a run in an active experiment.
    /// - Throws: `resourceDoesNotExist` for an unknown experiment, `invalidParameterValue` for a deleted one.
    func createRun(_ run: NewRun) async throws -> Run
    /// - Throws: `resourceDoesNotExist`.
    func run(id: String) async throws -> Run
    /// Updates status, end time and name.
    func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo
    /// Soft-deletes a run.
    func deleteRun(id: String, time: Int64) async throws
    /// Restores a soft-deleted run.
    func restoreRun(id: String) async throws
    /// Writes metrics, params and tags of one run atomically: all or nothing.
    /// - Throws: `invalidParameterValue` when a param would change value or the run is not active.
    func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws
    /// Deletes a run tag.
    /// - Throws: `resourceDoesNotExist` when absent.
    func deleteTag(runID: String, key: String) async throws
    /// Records datasets and models a run consumed.
    func logInputs(runID: String, datasets: [DatasetInput], models: [String]) async throws
    /// Records models a run produced.
    func logOutputs(runID: String, models: [ModelOutput]) async throws
    /// Searches runs of the given experiments.
    func searchRuns(_ query: RunQuery) async throws -> Page<Run>
    /// The distinct (experiment, dataset name, digest, context) combinations the runs of these experiments
    /// logged as inputs, at most `limit`, ordered by experiment, name, digest and context.
    func datasetSummaries(experimentIDs: [String], limit: Int) async throws -> [DatasetSummary]

    // MARK: Metric history

    /// The values of one metric of one run, ordered by step, then timestamp; `limit` nil means all.
    func metricHistory(runID: String, key: String, offset: Int, limit: Int?) async throws -> Page<Metric>
    /// Up to `maxResults` values per run, sampled evenly over the steps in range, each tagged with its run id.
    func metricHistoryBulkInterval(
        runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int
    ) async throws -> [Metric]
}
