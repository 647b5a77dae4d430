import Hummingbird
import NIOCore
import SkiffCore
import SkiffJSON
import SkiffRouting
import SkiffStudies
import SkiffTune

/// `/api/skiff/v1/studies`: hyperparameter studies shared by workers through ask/tell, report/should-prune and
/// heartbeats; described by `/api/skiff/v1/openapi.json`.
struct StudyRoutes {
    let studies: StudyService

    static let prefixes = ["/api/skiff/v1"]

    func register(_ api: APIResponder) {
        let service = studies
        let p = Self.prefixes
        api.router.on(.get, "/api/skiff/v1/openapi.json", recordingIn: api.methods) { _, _ in
            APIResponder.json(Array(SkiffOpenAPI.document.utf8))
        }
        api.add(.post, "studies", prefixes: p) { q in
            let settings = try StudySettings(
                name: try q.requiredString("name"), spaceText: try q.requiredString("space"),
                direction: try Self.direction(q), sampler: try Self.sampler(q), pruner: try Self.pruner(q),
                seed: try Self.seed(q), maxRetries: try q.int("max_retries") ?? 0,
                heartbeatGraceMilliseconds: try Self.grace(q))
            let (study, created) = try await service.createStudy(settings)
            return TrackingRoutes.object {
                $0.key("study")
                $0.study(study)
                $0.field("created", created)
            }
        }
        api.add(.get, "studies", prefixes: p) { _ in
            let all = try await service.listStudies()
            return TrackingRoutes.object { $0.array("studies", all) { $0.study($1) } }
        }
        api.add(.get, "studies/:study", prefixes: p) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            let (finished, pending) = try await engine.summary()
            return TrackingRoutes.object {
                $0.key("study")
                $0.study(engine.record)
                $0.field("finished_trials", Int64(finished))
                $0.field("pending_trials", Int64(pending))
            }
        }
        api.add(.post, "studies/:study/ask", prefixes: p) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            let maxTrials = try q.int("max_trials")
            if let maxTrials, maxTrials < 1 { throw SkiffError.invalid("max_trials must be at least 1.") }
            let result = try await engine.ask(maxTrials: maxTrials)
            return TrackingRoutes.object {
                switch result {
                case .trial(let record):
                    $0.field("status", "trial")
                    $0.key("trial")
                    $0.trial(record)
                case .wait:
                    $0.field("status", "wait")
                case .done:
                    $0.field("status", "done")
                }
            }
        }
        api.add(.post, "studies/:study/trials/:number/tell", prefixes: p) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            let state = try Self.state(q)
            let value: Double? = try q.json("value") == nil ? nil : try q.requiredDouble("value")
            let record = try await engine.tell(number: try Self.number(q), state: state, value: value)
            return TrackingRoutes.object {
                $0.key("trial")
                $0.trial(record)
            }
        }
        api.add(.post, "studies/:study/trials/:number/report", prefixes: p) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            guard let step = try q.int("step") else { throw SkiffError.missingParameter("step") }
            let prune = try await engine.report(
                number: try Self.number(q), step: step, value: try q.requiredDouble("value"))
            return TrackingRoutes.object { $0.field("should_prune", prune) }
        }
        api.add(.post, "studies/:study/trials/:number/heartbeat", prefixes: p) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            try await engine.heartbeat(number: try Self.number(q))
            return .empty
        }
        api.add(.get, "studies/:study/trials", prefixes: p) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            let trials = try await engine.allTrials()
            return TrackingRoutes.object { $0.array("trials", trials) { $0.trial($1) } }
        }
        api.add(.get, "studies/:study/best", prefixes: p) { q in
            let name = try q.requiredString("study")
            let engine = try await service.engine(named: name)
            guard let best = try await engine.bestTrial() else {
                throw SkiffError.notFound("Study '\(name)' has no complete trial yet.")
            }
            return TrackingRoutes.object {
                $0.key("trial")
                $0.trial(best)
            }
        }
    }

    static func number(_ q: RequestParameters) throws(SkiffError) -> Int {
        let text = try q.requiredString("number")
        guard let number = Int(text), number >= 0 else {
            throw .invalid("The trial number must be a non-negative integer, got '\(text)'.")
        }
        return number
    }

    static func direction(_ q: RequestParameters) throws(SkiffError) -> StudyDirection {
        guard let text = try q.string("direction") else { return .minimize }
        guard let value = StudyDirection(rawValue: text.lowercased()) else {
            throw .invalid("Unknown direction '\(text)': use minimize or maximize.")
        }
        return value
    }

    static func sampler(_ q: RequestParameters) throws(SkiffError) -> SamplerKind {
        guard let text = try q.string("sampler") else { return .tpe }
        guard let value = SamplerKind(rawValue: text.lowercased()) else {
            throw .invalid("Unknown sampler '\(text)': use tpe, random, grid or cmaes.")
        }
        return value
    }

    static func pruner(_ q: RequestParameters) throws(SkiffError) -> PrunerKind {
        guard let text = try q.string("pruner") else { return .median }
        guard let value = PrunerKind(rawValue: text.lowercased()) else {
            throw .invalid("Unknown pruner '\(text)': use median, asha, hyperband or none.")
        }
        return value
    }

    static func state(_ q: RequestParameters) throws(SkiffError) -> TrialState {
        guard let text = try q.string("state") else { return .complete }
        guard let value = TrialState(rawValue: text.lowercased()), value.isFinished else {
            throw .invalid("Unknown trial state '\(text)': use complete, pruned or failed.")
        }
        return value
    }

    static func seed(_ q: RequestParameters) throws(SkiffError) -> UInt64? {
        guard let seed = try q.int64("seed") else { return nil }
        guard seed >= 0 else { throw .invalid("seed must be a non-negative integer, got \(seed).") }
        return UInt64(seed)
    }

    static func grace(_ q: RequestParameters) throws(SkiffError) -> Int64 {
        guard try q.json("heartbeat_grace_seconds") != nil else { return 0 }
        let seconds = try q.requiredDouble("heartbeat_grace_seconds")
        guard seconds.isFinite, seconds >= 0, seconds < 1e9 else {
            throw .invalid("heartbeat_grace_seconds must be a non-negative number of seconds.")
        }
        return Int64((seconds * 1000).rounded())
    }
}

