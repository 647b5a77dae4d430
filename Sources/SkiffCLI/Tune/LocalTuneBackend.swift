import Foundation
import SkiffCore
import SkiffSQLite
import SkiffStudies
import SkiffTune

/// `skiff tune` without `--tracking-uri`: the study and its runs live in the embedded SQLite store.
struct LocalTuneBackend: TuneBackend {
    let studies: StudyService
    let tracking: TrackingService
    let studyName: String
    let now: @Sendable () -> Int64

    init(databasePath: String, studyName: String) throws {
        let directory = (databasePath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let store = try SQLiteTrackingStore(path: databasePath)
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        self.studies = StudyService(store: store, now: now)
        self.tracking = TrackingService(store: store, now: now)
        self.studyName = studyName
        self.now = now
    }

    func createStudy(_ settings: StudySettings) async throws -> StudySettings {
        try await studies.createStudy(settings).study.settings
    }

    private var engine: StudyEngine {
        get async throws { try await studies.engine(named: studyName) }
    }

    func ask(maxTrials: Int) async throws -> AskResult {
        try await engine.ask(maxTrials: maxTrials)
    }

    func tell(number: Int, state: TrialState, value: Double?) async throws {
        _ = try await engine.tell(number: number, state: state, value: value)
    }

    func report(number: Int, step: Int, value: Double) async throws -> Bool {
        try await engine.report(number: number, step: step, value: value)
    }

    func heartbeat(number: Int) async throws {
        try await engine.heartbeat(number: number)
    }

    func trials() async throws -> [TrialRecord] {
        try await engine.allTrials()
    }

    func experimentID(named name: String) async throws -> String {
        do {
            return try await tracking.experiment(named: name).id
        } catch let error as SkiffError where error.code == .resourceDoesNotExist {
            do {
                return try await tracking.createExperiment(name: name, artifactLocation: nil, tags: [])
            } catch let error as SkiffError where error.code == .resourceAlreadyExists {
                return try await tracking.experiment(named: name).id
            }
        }
    }

    func startRun(experimentID: String, name: String, tags: [String: String], params: [String: String])
        async throws -> String
    {
        let run = try await tracking.createRun(
            experimentID: experimentID, userID: ProcessInfo.processInfo.environment["USER"], runName: name,
            startTime: nil, tags: tags.map { Tag(key: $0.key, value: $0.value) })
        try await tracking.logBatch(
            runID: run.info.runID, metrics: [], params: params.map { Param(key: $0.key, value: $0.value) }, tags: [])
        return run.info.runID
    }

    func logMetrics(runID: String, _ metrics: [(key: String, value: Double, step: Int)]) async throws {
        let time = now()
        try await tracking.logBatch(
            runID: runID,
            metrics: metrics.map { Metric(key: $0.key, value: $0.value, timestamp: time, step: Int64($0.step)) },
            params: [], tags: [])
    }

    func endRun(runID: String, status: String, tags: [String: String]) async throws {
        try await tracking.logBatch(
            runID: runID, metrics: [], params: [], tags: tags.map { Tag(key: $0.key, value: $0.value) })
        _ = try await tracking.updateRun(
            id: runID, RunUpdate(status: RunStatus(wireValue: status) ?? .finished, endTime: now()))
    }
}
