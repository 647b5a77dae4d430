import Foundation
import SkiffCore
import SkiffSQLite
import SkiffStudies
import SkiffTune
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let milliseconds = Mutex<Int64>(1_000_000)
    var now: Int64 { milliseconds.withLock { $0 } }
    func advance(by delta: Int64) { milliseconds.withLock { $0 += delta } }
}

func temporaryStore() throws -> SQLiteTrackingStore {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-studies-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return try SQLiteTrackingStore(path: directory.appendingPathComponent("skiff.db").path)
}

let quadraticSpace = """
    x: {type: float, low: -5, high: 5}
    optimizer: {type: categorical, choices: [adam, sgd]}
    momentum: {type: float, low: 0, high: 0.9, when: {optimizer: sgd}}
    """

@Suite("Studies on SQLite")
struct StudyServiceTests {
    func service(_ store: SQLiteTrackingStore, _ clock: ManualClock) -> StudyService {
        StudyService(store: store, now: { clock.now })
    }

    func expectTrial(_ result: AskResult) throws -> TrialRecord {
        guard case .trial(let record) = result else {
            Issue.record("expected a trial, got \(result)")
            throw SkiffError.invalid("no trial")
        }
        return record
    }

    @Test func trialLifecycleIsRecordedAndValidated() async throws {
        let store = try temporaryStore()
        let clock = ManualClock()
        let service = service(store, clock)
        let settings = try StudySettings(name: "life", spaceText: quadraticSpace, seed: 7)
        let (study, created) = try await service.createStudy(settings)
        #expect(created)
        let engine = try await service.engine(named: "life")
        let first = try expectTrial(try await engine.ask(maxTrials: nil))
        #expect(first.number == 0)
        #expect(first.state == .running)
        #expect(settings.space.isValid(first.trial.params))
        #expect(try await engine.report(number: 0, step: 1, value: 2.5) == false)
        let told = try await engine.tell(number: 0, state: .complete, value: 1.25)
        #expect(told.trial.value == 1.25)

        await #expect(throws: SkiffError.self) { try await engine.tell(number: 0, state: .complete, value: 1) }
        await #expect(throws: SkiffError.self) { try await engine.heartbeat(number: 9) }
        let second = try expectTrial(try await engine.ask(maxTrials: nil))
        await #expect(throws: SkiffError.self) { try await engine.tell(number: 1, state: .complete, value: nil) }
        _ = try await engine.tell(number: second.number, state: .failed, value: nil)

        let stored = try await store.trials(studyID: study.id)
        #expect(stored.map(\.state) == [.complete, .failed])
        #expect(stored[0].trial.params == first.trial.params)
        #expect(stored[0].trial.intermediateValues == [1: 2.5])
        #expect(try await engine.bestTrial()?.number == 0)
    }

