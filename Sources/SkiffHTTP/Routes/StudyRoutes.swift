import Hummingbird
import SkiffCore
import SkiffJSON
import SkiffRouting
import SkiffStudies
import SkiffTune

/// `/api/skiff/v1/studies`: hyperparameter studies shared by workers through ask/tell, report/should-prune and
/// heartbeats.
struct StudyRoutes {
    let studies: StudyService

    static let prefixes = ["/api/skiff/v1"]

    func register(_ api: APIResponder) {
        let service = studies
        let p = Self.prefixes
        let api = api.tagged("Studies")
        let study = Property.required("study", StudyWire.name.described("The study's name."))
        let number = Property.required("number", StudyWire.trialNumber)
        let trial = Schema.object([.required("trial", .ref("Trial"))])
        // A trial's calls take the study from the ask request's path: the trial does not name its study.
        let trialLinks = [("Tell", "tell"), ("Report", "report"), ("Heartbeat", "heartbeat")].map {
            Operation.Link(
                $0.0, to: $0.1,
                parameters: [("study", "$request.path.study"), ("number", "$response.body#/trial/number")])
        }

        api.add(
            .post, "studies", prefixes: p,
            APICall(
                "createStudy", "Create a study, or get the existing one of that name",
                description:
                    "Get-or-create: a second call with the same name and compatible settings returns the stored "
                    + "study (created=false); different space, direction, sampler or pruner is a 400.",
                fields: [
                    .required("name", StudyWire.name), .required("space", StudyWire.space),
                    .optional("direction", StudyWire.direction), .optional("sampler", StudyWire.sampler),
                    .optional("pruner", StudyWire.pruner),
                    .optional("seed", StudyWire.count.described("The sampler's seed; random when absent.")),
                    .optional(
                        "max_retries",
                        StudyWire.count.described(
                            "How often a trial failed as stale is retried with the same params; 0 by default.")),
                    .optional("heartbeat_grace_seconds", StudyWire.heartbeatGrace),
                ],
                answer: .object([.required("study", .ref("Study")), .required("created", .boolean)]),
                links: [
                    Operation.Link("GetStudy", to: "getStudy", parameters: [("study", "$response.body#/study/name")]),
                    Operation.Link("Ask", to: "ask", parameters: [("study", "$response.body#/study/name")]),
                    Operation.Link(
                        "ListTrials", to: "listTrials", parameters: [("study", "$response.body#/study/name")]),
                    Operation.Link(
                        "BestTrial", to: "bestTrial", parameters: [("study", "$response.body#/study/name")]),
                ],
                errors: [400])
        ) { q in
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
        api.add(
            .get, "studies", prefixes: p,
            APICall(
                "listStudies", "List studies", answer: .object([.optional("studies", .array(.ref("Study")))]),
                errors: [])
        ) { _ in
            let all = try await service.listStudies()
            return TrackingRoutes.object { $0.array("studies", all) { $0.study($1) } }
        }
        api.add(
            .get, "studies/:study", prefixes: p,
            APICall(
                "getStudy", "Get a study and its trial counts", fields: [study],
                answer: .object([
                    .required("study", .ref("Study")),
                    .required("finished_trials", .integer(minimum: 0, format: "int64")),
                    .required("pending_trials", .integer(minimum: 0, format: "int64")),
                ]), errors: [404])
        ) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            let (finished, pending) = try await engine.summary()
            return TrackingRoutes.object {
                $0.key("study")
                $0.study(engine.record)
                $0.field("finished_trials", Int64(finished))
                $0.field("pending_trials", Int64(pending))
            }
        }
        api.add(
            .post, "studies/:study/ask", prefixes: p,
            APICall(
                "ask", "Ask for a trial to evaluate",
                description:
                    "Fails running trials whose heartbeat is older than the study's grace period (queueing a retry "
                    + "with the same params when max_retries allows), then returns a waiting retry or a new trial "
                    + "from the sampler. With max_trials, answers 'wait' while finished plus running trials reach "
                    + "it and 'done' once finished trials (complete, pruned, failed and not retried) reach it.",
                fields: [study, .optional("max_trials", StudyWire.maxTrials)],
                answer: .anyOf([
                    .object([.required("status", .oneOf(["trial"])), .required("trial", .ref("Trial"))]),
                    .object([.required("status", .oneOf(["wait", "done"]))]),
                ]), links: trialLinks)
        ) { q in
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
        api.add(
            .post, "studies/:study/trials/:number/tell", prefixes: p,
            APICall(
                "tell", "Finish a running trial",
                description:
                    "A trial that is not running is a 400. A complete trial needs a finite value; a pruned one "
                    + "without a finite value takes its last intermediate value; a failed one keeps none.",
                fields: [
                    study, number, .optional("state", StudyWire.finishedState),
                    .optional("value", Wire.double.described("Required and finite for a complete trial.")),
                ], answer: trial)
        ) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            let state = try Self.state(q)
            let value: Double? = try q.json("value") == nil ? nil : try q.requiredDouble("value")
            let record = try await engine.tell(number: try Self.number(q), state: state, value: value)
            return TrackingRoutes.object {
                $0.key("trial")
                $0.trial(record)
            }
        }
        api.add(
            .post, "studies/:study/trials/:number/report", prefixes: p,
            APICall(
                "report", "Report an intermediate value; the answer says whether to prune",
                description:
                    "A report at a step already reported replaces its value and counts as a heartbeat. A trial "
                    + "that is not running is a 400.",
                fields: [study, number, .required("step", StudyWire.count), .required("value", Wire.double)],
                answer: .object([.required("should_prune", .boolean)]))
        ) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            guard let step = try q.int("step") else { throw SkiffError.missingParameter("step") }
            let prune = try await engine.report(
                number: try Self.number(q), step: step, value: try q.requiredDouble("value"))
            return TrackingRoutes.object { $0.field("should_prune", prune) }
        }
        api.add(
            .post, "studies/:study/trials/:number/heartbeat", prefixes: p,
            APICall(
                "heartbeat", "Tell the server the trial's worker is alive",
                description: "A trial that is not running is a 400.", fields: [study, number])
        ) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            try await engine.heartbeat(number: try Self.number(q))
            return .empty
        }
        api.add(
            .get, "studies/:study/trials", prefixes: p,
            APICall(
                "listTrials", "List a study's trials by number", fields: [study],
                answer: .object([.optional("trials", .array(.ref("Trial")))]), errors: [404])
        ) { q in
            let engine = try await service.engine(named: try q.requiredString("study"))
            let trials = try await engine.allTrials()
            return TrackingRoutes.object { $0.array("trials", trials) { $0.trial($1) } }
        }
        api.add(
            .get, "studies/:study/best", prefixes: p,
            APICall(
                "bestTrial", "The complete trial with the best value",
                description: "404 for an unknown study, or one with no complete trial yet.", fields: [study],
                answer: trial, errors: [404])
        ) { q in
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
