import Foundation
import Synchronization

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

    /// The program: a path, or a name looked up in `PATH`.
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    /// Time between SIGTERM and SIGKILL when the trial is stopped.
    let killGrace: Duration

    /// Builds the command of a trial: every `{name}` in the arguments is replaced by the parameter's value and
    /// each parameter is exported as `SKIFF_PARAM_<NAME>` (upper-cased, other characters than letters and
    /// digits as `_`).
    init(command: [String], params: [String: String], extraEnvironment: [String: String], killGrace: Duration) {
        let arguments = command.dropFirst().map { argument in
            var argument = argument
            for (name, value) in params { argument = argument.replacingOccurrences(of: "{\(name)}", with: value) }
            return argument
        }
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in params { environment[Self.environmentName(name)] = value }
        for (key, value) in extraEnvironment { environment[key] = value }
        environment["PYTHONUNBUFFERED"] = environment["PYTHONUNBUFFERED"] ?? "1"
        self.executable = command.first ?? ""
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

    /// The program could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        var program: String
        var code: Int32
        var description: String { "cannot start '\(program)': \(String(cString: strerror(code)))" }
    }

    private static let spawnLock = Mutex(())

    /// How often the output pipe and the child's state are polled.
    static let pollInterval = Duration.milliseconds(20)

    /// Runs the program until it exits, calling `onReport` for each report line; when `onReport` returns `true`
    /// the program is stopped (SIGTERM, then SIGKILL after ``killGrace``).
    ///
    /// The child is started with `posix_spawnp` (its output pipe is close-on-exec, so trials started in parallel
    /// never hold each other's pipes open) and polled without blocking a thread: its output every 20 ms, its
    /// exit with `waitpid(WNOHANG)`. If the task is cancelled the child is killed and reaped.
    /// - Returns: How it ended and whether it was stopped.
    /// - Throws: ``SpawnError`` when the program cannot be started; `CancellationError`.
    func run(onReport: (Report) async throws -> Bool) async throws -> (exit: Exit, stopped: Bool) {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // Pipe creation, close-on-exec and spawning are one critical section so that a trial started in parallel
        // never inherits another trial's pipe (which would hold that pipe open after its program exits).
        let spawned = Self.spawnLock.withLock { _ -> (pid: pid_t, readEnd: Int32, error: Int32) in
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { return (0, -1, errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            var pid: pid_t = 0
            let code = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
            posix_spawn_file_actions_destroy(&actions)
            close(fds[1])
            if code != 0 {
                close(fds[0])
                return (0, -1, code)
            }
            return (pid, fds[0], 0)
        }
        guard spawned.error == 0 else { throw SpawnError(program: executable, code: spawned.error) }
        let pid = spawned.pid
        let readEnd = spawned.readEnd
        defer { close(readEnd) }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)

        let clock = ContinuousClock()
        var exit: Exit?
        var endOfOutput = false
        var stopped = false
        var killAt: ContinuousClock.Instant?
        var exitedAt: ContinuousClock.Instant?
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        do {
            while true {
                while !endOfOutput {
                    let count = read(readEnd, &buffer, buffer.count)
                    if count > 0 {
                        guard !stopped else { continue }
                        pending.append(contentsOf: buffer[0..<count])
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = String(decoding: pending[0..<newline], as: UTF8.self)
                            pending.removeSubrange(0...newline)
                            if let report = Self.parse(line), try await onReport(report) {
                                stopped = true
                                kill(pid, SIGTERM)
                                killAt = clock.now + killGrace
                                break
                            }
                        }
                    } else if count == 0 {
                        endOfOutput = true
                    } else if errno == EINTR {
                        continue
                    } else if errno == EAGAIN || errno == EWOULDBLOCK {
                        break
                    } else {
                        endOfOutput = true
                    }
                }
                if exit == nil {
                    var status: Int32 = 0
                    if waitpid(pid, &status, WNOHANG) == pid {
                        exit = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
                        exitedAt = clock.now
                    }
                }
                if let exitedAt, endOfOutput || stopped || clock.now - exitedAt > .seconds(1) {
                    // Done; a grandchild that keeps the pipe open is not waited for more than a second.
                    break
                }
                if let deadline = killAt, exit == nil, clock.now >= deadline {
                    kill(pid, SIGKILL)
                    killAt = nil
                }
                try await Task.sleep(for: Self.pollInterval)
            }
        } catch {
            if exit == nil {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
            throw error
        }
        if !stopped, !pending.isEmpty, let report = Self.parse(String(decoding: pending, as: UTF8.self)) {
            _ = try await onReport(report)
        }
        return (exit ?? .signalled(SIGKILL), stopped)
    }
}
