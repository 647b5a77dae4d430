import Hummingbird
import SkiffCore
import SkiffJSON

/// MLflow's tracking endpoints (experiments, runs, metrics), reference §2.1–§2.3.
struct TrackingRoutes {
    let tracking: TrackingService

    static let prefixes = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"]

    func register(_ api: APIResponder) {
        let t = tracking
        let p = Self.prefixes

        // MARK: Experiments
        api.add(.post, "experiments/create", prefixes: p) { q in
            let id = try await t.createExperiment(
                name: try q.requiredString("name"), artifactLocation: try q.string("artifact_location"),
                tags: try q.tags("tags"))
            return Self.object { $0.field("experiment_id", id) }
        }
        api.add(.get, "experiments/get", prefixes: p) { q in
            let experiment = try await t.experiment(id: try q.requiredString("experiment_id"))
            return Self.object {
                $0.key("experiment")
                $0.experiment(experiment)
            }
        }
        api.add(.get, "experiments/get-by-name", prefixes: p) { q in
            let experiment = try await t.experiment(named: try q.requiredString("experiment_name"))
            return Self.object {
                $0.key("experiment")
                $0.experiment(experiment)
            }
        }
        let searchExperiments: APIResponder.Handler = { q in
            let page = try await t.searchExperiments(
                filter: try q.string("filter") ?? "", viewType: try Self.viewType(q, "view_type"),
                maxResults: try q.int("max_results"), orderBy: try q.strings("order_by"),
                pageToken: try q.string("page_token"))
            return Self.object {
                $0.array("experiments", page.items) { $0.experiment($1) }
                $0.field("next_page_token", page.nextPageToken)
            }
        }
        api.add(.post, "experiments/search", prefixes: p, searchExperiments)
        api.add(.get, "experiments/search", prefixes: p, searchExperiments)
        api.add(.post, "experiments/update", prefixes: p) { q in
            try await t.renameExperiment(
                id: try q.requiredString("experiment_id"), newName: try q.requiredString("new_name"))
            return .empty
        }
        api.add(.post, "experiments/delete", prefixes: p) { q in
            try await t.deleteExperiment(id: try q.requiredString("experiment_id"))
            return .empty
        }
        api.add(.post, "experiments/restore", prefixes: p) { q in
            try await t.restoreExperiment(id: try q.requiredString("experiment_id"))
            return .empty
        }
        api.add(.post, "experiments/set-experiment-tag", prefixes: p) { q in
            try await t.setExperimentTag(
                id: try q.requiredString("experiment_id"),
                tag: Tag(key: try q.requiredString("key"), value: try q.string("value") ?? ""))
            return .empty
        }
        api.add(.post, "experiments/delete-experiment-tag", prefixes: p) { q in
            try await t.deleteExperimentTag(id: try q.requiredString("experiment_id"), key: try q.requiredString("key"))
            return .empty
        }

        // MARK: Runs
        api.add(.post, "runs/create", prefixes: p) { q in
            let run = try await t.createRun(
                experimentID: try q.string("experiment_id"), userID: try q.string("user_id"),
                runName: try q.string("run_name"), startTime: try q.int64("start_time"), tags: try q.tags("tags"))
            return Self.object {
                $0.key("run")
                $0.run(run)
            }
        }
        api.add(.get, "runs/get", prefixes: p) { q in
            let run = try await t.run(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            return Self.object {
                $0.key("run")
                $0.run(run)
            }
        }
        api.add(.post, "runs/update", prefixes: p) { q in
            var update = RunUpdate()
            if let status = try q.enumText("status") {
                guard let parsed = RunStatus(wireValue: status) else {
                    throw SkiffError.invalid("Invalid value '\(status)' for parameter 'status' supplied.")
                }
                update.status = parsed
            }
            update.endTime = try q.int64("end_time")
            update.runName = try q.string("run_name")
            let info = try await t.updateRun(id: try q.requiredString(anyOf: "run_id", "run_uuid"), update)
            return Self.object {
                $0.key("run_info")
                $0.runInfo(info)
            }
        }
        api.add(.post, "runs/delete", prefixes: p) { q in
            try await t.deleteRun(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            return .empty
        }
        api.add(.post, "runs/restore", prefixes: p) { q in
            try await t.restoreRun(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            return .empty
        }
        api.add(.post, "runs/log-metric", prefixes: p) { q in
            try await t.logBatch(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), metrics: [try Self.metric(q)], params: [],
                tags: [])
            return .empty
        }
        api.add(.post, "runs/log-parameter", prefixes: p) { q in
            try await t.logBatch(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), metrics: [],
                params: [Param(key: try q.requiredString("key"), value: try q.string("value") ?? "")], tags: [])
            return .empty
        }
        api.add(.post, "runs/set-tag", prefixes: p) { q in
            try await t.logBatch(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), metrics: [], params: [],
                tags: [Tag(key: try q.requiredString("key"), value: try q.string("value") ?? "")])
            return .empty
        }
        api.add(.post, "runs/delete-tag", prefixes: p) { q in
            try await t.deleteTag(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), key: try q.requiredString("key"))
            return .empty
        }
        api.add(.post, "runs/log-batch", prefixes: p) { q in
            let runID = try q.requiredString(anyOf: "run_id", "run_uuid")
            let metrics = try q.objects("metrics").map { item throws(SkiffError) in try Self.metric(item) }
            let params = try q.objects("params").map { item throws(SkiffError) in
                Param(key: try item.requiredString("key"), value: try item.string("value") ?? "")
            }
            try await t.logBatch(runID: runID, metrics: metrics, params: params, tags: try q.tags("tags"))
            return .empty
        }
        api.add(.post, "runs/log-inputs", prefixes: p) { q in
            let runID = try q.requiredString(anyOf: "run_id", "run_uuid")
            let datasets = try q.objects("datasets").map { item throws(SkiffError) -> DatasetInput in
                guard let d = try item.object("dataset") else { throw SkiffError.missingParameter("dataset") }
                let dataset = Dataset(
                    name: try d.requiredString("name"), digest: try d.requiredString("digest"),
                    sourceType: try d.requiredString("source_type"), source: try d.requiredString("source"),
                    schema: try d.string("schema"), profile: try d.string("profile"))
                return DatasetInput(dataset: dataset, tags: try item.tags("tags"))
            }
            let models = try q.objects("models").map { item throws(SkiffError) in try item.requiredString("model_id") }
            try await t.logInputs(runID: runID, datasets: datasets, models: models)
            return .empty
        }
        api.add(.post, "runs/outputs", prefixes: p) { q in
            let runID = try q.requiredString(anyOf: "run_id", "run_uuid")
            let models = try q.objects("models").map { item throws(SkiffError) in
                ModelOutput(modelID: try item.requiredString("model_id"), step: try item.int64("step") ?? 0)
            }
            try await t.logOutputs(runID: runID, models: models)
            return .empty
        }
        let searchRuns: APIResponder.Handler = { q in
            let page = try await t.searchRuns(
                experimentIDs: try q.strings("experiment_ids"), filter: try q.string("filter") ?? "",
                viewType: try Self.viewType(q, "run_view_type"), maxResults: try q.int("max_results"),
                orderBy: try q.strings("order_by"), pageToken: try q.string("page_token"))
            return Self.object {
                $0.array("runs", page.items) { $0.run($1) }
                $0.field("next_page_token", page.nextPageToken)
            }
        }
        api.add(.post, "runs/search", prefixes: p, searchRuns)
        api.add(.get, "runs/search", prefixes: p, searchRuns)

