import Hummingbird
import SkiffCore
import SkiffJSON
import SkiffRouting

/// MLflow's tracking endpoints (experiments, runs, metrics), reference §2.1–§2.3.
struct TrackingRoutes {
    let tracking: TrackingService

    static let prefixes = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"]

    func register(_ api: APIResponder) {
        let t = tracking
        let p = Self.prefixes
        let api = api.tagged("Experiments")
        let experimentID = Property.required("experiment_id", Wire.experimentID)
        let experiment = Schema.object([.required("experiment", .ref("Experiment"))])

        // MARK: Experiments
        api.add(
            .post, "experiments/create", prefixes: p,
            APICall(
                "createExperiment", "Create an experiment",
                fields: [
                    .required("name", Wire.experimentName),
                    .optional("artifact_location", Schema.string(maxLength: Limits.maxArtifactLocationLength)),
                    .optional("tags", Wire.tags(valueMaxLength: Limits.maxExperimentTagValueLength)),
                ],
                answer: .object([.required("experiment_id", Wire.experimentID)]),
                links: [
                    Operation.Link(
                        "GetExperiment", to: "getExperiment",
                        parameters: [("experiment_id", "$response.body#/experiment_id")]),
                    Operation.Link(
                        "CreateRun", to: "createRun", requestBody: [("experiment_id", "$response.body#/experiment_id")]),
                ])
        ) { q in
            let id = try await t.createExperiment(
                name: try q.requiredString("name"), artifactLocation: try q.string("artifact_location"),
                tags: try q.tags("tags"))
            return Self.object { $0.field("experiment_id", id) }
        }
        api.add(
            .get, "experiments/get", prefixes: p,
            APICall("getExperiment", "Get an experiment by id", fields: [experimentID], answer: experiment)
        ) { q in
            let experiment = try await t.experiment(id: try q.requiredString("experiment_id"))
            return Self.object {
                $0.key("experiment")
                $0.experiment(experiment)
            }
        }
        api.add(
            .get, "experiments/get-by-name", prefixes: p,
            APICall(
                "getExperimentByName", "Get an experiment by name",
                fields: [.required("experiment_name", .nonEmptyString())], answer: experiment)
        ) { q in
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
        let searchExperimentsFields: [Property] = [
            .optional("filter", Wire.filter), .optional("view_type", Wire.viewType),
            .required("max_results", Wire.positive(max: Limits.maxExperimentsPerSearch)),
            .optional("order_by", Wire.orderBy),
            .optional("page_token", Wire.pageToken),
        ]
        let experimentsPage = Schema.object([
            .optional("experiments", .array(.ref("Experiment"))), .optional("next_page_token", .string()),
        ])
        api.add(
            .post, "experiments/search", prefixes: p,
            APICall(
                "searchExperiments", "Search experiments", fields: searchExperimentsFields, answer: experimentsPage),
            searchExperiments)
        api.add(
            .get, "experiments/search", prefixes: p,
            APICall(
                "searchExperimentsByQuery", "Search experiments (query string)", fields: searchExperimentsFields,
                answer: experimentsPage),
            searchExperiments)
        api.add(
            .post, "experiments/update", prefixes: p,
            APICall(
                "updateExperiment", "Rename an experiment",
                fields: [experimentID, .required("new_name", Wire.experimentName)])
        ) { q in
            try await t.renameExperiment(
                id: try q.requiredString("experiment_id"), newName: try q.requiredString("new_name"))
            return .empty
        }
        api.add(
            .post, "experiments/delete", prefixes: p,
            APICall("deleteExperiment", "Delete an experiment and its runs (restorable)", fields: [experimentID])
        ) { q in
            try await t.deleteExperiment(id: try q.requiredString("experiment_id"))
            return .empty
        }
        api.add(
            .post, "experiments/restore", prefixes: p,
            APICall("restoreExperiment", "Restore a deleted experiment and its runs", fields: [experimentID])
        ) { q in
            try await t.restoreExperiment(id: try q.requiredString("experiment_id"))
            return .empty
        }
        api.add(
            .post, "experiments/set-experiment-tag", prefixes: p,
            APICall(
                "setExperimentTag", "Set an experiment tag",
                fields: [
                    experimentID, .required("key", Wire.entityKey),
                    .optional("value", .string(maxLength: Limits.maxExperimentTagValueLength)),
                ])
        ) { q in
            try await t.setExperimentTag(
                id: try q.requiredString("experiment_id"),
                tag: Tag(key: try q.requiredString("key"), value: try q.string("value") ?? ""))
            return .empty
        }
        api.add(
            .post, "experiments/delete-experiment-tag", prefixes: p,
            APICall(
                "deleteExperimentTag", "Delete an experiment tag",
                fields: [experimentID, .required("key", .nonEmptyString())])
        ) { q in
            try await t.deleteExperimentTag(id: try q.requiredString("experiment_id"), key: try q.requiredString("key"))
            return .empty
        }

        // MARK: Runs
        let runs = api.tagged("Runs")
        let runID = Property.required("run_id", Wire.runID)
        let runUUID = Property.optional("run_uuid", Wire.runID.described("Deprecated name of run_id."))
        let runLinks = [
            Operation.Link("GetRun", to: "getRun", parameters: [("run_id", "$response.body#/run/info/run_id")]),
            Operation.Link(
                "LogBatch", to: "logBatch", requestBody: [("run_id", "$response.body#/run/info/run_id")]),
            Operation.Link(
                "UpdateRun", to: "updateRun", requestBody: [("run_id", "$response.body#/run/info/run_id")]),
        ]
        runs.add(
            .post, "runs/create", prefixes: p,
            APICall(
                "createRun", "Create a run",
                fields: [
                    .optional("experiment_id", Wire.experimentID), .optional("user_id", .string()),
                    .optional("run_name", .string()), .optional("start_time", Wire.int64),
                    .optional("tags", Wire.tags(valueMaxLength: Limits.maxRunTagValueLength)),
                ],
                answer: .object([.required("run", .ref("Run"))]), links: runLinks)
        ) { q in
            let run = try await t.createRun(
                experimentID: try q.string("experiment_id"), userID: try q.string("user_id"),
                runName: try q.string("run_name"), startTime: try q.int64("start_time"), tags: try q.tags("tags"))
            return Self.object {
                $0.key("run")
                $0.run(run)
            }
        }
        runs.add(
            .get, "runs/get", prefixes: p,
            APICall(
                "getRun", "Get a run with its metrics' latest values, params, tags and inputs",
                fields: [runID, runUUID], answer: .object([.required("run", .ref("Run"))]))
        ) { q in
            let run = try await t.run(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            return Self.object {
                $0.key("run")
                $0.run(run)
            }
        }
        runs.add(
            .post, "runs/update", prefixes: p,
            APICall(
                "updateRun", "Update a run's status, end time or name",
                fields: [
                    runID, runUUID, .optional("status", Wire.runStatus), .optional("end_time", Wire.int64),
                    .optional("run_name", .string()),
                ],
                answer: .object([.required("run_info", .ref("RunInfo"))]))
        ) { q in
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
        runs.add(
            .post, "runs/delete", prefixes: p,
            APICall("deleteRun", "Delete a run (restorable)", fields: [runID, runUUID])
        ) { q in
            try await t.deleteRun(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            return .empty
        }
        runs.add(
            .post, "runs/restore", prefixes: p,
            APICall("restoreRun", "Restore a deleted run", fields: [runID, runUUID])
        ) { q in
            try await t.restoreRun(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            return .empty
        }
        runs.add(
            .post, "runs/log-metric", prefixes: p,
            APICall("logMetric", "Log one metric value", fields: [runID, runUUID] + Self.metricFields)
        ) { q in
            try await t.logBatch(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), metrics: [try Self.metric(q)], params: [],
                tags: [])
            return .empty
        }
        runs.add(
            .post, "runs/log-parameter", prefixes: p,
            APICall(
                "logParam", "Log a parameter",
                fields: [
                    runID, runUUID, .required("key", Wire.entityKey), .optional("value", .string()),
                ])
        ) { q in
            try await t.logBatch(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), metrics: [],
                params: [Param(key: try q.requiredString("key"), value: try q.string("value") ?? "")], tags: [])
            return .empty
        }
        runs.add(
            .post, "runs/set-tag", prefixes: p,
            APICall(
                "setTag", "Set a run tag",
                fields: [runID, runUUID, .required("key", Wire.entityKey), .optional("value", .string())])
        ) { q in
            try await t.logBatch(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), metrics: [], params: [],
                tags: [Tag(key: try q.requiredString("key"), value: try q.string("value") ?? "")])
            return .empty
        }
        runs.add(
            .post, "runs/delete-tag", prefixes: p,
            APICall(
                "deleteTag", "Delete a run tag", fields: [runID, runUUID, .required("key", .nonEmptyString())])
        ) { q in
            try await t.deleteTag(
                runID: try q.requiredString(anyOf: "run_id", "run_uuid"), key: try q.requiredString("key"))
            return .empty
        }
        runs.add(
            .post, "runs/log-batch", prefixes: p,
            APICall(
                "logBatch", "Log metrics, params and tags in one atomic write",
                fields: [
                    runID, runUUID,
                    .optional("metrics", .array(.object(Self.metricFields), maxItems: Limits.maxMetricsPerBatch)),
                    .optional(
                        "params",
                        .array(
                            .object([.required("key", Wire.entityKey), .optional("value", .string())]),
                            maxItems: Limits.maxParamsPerBatch)),
                    .optional(
                        "tags",
                        .array(
                            .object([.required("key", Wire.entityKey), .optional("value", .string())]),
                            maxItems: Limits.maxTagsPerBatch)),
                ])
        ) { q in
            let runID = try q.requiredString(anyOf: "run_id", "run_uuid")
            let metrics = try q.objects("metrics").map { item throws(SkiffError) in try Self.metric(item) }
            let params = try q.objects("params").map { item throws(SkiffError) in
                Param(key: try item.requiredString("key"), value: try item.string("value") ?? "")
            }
            try await t.logBatch(runID: runID, metrics: metrics, params: params, tags: try q.tags("tags"))
            return .empty
        }
        runs.add(
            .post, "runs/log-inputs", prefixes: p,
            APICall(
                "logInputs", "Record the datasets and models a run used",
                fields: [
                    runID, runUUID,
                    .optional(
                        "datasets",
                        .array(
                            .object([
                                .required("dataset", Self.datasetInput),
                                .optional(
                                    "tags",
                                    .array(
                                        .object([
                                            .required(
                                                "key", .nonEmptyString(maxLength: Limits.maxInputTagKeyLength)),
                                            .optional("value", .string(maxLength: Limits.maxInputTagValueLength)),
                                        ]))),
                            ]), maxItems: Limits.maxDatasetsPerBatch)),
                    .optional("models", .array(.object([.required("model_id", Wire.runID)]))),
                ])
        ) { q in
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
        runs.add(
            .post, "runs/outputs", prefixes: p,
            APICall(
                "logOutputs", "Record the models a run produced",
                fields: [
                    runID, runUUID,
                    .optional(
                        "models",
                        .array(.object([.required("model_id", Wire.runID), .optional("step", Wire.int64)]))),
                ])
        ) { q in
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
        let searchRunsFields: [Property] = [
            .optional("experiment_ids", Wire.experimentIDs), .optional("filter", Wire.filter),
            .optional("run_view_type", Wire.viewType),
            .optional("max_results", Wire.positive(max: Limits.maxRunsPerSearch)),
            .optional("order_by", Wire.orderBy), .optional("page_token", Wire.pageToken),
        ]
        let runsPage = Schema.object([
            .optional("runs", .array(.ref("Run"))), .optional("next_page_token", .string()),
        ])
        runs.add(
            .post, "runs/search", prefixes: p,
            APICall("searchRuns", "Search runs", fields: searchRunsFields, answer: runsPage), searchRuns)
        runs.add(
            .get, "runs/search", prefixes: p,
            APICall("searchRunsByQuery", "Search runs (query string)", fields: searchRunsFields, answer: runsPage),
            searchRuns)

        // MARK: Metric history
        let metrics = api.tagged("Metrics")
        metrics.add(
            .get, "metrics/get-history", prefixes: p,
            APICall(
                "getMetricHistory", "A page of one metric's history",
                fields: [
                    runID, runUUID, .required("metric_key", .nonEmptyString()),
                    .optional("max_results", Wire.positive(max: Int.max)),
                    .optional("page_token", Wire.pageToken),
                ],
                answer: .object([
                    .optional("metrics", .array(.ref("Metric"))), .optional("next_page_token", .string()),
                ]))
        ) { q in
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
        metrics.add(
            .get, "metrics/get-history-bulk-interval", prefixes: p,
            APICall(
                "getMetricHistoryBulkInterval", "Sampled history of one metric across up to 100 runs",
                fields: [
                    .required(
                        "run_ids", .array(Wire.runID, minItems: 1, maxItems: Limits.maxBulkIntervalRunIDs)),
                    .required("metric_key", .nonEmptyString()), .optional("start_step", Wire.int64),
                    .optional("end_step", Wire.int64),
                    .optional("max_results", Wire.positive(max: Limits.maxHistoryPage)),
                ],
                answer: .object([.optional("metrics", .array(.ref("Metric")))]))
        ) { q in
            let metrics = try await t.metricHistoryBulkInterval(
                runIDs: try q.strings("run_ids"), key: try q.requiredString("metric_key"),
                startStep: try q.int64("start_step"), endStep: try q.int64("end_step"),
                maxResults: try q.int("max_results"))
            return Self.object { $0.array("metrics", metrics) { $0.metric($1) } }
        }
    }

    /// The fields of one metric value, in `log-metric` and in `log-batch`'s `metrics`.
    static let metricFields: [Property] = [
        .required("key", Wire.entityKey), .required("value", Wire.double),
        .required(
            "timestamp",
            Schema.anyOf([.integer(minimum: 0, format: "int64"), .string(pattern: "^[0-9]{1,18}$(?![\\s\\S])")])),
        .optional("step", Wire.int64), .optional("model_id", .string()), .optional("dataset_name", .string()),
        .optional("dataset_digest", .string()),
    ]

    /// A dataset in `log-inputs`, with the length limits the store enforces (in UTF-8 bytes).
    static let datasetInput = Schema.object([
        .required("name", .nonEmptyString(maxLength: Limits.maxDatasetNameLength)),
        .required("digest", .nonEmptyString(maxLength: Limits.maxDatasetDigestLength)),
        .required("source_type", .nonEmptyString(maxLength: 64)),
        .required("source", .nonEmptyString(maxLength: Limits.maxDatasetSourceLength)),
        .optional("schema", .string(maxLength: Limits.maxDatasetSchemaLength)),
        .optional("profile", .string(maxLength: Limits.maxDatasetProfileLength)),
    ])

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
