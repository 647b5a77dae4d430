import SkiffCore
import SkiffTune

/// The hyperparameter studies of one process: creates them in the store and keeps one ``StudyEngine`` (trials,
/// sampler and pruner in memory) per study in use.
///
/// Both `skiff server` (for remote workers) and a local `skiff tune` use it. Time comes from `now` so tests
/// control heartbeats and staleness without sleeping.
public actor StudyService {
    private let store: any StudyStore
    private let now: @Sendable () -> Int64
    private var engines: [String: StudyEngine] = [:]

    /// Creates a service.
    /// - Parameters:
    ///   - store: Where studies are recorded.
    ///   - now: The current time in milliseconds since the epoch.
    public init(store: any StudyStore, now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.now = now
    }

    /// Creates a study or returns the existing one with compatible settings.
    /// - Returns: The study and whether it was created by this call.
    /// - Throws: `SkiffError` (`invalidParameterValue`) when the name is taken by a study with other settings.
    public func createStudy(_ settings: StudySettings) async throws -> (study: StudyRecord, created: Bool) {
        var settings = settings
        if settings.seed == nil { settings.seed = UInt64.random(in: 0..<(1 << 53)) }
        let result = try await store.createStudy(settings, time: now())
        return result
    }

    /// The engine of a study, loading it on first use.
    /// - Throws: `SkiffError` (`resourceDoesNotExist`) for an unknown study.
    public func engine(named name: String) async throws -> StudyEngine {
        if let engine = engines[name] { return engine }
        let record = try await store.study(named: name)
        if let engine = engines[name] { return engine }
        let engine = StudyEngine(record: record, store: store, now: now)
        engines[name] = engine
        return engine
    }

    /// Every study, oldest first.
    public func listStudies() async throws -> [StudyRecord] {
        try await store.listStudies()
    }
}
