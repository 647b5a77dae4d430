import SkiffCore
import SkiffTune

/// One study in memory: its trials, its sampler and its pruner, written through to a ``StudyStore``.
///
/// Operations run one at a time in arrival order (an actor plus a FIFO turnstile, because each one awaits the
/// store), so two workers asking at once never both take the last trial of the target. On a one-process store
/// the trials are read once, on first use; the sampler is rebuilt from them and afterwards learns from each
/// result as it is told, never re-reading the table. On a shared store (several server replicas) every
/// operation holds the study's cross-process lock and starts from the stored trials.
public actor StudyEngine {
    /// The stored study.
    public nonisolated let record: StudyRecord
    private let store: any StudyStore
    private let now: @Sendable () -> Int64
    private var sampler: (any Sampler)?
    private let pruner: (any Pruner)?
    /// Indexed by number (numbers are dense from 0).
    private var trials: [TrialRecord] = []
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(record: StudyRecord, store: any StudyStore, now: @escaping @Sendable () -> Int64) {
        self.record = record
        self.store = store
        self.now = now
        self.pruner = record.settings.pruner.makePruner()
    }

    private var settings: StudySettings { record.settings }

    /// Runs `body` after every earlier operation has finished.
    private func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty {
                busy = false
            } else {
                waiters.removeFirst().resume()
            }
        }
        return try await store.withStudyLock(studyID: record.id, isolation: self) {
            // Another replica may have changed the study since the last operation: start from the store.
            if store.isShared { sampler = nil }
            try await loadIfNeeded()
            return try await body()
        }
    }

    private func loadIfNeeded() async throws {
        guard sampler == nil else { return }
        let stored = try await store.trials(studyID: record.id)
        let seed = settings.seed ?? 0
        let mixed = stored.isEmpty ? seed : seed &+ UInt64(stored.count) &* 0x9E37_79B9_7F4A_7C15
        var sampler: any Sampler
        do {
            sampler = try settings.sampler.makeSampler(
                space: settings.space, direction: settings.direction, seed: mixed)
        } catch {
            throw SkiffError(.invalidParameterValue, "The study's sampler cannot be built: \(error)")
        }
        if settings.sampler == .grid {
            for record in stored where record.retryOf == nil { _ = try? sampler.suggest(running: []) }
        }
        for record in stored where record.state.isFinished {
            sampler.observe(record.trial)
        }
        trials = stored
        self.sampler = sampler
    }

    /// Fails stale trials, then hands out a waiting retry, a new trial, or says to wait or stop.
    ///
    /// - Parameter maxTrials: The study's target of finished trials (complete, pruned, or failed and not
    ///   retried); `nil` for no target. No new trial is started while finished plus running and waiting trials
    ///   reach it.
    /// - Returns: The trial to evaluate, ``AskResult/wait`` or ``AskResult/done``.
    /// - Throws: `SkiffError` from the store.
    public func ask(maxTrials: Int?) async throws -> AskResult {
        try await exclusive {
            try await failStaleTrials()
            if let index = trials.firstIndex(where: { $0.state == .waiting }) {
                let time = now()
                try await store.startTrial(studyID: record.id, number: index, time: time)
                trials[index].trial.state = .running
                trials[index].startTime = time
                trials[index].heartbeatTime = time
                return .trial(trials[index])
            }
            if let maxTrials {
                let (finished, pending) = counts()
                if finished >= maxTrials { return .done }
                if finished + pending >= maxTrials { return .wait }
            }
            let running = trials.filter { $0.state == .running }.map(\.trial)
            let params: [String: ParameterValue]
            do {
                params = try sampler!.suggest(running: running)
            } catch let error as TuneError where error.code == .searchSpaceExhausted {
                return .done
            }
            let created = try await store.createTrial(
                studyID: record.id, params: params, space: settings.space, state: .running, retryOf: nil, time: now())
            trials.append(created)
            return .trial(created)
        }
    }

    /// The number of finished trials (complete, pruned, failed without a retry) and of pending ones (running,
    /// waiting), after failing stale ones.
    public func summary() async throws -> (finished: Int, pending: Int) {
        try await exclusive {
            try await failStaleTrials()
            return counts()
        }
    }

    /// Finished trials (complete, pruned, failed without a retry) and pending ones (running, waiting).
    func counts() -> (finished: Int, pending: Int) {
        let retried = Set(trials.compactMap(\.retryOf))
        var finished = 0
        var pending = 0
        for record in trials {
            switch record.state {
            case .complete, .pruned: finished += 1
            case .failed where !retried.contains(record.number): finished += 1
            case .running, .waiting: pending += 1
            default: break
            }
        }
        return (finished, pending)
    }

    /// Records a trial's result.
    /// - Parameters:
    ///   - number: The trial.
    ///   - state: ``TrialState/complete``, ``TrialState/pruned`` or ``TrialState/failed``.
    ///   - value: The objective value: required and finite for a complete trial; a pruned trial without one
    ///     takes its last intermediate value.
    /// - Returns: The finished trial.
    /// - Throws: `SkiffError`: `resourceDoesNotExist` for an unknown trial, `invalidParameterValue` when it is
    ///   not running or the value does not fit the state.
    public func tell(number: Int, state: TrialState, value: Double?) async throws -> TrialRecord {
        try await exclusive {
            let index = try runningIndex(number)
            guard state.isFinished else {
                throw SkiffError.invalid("A trial can only be told complete, pruned or failed, not \(state.rawValue).")
            }
            var value = value
            switch state {
            case .complete:
                guard let v = value, v.isFinite else {
                    throw SkiffError.invalid("A complete trial needs a finite numeric value.")
                }
            case .pruned:
                if value == nil, let step = trials[index].trial.lastStep {
                    value = trials[index].trial.intermediateValues[step]
                }
                if let v = value, !v.isFinite { value = nil }
            default:
                value = nil
            }
            let time = now()
            try await store.finishTrial(studyID: record.id, number: number, state: state, value: value, time: time)
            trials[index].trial.state = state
            trials[index].trial.value = value
            trials[index].endTime = time
            sampler!.observe(trials[index].trial)
            return trials[index]
        }
    }

    /// Records an intermediate value and asks the pruner about the trial.
    /// - Returns: Whether the trial should stop (the worker then tells it pruned).
    /// - Throws: `SkiffError` as ``tell(number:state:value:)``; a negative step is `invalidParameterValue`.
    public func report(number: Int, step: Int, value: Double) async throws -> Bool {
        try await exclusive {
            let index = try runningIndex(number)
            guard step >= 0 else { throw SkiffError.invalid("step must not be negative (got \(step)).") }
            let time = now()
            try await store.reportIntermediateValue(
                studyID: record.id, number: number, step: step, value: value, time: time)
            trials[index].trial.intermediateValues[step] = value
            trials[index].heartbeatTime = time
            guard let pruner else { return false }
            let history = Study(name: settings.name, direction: settings.direction, trials: trials.map(\.trial))
            return pruner.shouldPrune(trial: trials[index].trial, step: step, history: history)
        }
    }

    /// Records that the trial's worker is alive.
    /// - Throws: `SkiffError` as ``tell(number:state:value:)``.
    public func heartbeat(number: Int) async throws {
        try await exclusive {
            let index = try runningIndex(number)
            let time = now()
            try await store.heartbeat(studyID: record.id, number: number, time: time)
            trials[index].heartbeatTime = time
        }
    }

    /// Every trial, by number, after failing stale ones.
    public func allTrials() async throws -> [TrialRecord] {
        try await exclusive {
            try await failStaleTrials()
            return trials
        }
    }

    /// The complete trial with the best value (lowest number on ties), or `nil`.
    public func bestTrial() async throws -> TrialRecord? {
        try await exclusive {
            let study = Study(name: settings.name, direction: settings.direction, trials: trials.map(\.trial))
            return study.bestTrial.map { trials[$0.number] }
        }
    }

    private func runningIndex(_ number: Int) throws -> Int {
        guard number >= 0, number < trials.count else {
            throw SkiffError.notFound("Study '\(settings.name)' has no trial \(number).")
        }
        guard trials[number].state == .running else {
            throw SkiffError.invalid(
                "Trial \(number) of study '\(settings.name)' is not running (it is \(trials[number].state.rawValue)).")
        }
        return number
    }

    /// Fails running trials without a heartbeat within the grace period and queues their retries.
    private func failStaleTrials() async throws {
        let grace = settings.heartbeatGraceMilliseconds
        guard grace > 0 else { return }
        let time = now()
        let cutoff = time - grace
        guard trials.contains(where: { $0.state == .running && $0.heartbeatTime < cutoff }) else { return }
        let failed = try await store.failStaleTrials(studyID: record.id, heartbeatBefore: cutoff, time: time)
        for number in failed where number < trials.count {
            trials[number].trial.state = .failed
            trials[number].endTime = time
            sampler!.observe(trials[number].trial)
            var depth = 0
            var cursor = trials[number].retryOf
            while let previous = cursor, previous < trials.count {
                depth += 1
                cursor = trials[previous].retryOf
            }
            guard depth < settings.maxRetries else { continue }
            let retry = try await store.createTrial(
                studyID: record.id, params: trials[number].trial.params, space: settings.space, state: .waiting,
                retryOf: number, time: time)
            trials.append(retry)
        }
    }
}