    @Test func creatingAnExistingStudyReturnsItUnlessSettingsDiffer() async throws {
        let store = try temporaryStore()
        let service = service(store, ManualClock())
        let settings = try StudySettings(name: "shared", spaceText: quadraticSpace, seed: 1)
        _ = try await service.createStudy(settings)
        let again = try await service.createStudy(try StudySettings(name: "shared", spaceText: quadraticSpace))
        #expect(!again.created)
        #expect(again.study.settings.seed == 1)
        let other = try StudySettings(name: "shared", spaceText: "x: {type: int, low: 0, high: 3}")
        await #expect(throws: SkiffError.self) { try await service.createStudy(other) }
        await #expect(throws: SkiffError.self) { try await service.engine(named: "missing") }
        #expect(throws: SkiffError.self) {
            try StudySettings(name: "bad", spaceText: "x: {type: float, low: 2, high: 1}")
        }
        #expect(throws: SkiffError.self) { try StudySettings(name: "grid", spaceText: quadraticSpace, sampler: .grid) }
    }

    @Test func staleTrialsAreFailedAndRetriedWithTheSameParameters() async throws {
        let store = try temporaryStore()
        let clock = ManualClock()
        let service = service(store, clock)
        let settings = try StudySettings(
            name: "stale", spaceText: quadraticSpace, seed: 3, maxRetries: 1, heartbeatGraceMilliseconds: 2_000)
        _ = try await service.createStudy(settings)
        let engine = try await service.engine(named: "stale")
        let zombie = try expectTrial(try await engine.ask(maxTrials: 2))
        let alive = try expectTrial(try await engine.ask(maxTrials: 2))
        #expect(try await engine.ask(maxTrials: 2) == .wait)

        clock.advance(by: 1_500)
        try await engine.heartbeat(number: alive.number)
        clock.advance(by: 1_500)
        // The zombie's last sign of life is 3 s old, the other trial's 1.5 s.
        let retry = try expectTrial(try await engine.ask(maxTrials: 2))
        #expect(retry.retryOf == zombie.number)
        #expect(retry.trial.params == zombie.trial.params)
        #expect(retry.state == .running)
        await #expect(throws: SkiffError.self) {
            try await engine.tell(number: zombie.number, state: .complete, value: 1)
        }
        _ = try await engine.tell(number: alive.number, state: .complete, value: 2)
        _ = try await engine.tell(number: retry.number, state: .complete, value: 1)
        #expect(try await engine.ask(maxTrials: 2) == .done)
        let states = try await engine.allTrials().map(\.state)
        #expect(states == [.failed, .complete, .complete])

        // A retry that goes stale too is not retried again (max 1 retry).
        let lone = try expectTrial(try await engine.ask(maxTrials: 6))
        clock.advance(by: 5_000)
        let retryOfLone = try expectTrial(try await engine.ask(maxTrials: 6))
        #expect(retryOfLone.retryOf == lone.number)
        clock.advance(by: 5_000)
        let afterSecondFailure = try expectTrial(try await engine.ask(maxTrials: 6))
        #expect(afterSecondFailure.retryOf == nil)
        let all = try await engine.allTrials()
        #expect(all[lone.number].state == .failed)
        #expect(all[retryOfLone.number].state == .failed)
    }

    @Test func aRestartedServiceRebuildsTheStudyFromTheStore() async throws {
        let store = try temporaryStore()
        let clock = ManualClock()
        let first = service(store, clock)
        _ = try await first.createStudy(try StudySettings(name: "restart", spaceText: quadraticSpace, seed: 5))
        let engine = try await first.engine(named: "restart")
        for _ in 0..<3 {
            let trial = try expectTrial(try await engine.ask(maxTrials: 5))
            _ = try await engine.tell(number: trial.number, state: .complete, value: Double(trial.number))
        }
        let second = service(store, clock)
        let reloaded = try await second.engine(named: "restart")
        #expect(try await reloaded.allTrials().count == 3)
        #expect(try await reloaded.bestTrial()?.number == 0)
        let next = try expectTrial(try await reloaded.ask(maxTrials: 5))
        #expect(next.number == 3)
    }

    @Test func reportsFeedThePruner() async throws {
        let store = try temporaryStore()
        let service = service(store, ManualClock())
        _ = try await service.createStudy(
            try StudySettings(name: "prune", spaceText: quadraticSpace, pruner: .median, seed: 2))
        let engine = try await service.engine(named: "prune")
        for value in [1.0, 2, 3, 4, 5] {
            let trial = try expectTrial(try await engine.ask(maxTrials: nil))
            _ = try await engine.report(number: trial.number, step: 0, value: value)
            _ = try await engine.tell(number: trial.number, state: .complete, value: value)
        }
        let good = try expectTrial(try await engine.ask(maxTrials: nil))
        #expect(try await engine.report(number: good.number, step: 0, value: 0.5) == false)
        let bad = try expectTrial(try await engine.ask(maxTrials: nil))
        #expect(try await engine.report(number: bad.number, step: 0, value: 10) == true)
        let pruned = try await engine.tell(number: bad.number, state: .pruned, value: nil)
        #expect(pruned.trial.value == 10)
    }
}
