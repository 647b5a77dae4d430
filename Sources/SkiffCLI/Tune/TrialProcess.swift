import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run of the user's command for a trial: placeholders filled, parameters in the environment, `name=value`
/// lines read from its standard output as they come.
struct TrialProcess {
    /// What the program printed on one line: its `name=value` pairs and the `step`, if any.
    struct Report: Sendable, Equatable {
        var step: Int?
        var values: [(key: String, value: Double)]

        static func == (a: Report, b: Report) -> Bool {
            a.step == b.step && a.values.map(\.key) == b.values.map(\.key)
                && zip(a.values, b.values).allSatisfy { $0.value == $1.value || ($0.value.isNaN && $1.value.isNaN) }
        }
    }

    /// How the process ended.
    enum Exit: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    let executable: String
    let arguments: [String]
    let environment: [String: String]
    /// Time between SIGTERM and SIGKILL when the trial is stopped.
    let killGrace: Duration

    /// Builds the command of a trial: every `{name}` in the arguments is replaced by the parameter's value and
    /// each parameter is exported as `SKIFF_PARAM_<NAME>` (upper-cased, other characters than letters and
    /// digits as `_`).
    init(command: [String], params: [String: String], extraEnvironment: [String: String], killGrace: Duration) {
        var arguments = command.dropFirst().map { argument in
            var argument = argument
            for (name, value) in params { argument = argument.replacingOccurrences(of: "{\(name)}", with: value) }
            return argument
        }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in params { environment[Self.environmentName(name)] = value }
        for (key, value) in extraEnvironment { environment[key] = value }
        environment["PYTHONUNBUFFERED"] = environment["PYTHONUNBUFFERED"] ?? "1"
        let head = command.first ?? ""
        if head.contains("/") {
            self.executable = head
        } else {
            self.executable = "/usr/bin/env"
            arguments.insert(head, at: 0)
        }
        self.arguments = arguments
        self.environment = environment
        self.killGrace = killGrace
    }

    static func environmentName(_ name: String) -> String {
        "SKIFF_PARAM_"
            + String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// Parses `objective=0.37`, `step=3 loss=1.2 acc=0.8` or `step=3, loss=1.2`; `nil` when the line has no
    /// numeric `name=value` pair besides `step`.
    static func parse(_ line: String) -> Report? {
        var report = Report(step: nil, values: [])
        for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == ";" }) {
            guard let equals = token.firstIndex(of: "="), equals != token.startIndex else { continue }
            let key = String(token[..<equals])
            let text = String(token[token.index(after: equals)...])
            guard key.allSatisfy({ $0.isLetter || $0.isNumber || "_-./".contains($0) }) else { continue }
            if key == "step" {
                guard let step = Int(text), step >= 0 else { return nil }
                report.step = step
            } else if let value = Double(text) {
                report.values.append((key, value))
            }
        }
        return report.values.isEmpty ? nil : report
    }

    /// Runs the program until it exits, calling `onReport` for each report line; when `onReport` returns `true`
    /// the program is stopped (SIGTERM, then SIGKILL after ``killGrace``).
    /// - Returns: How it ended and whether it was stopped.
    /// - Throws: When the program cannot be started.
    func run(onReport: (Report) async throws -> Bool) async throws -> (exit: Exit, stopped: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        let (chunks, chunkSink) = AsyncStream<Data>.makeStream()
        let (exits, exitSink) = AsyncStream<Exit>.makeStream()
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            exitSink.yield(finished.terminationReason == .uncaughtSignal ? .signalled(status) : .exited(status))
            exitSink.finish()
        }
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                chunkSink.finish()
            } else {
                chunkSink.yield(data)
            }
        }
        try process.run()
        let pid = process.processIdentifier
        var stopped = false
        var pending = Data()
        do {
            reading: for await chunk in chunks {
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    if let report = Self.parse(line), try await onReport(report) {
                        stopped = true
                        break reading
                    }
                }
            }
            if !stopped, !pending.isEmpty, let report = Self.parse(String(decoding: pending, as: UTF8.self)) {
                _ = try await onReport(report)
            }
        } catch {
            kill(pid, SIGKILL)
            throw error
        }
        if stopped { kill(pid, SIGTERM) }
        let grace = killGrace
        let exit = await withTaskGroup(of: Exit?.self) { group in
            group.addTask {
                for await exit in exits { return exit }
                return .signalled(SIGKILL)
            }
            if stopped {
                group.addTask {
                    try? await Task.sleep(for: grace)
                    if !Task.isCancelled { kill(pid, SIGKILL) }
                    return nil
                }
            }
            var result: Exit = .signalled(SIGKILL)
            for await exit in group {
                if let exit {
                    result = exit
                    group.cancelAll()
                }
            }
            return result
        }
        pipe.fileHandleForReading.readabilityHandler = nil
        return (exit, stopped)
    }
}
