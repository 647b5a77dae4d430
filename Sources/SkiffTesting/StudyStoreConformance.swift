import SkiffCore
import SkiffStudies
import SkiffTune

/// The behaviour every ``StudyStore`` backend must show, written once and run against each (SQLite now,
/// PostgreSQL later).
public enum StudyStoreConformance {
    /// One named check, run against a fresh, empty store.
    public struct Check: Sendable, CustomStringConvertible {
        /// What the check verifies.
        public let name: String
        /// Runs the check; throws or fails an expectation when the store misbehaves.
        public let run: @Sendable (any StudyStore) async throws -> Void
        /// The name, shown by the test runner.
        public var description: String { name }
    }

    /// A failed expectation of a conformance check.
    public struct Violation: Error, CustomStringConvertible {
        /// What the store did wrong.
        public let description: String
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Violation(description: message()) }
    }

    static func expectError(_ code: SkiffError.Code, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as SkiffError {
            try expect(error.code == code, "expected \(code), got \(error.code): \(error.message)")
            return
        }
        throw Violation(description: "expected an error \(code), got none")
    }

    static let space = """
        lr: {type: float, low: 1e-5, high: 1e-1, log: true}
        layers: {type: int, low: 1, high: 8}
        optimizer: {type: categorical, choices: [adam, sgd]}
        nesterov: {type: categorical, choices: [true, false], when: {optimizer: sgd}}
        """

    static func settings(_ name: String, space: String = space) throws -> StudySettings {
        try StudySettings(
            name: name, spaceText: space, sampler: .tpe, pruner: .median, seed: 9, maxRetries: 1,
            heartbeatGraceMilliseconds: 1_000)
    }

    /// Every check.
    public static let checks: [Check] = [
        Check(name: "a study is created once and found by name; other settings under its name are refused") {
            store in
            let (study, created) = try await store.createStudy(try settings("s"), time: 10)
            try expect(created, "the first create creates")
            let (again, createdAgain) = try await store.createStudy(try settings("s"), time: 20)
            try expect(!createdAgain && again.id == study.id, "the second create returns the stored study")
            try expect(again.settings.seed == 9 && again.settings.maxRetries == 1, "settings are kept")
            try expect(try await store.study(named: "s").creationTime == 10, "found by name")
            try await expectError(.invalidParameterValue) {
                _ = try await store.createStudy(try settings("s", space: "x: {type: int, low: 0, high: 1}"), time: 30)
            }
            try await expectError(.resourceDoesNotExist) { _ = try await store.study(named: "missing") }
            _ = try await store.createStudy(try settings("t"), time: 40)
            try expect(try await store.listStudies().map(\.settings.name) == ["s", "t"], "listed oldest first")
        },
        Check(name: "trials are numbered densely and keep their typed params and intermediate values") { store in
            let (study, _) = try await store.createStudy(try settings("n"), time: 0)
            let space = study.settings.space
            let params: [String: ParameterValue] = [
                "lr": .float(0.001), "layers": .int(3), "optimizer": .string("sgd"), "nesterov": .bool(true),
            ]
            for expected in 0..<3 {
                let trial = try await store.createTrial(
                    studyID: study.id, params: params, space: space, state: .running, retryOf: nil, time: 5)
                try expect(trial.number == expected, "trial \(expected) numbered \(trial.number)")
            }
            try await store.reportIntermediateValue(studyID: study.id, number: 1, step: 2, value: 0.5, time: 6)
            try await store.reportIntermediateValue(studyID: study.id, number: 1, step: 2, value: 0.25, time: 7)
            try await store.reportIntermediateValue(studyID: study.id, number: 1, step: 3, value: .nan, time: 8)
            try await store.finishTrial(studyID: study.id, number: 1, state: .complete, value: 0.2, time: 9)
            let trials = try await store.trials(studyID: study.id)
            try expect(trials.map(\.number) == [0, 1, 2], "all trials, by number")
            try expect(trials[1].trial.params == params, "params keep their types: \(trials[1].trial.params)")
            try expect(trials[1].trial.intermediateValues[2] == 0.25, "a step reported twice keeps the last value")
            try expect(trials[1].trial.intermediateValues[3]?.isNaN == true, "NaN survives")
            try expect(trials[1].state == .complete && trials[1].trial.value == 0.2, "finished with its value")
            try expect(trials[1].endTime == 9 && trials[1].heartbeatTime == 8, "times are recorded")
        },
        Check(name: "only running trials change; waiting ones start") { store in
            let (study, _) = try await store.createStudy(try settings("r"), time: 0)
            let space = study.settings.space
            let params: [String: ParameterValue] = [
                "lr": .float(0.01), "layers": .int(1), "optimizer": .string("adam"),
            ]
            _ = try await store.createTrial(
                studyID: study.id, params: params, space: space, state: .running, retryOf: nil, time: 1)
            try await store.finishTrial(studyID: study.id, number: 0, state: .failed, value: nil, time: 2)
            try await expectError(.invalidParameterValue) {
                try await store.finishTrial(studyID: study.id, number: 0, state: .complete, value: 1, time: 3)
            }
            try await expectError(.invalidParameterValue) {
                try await store.heartbeat(studyID: study.id, number: 0, time: 3)
            }
            try await expectError(.resourceDoesNotExist) {
                try await store.heartbeat(studyID: study.id, number: 7, time: 3)
            }
            let retry = try await store.createTrial(
                studyID: study.id, params: params, space: space, state: .waiting, retryOf: 0, time: 4)
            try expect(retry.retryOf == 0 && retry.state == .waiting, "a waiting retry")
            try await expectError(.invalidParameterValue) {
                try await store.reportIntermediateValue(studyID: study.id, number: 1, step: 0, value: 1, time: 5)
            }
            try await store.startTrial(studyID: study.id, number: 1, time: 6)
            try await expectError(.invalidParameterValue) {
                try await store.startTrial(studyID: study.id, number: 1, time: 7)
            }
            let stored = try await store.trials(studyID: study.id)
            try expect(stored[1].state == .running && stored[1].startTime == 6 && stored[1].retryOf == 0, "started")
        },
        Check(name: "stale running trials are failed by heartbeat age, others left alone") { store in
            let (study, _) = try await store.createStudy(try settings("h"), time: 0)
            let space = study.settings.space
            let params: [String: ParameterValue] = [
                "lr": .float(0.01), "layers": .int(1), "optimizer": .string("adam"),
            ]
            for time in [100, 200, 300] as [Int64] {
                _ = try await store.createTrial(
                    studyID: study.id, params: params, space: space, state: .running, retryOf: nil, time: time)
            }
            try await store.heartbeat(studyID: study.id, number: 0, time: 400)
            try await store.finishTrial(studyID: study.id, number: 2, state: .complete, value: 1, time: 150)
            let failed = try await store.failStaleTrials(studyID: study.id, heartbeatBefore: 350, time: 500)
            try expect(failed == [1], "only trial 1 is stale: \(failed)")
            let states = try await store.trials(studyID: study.id).map(\.state)
            try expect(states == [.running, .failed, .complete], "states after the sweep: \(states)")
            try expect(
                try await store.failStaleTrials(studyID: study.id, heartbeatBefore: 350, time: 600).isEmpty,
                "a failed trial is not failed twice")
        },
    ]
}
