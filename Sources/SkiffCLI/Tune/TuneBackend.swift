import SkiffStudies
import SkiffTune

/// Where `skiff tune` keeps its study and tracked runs: the embedded store in this process, or a `skiff server`.
protocol TuneBackend: Sendable {
    /// Creates the study or joins the existing one.
    /// - Returns: The study's settings as stored (the first creator's seed, retries and grace).
    func createStudy(_ settings: StudySettings) async throws -> StudySettings
    /// Asks for a trial to evaluate, given the study's target number of finished trials.
    func ask(maxTrials: Int) async throws -> AskResult
    /// Finishes a trial.
    func tell(number: Int, state: TrialState, value: Double?) async throws
    /// Reports an intermediate value; returns whether to prune.
    func report(number: Int, step: Int, value: Double) async throws -> Bool
    /// Keeps a running trial alive.
    func heartbeat(number: Int) async throws
    /// Every trial of the study.
    func trials() async throws -> [TrialRecord]

    /// The id of the experiment with this name, created if missing.
    func experimentID(named name: String) async throws -> String
    /// Starts a tracked run and returns its id.
    func startRun(experimentID: String, name: String, tags: [String: String], params: [String: String])
        async throws -> String
    /// Logs metric values (key, value, step) to a run.
    func logMetrics(runID: String, _ metrics: [(key: String, value: Double, step: Int)]) async throws
    /// Ends a run with an MLflow status (`FINISHED`, `FAILED`, `KILLED`) and final tags.
    func endRun(runID: String, status: String, tags: [String: String]) async throws
}
