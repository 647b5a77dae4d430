import ArgumentParser
import Foundation
import SkiffCore
import SkiffStudies
import SkiffTune

/// `skiff tune`: hyperparameter tuning of any program that prints `name=value` lines.
struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Tune the hyperparameters of any program that prints name=value lines.",
        discussion: """
            Runs COMMAND once per trial. In its arguments every {name} is replaced by the trial's value of that \
            parameter, and each value is also in the environment as SKIFF_PARAM_<NAME>. The program prints lines \
            such as 'objective=0.37' on standard output; a line that also has 'step=N' is an intermediate value \
            used for pruning, and the trial's result is the last value of --metric. A pruned trial's process gets \
            SIGTERM, then SIGKILL after --kill-grace seconds. A non-zero exit or no metric fails the trial; the \
            study goes on. Each trial is a tracked run in an experiment named after the study.

            Without --tracking-uri the study lives in the embedded store (--data-dir, as skiff server). With \
            --tracking-uri http://host:port it lives on a skiff server, and several skiff tune processes with the \
            same --study share it until it has --trials finished trials.

            Example (space.yaml):
              lr: {type: float, low: 1e-5, high: 1e-1, log: true}
              optimizer: {type: categorical, choices: [adam, sgd]}
              momentum: {type: float, low: 0, high: 0.99, when: {optimizer: sgd}}

              skiff tune --space space.yaml --trials 50 --parallel 2 -- python train.py --lr {lr}

            Exit codes: 0 when at least one trial completed, 1 when none did or the study could not be run, 64 \
            for a bad flag or search space.
            """
    )

    @Option(help: "The search space, a YAML file.")
    var space: String

    @Option(help: "The number of finished trials the study runs to.")
    var trials: Int

    @Option(help: "Trials run at the same time by this process.")
    var parallel: Int = 1

    @Option(help: "tpe, random, grid or cmaes.")
    var sampler: String = "tpe"

    @Option(help: "median, asha, hyperband or none.")
    var pruner: String = "median"

    @Option(help: "minimize or maximize.")
    var direction: String = "minimize"

    @Option(help: "The name of the reported value that is optimised.")
    var metric: String = "objective"

    @Option(help: "Seed of the sampler, for reproducible studies.")
    var seed: UInt64?

    @Option(help: "The study's name; an existing study of that name is continued. Default: <space>-<time>.")
    var study: String?

    @Option(
        name: .customLong("tracking-uri"),
        help: "A skiff server (http://host:port) that holds the study (SKIFF_TRACKING_URI); default: embedded store.")
    var trackingURI: String?

    @Option(name: .customLong("data-dir"), help: "The embedded store's folder (SKIFF_DATA_DIR); ./skiff-data.")
    var dataDirectory: String?

    @Option(help: "Seconds between heartbeats of a running trial; a trial silent for twice as long is failed.")
    var heartbeat: Double = 10

    @Option(help: "How often a trial failed by a dead worker is retried with the same parameters.")
    var retries: Int = 1

    @Option(name: .customLong("kill-grace"), help: "Seconds between SIGTERM and SIGKILL for a pruned trial.")
    var killGrace: Double = 5

    @Flag(help: "Print the result as JSON: {\"best\": …, \"trials\": […]}.")
    var json = false

    @Argument(parsing: .postTerminator, help: "The program to run and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1.") }
        guard (1...256).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 256.") }
        guard SamplerKind(rawValue: sampler) != nil else {
            throw ValidationError("Unknown sampler '\(sampler)': use tpe, random, grid or cmaes.")
        }
        guard PrunerKind(rawValue: pruner) != nil else {
            throw ValidationError("Unknown pruner '\(pruner)': use median, asha, hyperband or none.")
        }
        guard StudyDirection(rawValue: direction) != nil else {
            throw ValidationError("Unknown direction '\(direction)': use minimize or maximize.")
        }
        guard !metric.isEmpty, metric != "step" else {
            throw ValidationError("--metric must name a value, not 'step'.")
        }
        guard heartbeat > 0, heartbeat.isFinite, killGrace >= 0, retries >= 0 else {
            throw ValidationError("--heartbeat must be positive, --kill-grace and --retries not negative.")
        }
        guard !command.isEmpty else {
            throw ValidationError("Give the program to run after --, e.g. skiff tune … -- python train.py --lr {lr}")
        }
        if let uri = resolvedTrackingURI {
            guard let url = URL(string: uri), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--tracking-uri must be an http:// or https:// address, got '\(uri)'.")
            }
        }
        _ = try settings()
    }

    var resolvedTrackingURI: String? {
        trackingURI ?? ProcessInfo.processInfo.environment["SKIFF_TRACKING_URI"]
    }

    func settings() throws -> StudySettings {
        let text: String
        do {
            text = try String(contentsOfFile: space, encoding: .utf8)
        } catch {
            throw ValidationError("Cannot read the search space file '\(space)'.")
        }
        let name = study ?? Self.defaultStudyName(space: space)
        let result = Result { () throws(SkiffError) -> StudySettings in
            try StudySettings(
                name: name, spaceText: text, direction: StudyDirection(rawValue: direction) ?? .minimize,
                sampler: SamplerKind(rawValue: sampler) ?? .tpe, pruner: PrunerKind(rawValue: pruner) ?? .median,
                seed: seed, maxRetries: retries, heartbeatGraceMilliseconds: Int64((2 * heartbeat * 1000).rounded()))
        }
        switch result {
        case .success(let settings): return settings
        case .failure(let error): throw ValidationError("\(space): \(error.message)")
        }
    }

    static func defaultStudyName(space: String) -> String {
        let base = ((space as NSString).lastPathComponent as NSString).deletingPathExtension
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "\(base)-\(formatter.string(from: Date()))"
    }

    func run() async throws {
        let requested = try settings()
        let backend: any TuneBackend
        if let uri = resolvedTrackingURI, let url = URL(string: uri) {
            backend = RemoteTuneBackend(trackingURI: url, studyName: requested.name, space: requested.space)
        } else {
            let directory = dataDirectory ?? ProcessInfo.processInfo.environment["SKIFF_DATA_DIR"] ?? "./skiff-data"
            do {
                backend = try LocalTuneBackend(databasePath: directory + "/skiff.db", studyName: requested.name)
            } catch {
                Self.printError("the store in '\(directory)' could not be opened: \(error)")
                throw ExitCode.failure
            }
        }
        let progress: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data("[tune] \(line)\n".utf8))
        }
        let all: [TrialRecord]
        let stored: StudySettings
        do {
            stored = try await backend.createStudy(requested)
            let experiment = try await backend.experimentID(named: stored.name)
            progress(
                "study '\(stored.name)': \(trials) trials, sampler \(stored.sampler.rawValue), pruner "
                    + "\(stored.pruner.rawValue), \(stored.direction.rawValue) \(metric), \(parallel) in parallel")
            let agent = TuneAgent(
                backend: backend, settings: stored, maxTrials: trials, parallel: parallel, command: command,
                metric: metric, experimentID: experiment, heartbeatInterval: .milliseconds(Int64(heartbeat * 1000)),
                killGrace: .milliseconds(Int64(killGrace * 1000)), progress: progress)
            try await agent.run()
            all = try await backend.trials()
        } catch {
            Self.printError("\(error)")
            throw ExitCode.failure
        }
        let best = Study(name: stored.name, direction: stored.direction, trials: all.map(\.trial)).bestTrial
        if json {
            print(Self.json(best: best, trials: all.map(\.trial)))
        } else {
            print(Self.summary(best: best, trials: all.map(\.trial), metric: metric, study: stored.name))
        }
        if best == nil { throw ExitCode.failure }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    static func jsonValue(_ value: ParameterValue) -> Any {
        switch value {
        case .float(let x): x
        case .int(let x): x
        case .string(let x): x
        case .bool(let x): x
        }
    }

    static func json(best: Trial?, trials: [Trial]) -> String {
        func object(_ trial: Trial, state: Bool) -> [String: Any] {
            var object: [String: Any] = [
                "number": trial.number, "params": trial.params.mapValues(jsonValue),
                "value": trial.value.flatMap { $0.isFinite ? $0 : nil } ?? NSNull(),
            ]
            if state { object["state"] = trial.state.rawValue }
            return object
        }
        let document: [String: Any] = [
            "best": best.map { object($0, state: false) } ?? NSNull(),
            "trials": trials.map { object($0, state: true) },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func summary(best: Trial?, trials: [Trial], metric: String, study: String) -> String {
        var counts: [TrialState: Int] = [:]
        for trial in trials { counts[trial.state, default: 0] += 1 }
        var lines = [
            "study \(study): \(trials.count) trials (\(counts[.complete] ?? 0) complete, \(counts[.pruned] ?? 0) "
                + "pruned, \(counts[.failed] ?? 0) failed)"
        ]
        if let best {
            lines.append("best trial: \(best.number)  \(metric)=\(best.value ?? .nan)")
            for (name, value) in best.params.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(name) = \(value)")
            }
        } else {
            lines.append("no trial completed")
        }
        return lines.joined(separator: "\n")
    }
}
