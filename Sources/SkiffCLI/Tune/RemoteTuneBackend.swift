import Foundation
import SkiffStudies
import SkiffTune

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `skiff tune --tracking-uri http://host:port`: the study lives on a `skiff server` (its `/api/skiff/v1` study
/// API) and trials are tracked through its MLflow REST API, so agents on several machines share one study.
struct RemoteTuneBackend: TuneBackend {
    let base: URL
    let studyName: String
    let space: SearchSpace
    let session: URLSession

    /// A failure the server reported (or a transport failure), with a message for the user.
    struct Failure: Error, CustomStringConvertible {
        var status: Int
        var code: String
        var message: String
        var description: String { message }
    }

    init(trackingURI: URL, studyName: String, space: SearchSpace) {
        var text = trackingURI.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        self.base = URL(string: text) ?? trackingURI
        self.studyName = studyName
        self.space = space
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        self.session = URLSession(configuration: configuration)
    }

    private var studyPath: String {
        "/api/skiff/v1/studies/"
            + (studyName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? studyName)
    }

    /// Sends a request with a JSON body (POST) or none (GET); retries transport failures and 503s a few times.
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        guard let url = URL(string: base.absoluteString + path) else {
            throw Failure(status: 0, code: "BAD_URL", message: "Invalid tracking URI: \(base.absoluteString)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        var attempt = 0
        while true {
            attempt += 1
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await session.data(for: request)
            } catch {
                if attempt < 5 {
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                throw Failure(
                    status: 0, code: "UNREACHABLE",
                    message:
                        "The Skiff server at \(base.absoluteString) could not be reached: \(error.localizedDescription)"
                )
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            if status == 503 && attempt < 5 {
                try await Task.sleep(for: .milliseconds(200 * attempt))
                continue
            }
            guard (200..<300).contains(status) else {
                throw Failure(
                    status: status, code: object["error_code"] as? String ?? "HTTP_\(status)",
                    message: object["message"] as? String ?? "The server answered HTTP \(status).")
            }
            return object
        }
    }

    func createStudy(_ settings: StudySettings) async throws -> StudySettings {
        var body: [String: Any] = [
            "name": settings.name, "space": settings.spaceText, "direction": settings.direction.rawValue,
            "sampler": settings.sampler.rawValue, "pruner": settings.pruner.rawValue,
            "max_retries": settings.maxRetries,
            "heartbeat_grace_seconds": Double(settings.heartbeatGraceMilliseconds) / 1000,
        ]
        if let seed = settings.seed { body["seed"] = String(seed) }
        let answer = try await call("POST", "/api/skiff/v1/studies", body)
        guard let study = answer["study"] as? [String: Any] else { return settings }
        var stored = settings
        if let seed = (study["seed"] as? String).flatMap(UInt64.init) { stored.seed = seed }
        if let retries = study["max_retries"] as? Int { stored.maxRetries = retries }
        if let grace = study["heartbeat_grace_seconds"] as? Double {
            stored.heartbeatGraceMilliseconds = Int64((grace * 1000).rounded())
        }
        return stored
    }

    func ask(maxTrials: Int) async throws -> AskResult {
        let answer = try await call("POST", studyPath + "/ask", ["max_trials": maxTrials])
        switch answer["status"] as? String {
        case "trial":
            guard let trial = answer["trial"] as? [String: Any] else {
                throw Failure(status: 200, code: "BAD_ANSWER", message: "The server's answer to ask had no trial.")
            }
            return .trial(record(trial))
        case "done": return .done
        default: return .wait
        }
    }

    func tell(number: Int, state: TrialState, value: Double?) async throws {
        var body: [String: Any] = ["state": state.rawValue]
        if let value, value.isFinite { body["value"] = value }
        _ = try await call("POST", studyPath + "/trials/\(number)/tell", body)
    }

    func report(number: Int, step: Int, value: Double) async throws -> Bool {
        let body: [String: Any] = ["step": step, "value": value.isFinite ? value as Any : "\(value)" as Any]
        let answer = try await call("POST", studyPath + "/trials/\(number)/report", body)
        return answer["should_prune"] as? Bool ?? false
    }

    func heartbeat(number: Int) async throws {
        _ = try await call("POST", studyPath + "/trials/\(number)/heartbeat", [:])
    }

    func trials() async throws -> [TrialRecord] {
        let answer = try await call("GET", studyPath + "/trials")
        return (answer["trials"] as? [[String: Any]] ?? []).map(record)
    }

    /// A trial from its JSON form; parameter values are read with their types from the search space.
    func record(_ json: [String: Any]) -> TrialRecord {
        var params: [String: ParameterValue] = [:]
        for (name, raw) in json["params"] as? [String: Any] ?? [:] {
            params[name] = Self.value(raw, distribution: space[name]?.distribution)
        }
        var intermediate: [Int: Double] = [:]
        for (step, value) in json["intermediate_values"] as? [String: Any] ?? [:] {
            if let step = Int(step), let value = Self.double(value) { intermediate[step] = value }
        }
        let trial = Trial(
            number: json["number"] as? Int ?? 0, state: TrialState(rawValue: json["state"] as? String ?? "") ?? .failed,
            params: params, intermediateValues: intermediate, value: json["value"].flatMap(Self.double))
        return TrialRecord(
            trial: trial, startTime: Int64(json["start_time"] as? Int ?? 0),
            endTime: (json["end_time"] as? Int).map(Int64.init),
            heartbeatTime: Int64(json["heartbeat_time"] as? Int ?? 0), retryOf: json["retry_of"] as? Int)
    }

    static func double(_ raw: Any) -> Double? {
        if let number = raw as? NSNumber { return number.doubleValue }
        if let text = raw as? String { return Double(text) }
        return nil
    }

    static func value(_ raw: Any, distribution: Distribution?) -> ParameterValue {
        switch distribution {
        case .float?:
            return .float(double(raw) ?? .nan)
        case .int?:
            return .int(Int((double(raw) ?? 0).rounded()))
        case .categorical(let choices)?:
            if let text = raw as? String, let match = choices.first(where: { $0 == .string(text) }) { return match }
            if let number = double(raw) {
                for choice in choices {
                    switch choice {
                    case .int(let x) where Double(x) == number: return choice
                    case .float(let x) where x == number: return choice
                    default: continue
                    }
                }
            }
            if let flag = raw as? Bool, let match = choices.first(where: { $0 == .bool(flag) }) { return match }
            return .string("\(raw)")
        case nil:
            if let text = raw as? String { return .string(text) }
            return .float(double(raw) ?? .nan)
        }
    }

    func experimentID(named name: String) async throws -> String {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "+", "="]))
        do {
            let answer = try await call(
                "GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=\(encoded ?? name)")
            if let id = (answer["experiment"] as? [String: Any])?["experiment_id"] as? String { return id }
        } catch let failure as Failure where failure.status == 404 {
            do {
                let created = try await call("POST", "/api/2.0/mlflow/experiments/create", ["name": name])
                if let id = created["experiment_id"] as? String { return id }
            } catch let failure as Failure where failure.code == "RESOURCE_ALREADY_EXISTS" {
                return try await experimentID(named: name)
            }
        }
        throw Failure(status: 0, code: "BAD_ANSWER", message: "The server did not return experiment '\(name)'.")
    }

    func startRun(experimentID: String, name: String, tags: [String: String], params: [String: String])
        async throws -> String
    {
        let created = try await call(
            "POST", "/api/2.0/mlflow/runs/create",
            [
                "experiment_id": experimentID, "run_name": name,
                "start_time": Int64(Date().timeIntervalSince1970 * 1000),
                "tags": tags.map { ["key": $0.key, "value": $0.value] },
            ])
        guard let runID = ((created["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String else {
            throw Failure(status: 0, code: "BAD_ANSWER", message: "The server did not return the new run.")
        }
        _ = try await call(
            "POST", "/api/2.0/mlflow/runs/log-batch",
            ["run_id": runID, "params": params.map { ["key": $0.key, "value": $0.value] }])
        return runID
    }

    func logMetrics(runID: String, _ metrics: [(key: String, value: Double, step: Int)]) async throws {
        let time = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await call(
            "POST", "/api/2.0/mlflow/runs/log-batch",
            [
                "run_id": runID,
                "metrics": metrics.map { metric -> [String: Any] in
                    [
                        "key": metric.key, "value": metric.value.isFinite ? metric.value as Any : "\(metric.value)",
                        "timestamp": time, "step": metric.step,
                    ]
                },
            ])
    }

    func endRun(runID: String, status: String, tags: [String: String]) async throws {
        _ = try await call(
            "POST", "/api/2.0/mlflow/runs/log-batch",
            ["run_id": runID, "tags": tags.map { ["key": $0.key, "value": $0.value] }])
        _ = try await call(
            "POST", "/api/2.0/mlflow/runs/update",
            ["run_id": runID, "status": status, "end_time": Int64(Date().timeIntervalSince1970 * 1000)])
    }
}
