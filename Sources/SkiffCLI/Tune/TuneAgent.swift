import Foundation
import SkiffStudies
import SkiffTune

/// Runs trials of one study until it has its target number of finished trials: `parallel` workers each ask
/// for a trial, run the command, stream its reports to the pruner and the trial's tracked run, and tell the
/// result. Several agents (processes, machines) can share one study through a server.
struct TuneAgent: Sendable {
    let backend: any TuneBackend
    let settings: StudySettings
    let maxTrials: Int
    let parallel: Int
    let command: [String]
    let metric: String
    let experimentID: String
    let heartbeatInterval: Duration
    let killGrace: Duration
    /// Writes one progress line (to standard error).
    let progress: @Sendable (String) -> Void

    /// How long a worker waits before asking again while other agents' trials are still running.
    static let pollInterval = Duration.milliseconds(250)

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<parallel {
                group.addTask { try await self.work() }
            }
            try await group.waitForAll()
        }
    }

    private func work() async throws {
        while true {
            switch try await backend.ask(maxTrials: maxTrials) {
            case .done:
                return
            case .wait:
                // Other workers' trials are running; they finish or go stale within the heartbeat grace period.
                try await Task.sleep(for: Self.pollInterval)
            case .trial(let record):
                try await evaluate(record)
            }
        }
    }

    private func evaluate(_ record: TrialRecord) async throws {
        let number = record.number
        let params = record.trial.params.mapValues(\.description)
        let shown = params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var tags = ["skiff.study": settings.name, "skiff.trial": String(number)]
        if let retried = record.retryOf { tags["skiff.retry_of"] = String(retried) }
        let runID = try await backend.startRun(
            experimentID: experimentID, name: "\(settings.name)-trial-\(number)", tags: tags, params: params)
        progress("trial \(number) started\(record.retryOf.map { " (retry of trial \($0))" } ?? ""): \(shown)")

        let process = TrialProcess(
            command: command, params: params,
            extraEnvironment: ["SKIFF_STUDY": settings.name, "SKIFF_TRIAL_NUMBER": String(number)],
            killGrace: killGrace)
        var last: Double?
        var lost = false
        var outcome: (exit: TrialProcess.Exit, stopped: Bool)?
        var startError: (any Error)?
        let backend = self.backend
        let metric = self.metric
        let interval = heartbeatInterval
        do {
            outcome = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        try? await backend.heartbeat(number: number)
                    }
                }
                defer { group.cancelAll() }
                return try await process.run { report in
                    try? await backend.logMetrics(
                        runID: runID, report.values.map { ($0.key, $0.value, report.step ?? 0) })
                    guard let value = report.values.last(where: { $0.key == metric })?.value else { return false }
                    last = value
                    guard let step = report.step else { return false }
                    do {
                        return try await backend.report(number: number, step: step, value: value)
                    } catch {
                        // The trial is no longer running here (failed as stale): stop its process.
                        lost = true
                        return true
                    }
                }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            startError = error
        }

        let state: TrialState
        var reason = ""
        if let outcome, outcome.stopped, !lost {
            state = .pruned
        } else if let outcome, outcome.exit == .exited(0), let value = last, value.isFinite, !lost {
            state = .complete
        } else {
            state = .failed
            if lost {
                reason = "its trial was failed by the study (no heartbeat within the grace period)"
            } else if let startError {
                reason = "the command could not be started: \(startError)"
            } else if case .exited(let code)? = outcome?.exit, code != 0 {
                reason = "exit status \(code)"
            } else if case .signalled(let signal)? = outcome?.exit {
                reason = "killed by signal \(signal)"
            } else if let value = last, !value.isFinite {
                reason = "\(metric)=\(value) is not a finite number"
            } else {
                reason = "it printed no '\(metric)=<number>' line"
            }
        }
        if !lost {
            do {
                try await backend.tell(number: number, state: state, value: state == .complete ? last : nil)
            } catch {
                progress("trial \(number): the result could not be recorded: \(error)")
            }
        }
        let status = state == .complete ? "FINISHED" : state == .pruned ? "KILLED" : "FAILED"
        if let value = last { try? await backend.logMetrics(runID: runID, [(metric, value, 0)]) }
        try? await backend.endRun(runID: runID, status: status, tags: ["skiff.trial_state": state.rawValue])
        switch state {
        case .complete: progress("trial \(number) complete: \(metric)=\(last ?? .nan)")
        case .pruned: progress("trial \(number) pruned at \(metric)=\(last ?? .nan)")
        default: progress("trial \(number) failed: \(reason)")
        }
    }
}