extension JSONWriter {
    mutating func study(_ record: StudyRecord) {
        let s = record.settings
        beginObject()
        field("name", s.name)
        field("space", s.spaceText)
        field("direction", s.direction.rawValue)
        field("sampler", s.sampler.rawValue)
        field("pruner", s.pruner.rawValue)
        field("seed", s.seed.map { String($0) })
        field("max_retries", Int64(s.maxRetries))
        field("heartbeat_grace_seconds", Double(s.heartbeatGraceMilliseconds) / 1000)
        field("creation_time", record.creationTime)
        endObject()
    }

    mutating func trial(_ record: TrialRecord) {
        beginObject()
        field("number", Int64(record.number))
        field("state", record.state.rawValue)
        key("params")
        beginObject()
        for (name, value) in record.trial.params.sorted(by: { $0.key < $1.key }) {
            key(name)
            switch value {
            case .float(let x): double(x)
            case .int(let x): int(Int64(x))
            case .string(let x): string(x)
            case .bool(let x): bool(x)
            }
        }
        endObject()
        if let value = record.trial.value { field("value", value) }
        key("intermediate_values")
        beginObject()
        for (step, value) in record.trial.intermediateValues.sorted(by: { $0.key < $1.key }) {
            key(String(step))
            double(value)
        }
        endObject()
        field("start_time", record.startTime)
        field("end_time", record.endTime)
        field("heartbeat_time", record.heartbeatTime)
        field("retry_of", record.retryOf.map { Int64($0) })
        endObject()
    }
}
