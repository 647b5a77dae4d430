import SkiffCore
import SkiffTune

/// Persistent storage of hyperparameter studies and their trials.
///
/// The store is the record; ``StudyService`` keeps each study's sampler in memory and writes every change
/// through. Every backend (SQLite now, PostgreSQL later) implements this protocol with the same behaviour. All
/// failures are `SkiffError`: `resourceDoesNotExist` for an unknown study or trial, `invalidParameterValue` for a
/// change a trial's state does not allow.
public protocol StudyStore: Sendable {
    /// Creates a study, or returns the existing one of that name.
    /// - Returns: The stored study and whether this call created it.
    /// - Throws: `invalidParameterValue` when a study of that name exists with different settings.
    func createStudy(_ settings: StudySettings, time: Int64) async throws -> (study: StudyRecord, created: Bool)
    /// - Throws: `resourceDoesNotExist`.
    func study(named name: String) async throws -> StudyRecord
    /// Every study, oldest first.
    func listStudies() async throws -> [StudyRecord]
    /// Every trial of a study with its parameters and intermediate values, by number.
    func trials(studyID: Int64) async throws -> [TrialRecord]
    /// Creates a trial numbered one more than the study's last, atomically.
    /// - Parameters:
    ///   - params: The values, recorded with their parameters' distributions from `space`.
    ///   - space: The study's search space.
    ///   - state: ``TrialState/running`` or ``TrialState/waiting``.
    ///   - retryOf: The number of the trial it retries.
    func createTrial(
        studyID: Int64, params: [String: ParameterValue], space: SearchSpace, state: TrialState, retryOf: Int?,
        time: Int64
    ) async throws -> TrialRecord
    /// Moves a waiting trial to running.
    /// - Throws: `invalidParameterValue` when it is not waiting.
    func startTrial(studyID: Int64, number: Int, time: Int64) async throws
    /// Finishes a running trial.
    /// - Throws: `invalidParameterValue` when it is not running.
    func finishTrial(studyID: Int64, number: Int, state: TrialState, value: Double?, time: Int64) async throws
    /// Records an intermediate value (replacing one at the same step) and counts as a heartbeat.
    /// - Throws: `invalidParameterValue` when the trial is not running.
    func reportIntermediateValue(studyID: Int64, number: Int, step: Int, value: Double, time: Int64) async throws
    /// Records a heartbeat of a running trial.
    /// - Throws: `invalidParameterValue` when the trial is not running.
    func heartbeat(studyID: Int64, number: Int, time: Int64) async throws
    /// Fails every running trial whose last heartbeat is older than `cutoff`, atomically.
    /// - Returns: The numbers of the trials failed by this call.
    func failStaleTrials(studyID: Int64, heartbeatBefore cutoff: Int64, time: Int64) async throws -> [Int]
    /// Whether other processes (server replicas) may change this store's studies; ``StudyEngine`` then rebuilds
    /// its state from the store under ``withStudyLock(studyID:isolation:_:)`` at every operation.
    var isShared: Bool { get }
    /// Runs `body` holding the study's lock across every process that shares the store, so two replicas never
    /// hand out the same trial or both retry one stale trial. One-process stores run `body` at once.
    /// - Throws: What `body` throws; `temporarilyUnavailable` when the lock stays taken too long.
    func withStudyLock<T: Sendable>(
        studyID: Int64, isolation: isolated (any Actor)?, _ body: () async throws -> T
    ) async throws -> T
}

extension StudyStore {
    /// One process owns the store (SQLite): the engine's own turn-taking is enough.
    public var isShared: Bool { false }

    /// Runs `body` at once: one process owns the store.
    public func withStudyLock<T: Sendable>(
        studyID: Int64, isolation: isolated (any Actor)?, _ body: () async throws -> T
    ) async throws -> T {
        try await body()
    }
}