        // MARK: Metric history
        api.add(.get, "metrics/get-history", prefixes: p) { q in
            let page = try await t.metricHistory(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), key: try q.requiredString("metric_key"),
                maxResults: try q.int("max_results"), pageToken: try q.string("page_token"))
            var w = JSONWriter(capacity: 64 + page.items.count * 80)
            w.beginObject()
            w.array("metrics", page.items) { $0.metric($1) }
            w.field("next_page_token", page.nextPageToken)
            w.endObject()
            return w
        }
        api.add(.get, "metrics/get-history-bulk-interval", prefixes: p) { q in
            let metrics = try await t.metricHistoryBulkInterval(
                runIDs: try q.strings("run_ids"), key: try q.requiredString("metric_key"),
                startStep: try q.int64("start_step"), endStep: try q.int64("end_step"),
                maxResults: try q.int("max_results"))
            return Self.object { $0.array("metrics", metrics) { $0.metric($1) } }
        }
    }

    static func metric(_ q: RequestParameters) throws(SkiffError) -> Metric {
        guard let timestamp = try q.int64("timestamp") else { throw .missingParameter("timestamp") }
        return Metric(
            key: try q.requiredString("key"), value: try q.requiredDouble("value"), timestamp: timestamp,
            step: try q.int64("step") ?? 0, modelID: try q.string("model_id").flatMap { $0.isEmpty ? nil : $0 },
            datasetName: try q.string("dataset_name").flatMap { $0.isEmpty ? nil : $0 },
            datasetDigest: try q.string("dataset_digest").flatMap { $0.isEmpty ? nil : $0 })
    }

    static func viewType(_ q: RequestParameters, _ name: String) throws(SkiffError) -> ViewType {
        guard let text = try q.enumText(name), !text.isEmpty else { return .activeOnly }
        guard let view = ViewType(wireValue: text) else {
            throw .invalid("Invalid value '\(text)' for parameter '\(name)' supplied.")
        }
        return view
    }

    static func object(_ body: (inout JSONWriter) -> Void) -> JSONWriter {
        var w = JSONWriter()
        w.beginObject()
        body(&w)
        w.endObject()
        return w
    }
}
