import Hummingbird
import SkiffCore
import SkiffJSON
import SkiffRouting

/// MLflow 3's LoggedModel endpoints (reference §2.4), used by every `log_model`.
struct LoggedModelRoutes {
    let models: LoggedModelService
    let artifacts: any ArtifactStore

    func register(_ api: APIResponder) {
        let service = models
        let artifacts = self.artifacts
        let p = TrackingRoutes.prefixes
        let api = api.tagged("Logged models")
        let modelID = Property.required("model_id", Wire.runID)
        let answer = Schema.object([.required("model", .ref("LoggedModel"))])
        let keyValues = Schema.array(.object([.required("key", Wire.entityKey), .optional("value", .string())]))

        api.add(
            .post, "logged-models", prefixes: p,
            APICall(
                "createLoggedModel", "Create a logged model (pending until finalized)",
                fields: [
                    .required("experiment_id", Wire.experimentID),
                    .optional("name", .string(pattern: "^[^/:.%\"']*$(?![\\s\\S])")),
                    .optional("model_type", .string()),
                    .optional("source_run_id", .string(pattern: "^([a-zA-Z0-9][a-zA-Z0-9_-]{0,255})?$(?![\\s\\S])")),
                    .optional("params", keyValues), .optional("tags", keyValues),
                ],
                answer: answer,
                links: [
                    Operation.Link(
                        "GetLoggedModel", to: "getLoggedModel",
                        parameters: [("model_id", "$response.body#/model/info/model_id")]),
                    Operation.Link(
                        "FinalizeLoggedModel", to: "finalizeLoggedModel",
                        parameters: [("model_id", "$response.body#/model/info/model_id")]),
                ])
        ) { q in
            let model = try await service.create(
                experimentID: try q.requiredString("experiment_id"), name: try q.string("name"),
                modelType: try q.string("model_type"), sourceRunID: try q.string("source_run_id"),
                userID: nil, params: try q.tags("params"), tags: try q.tags("tags"))
            return Self.model(model)
        }
        api.add(
            .get, "logged-models/:model_id", prefixes: p,
            APICall(
                "getLoggedModel", "Get a logged model",
                fields: [modelID, .optional("allow_deleted", Wire.boolean)], answer: answer)
        ) { q in
            Self.model(
                try await service.get(
                    id: try q.requiredString("model_id"), allowDeleted: try q.bool("allow_deleted") ?? false))
        }
        api.add(
            .patch, "logged-models/:model_id", prefixes: p,
            APICall(
                "finalizeLoggedModel", "Set a logged model's upload status",
                fields: [
                    modelID,
                    .required(
                        "status",
                        Wire.enumeration(
                            LoggedModelStatus.allCases.map(\.rawValue),
                            numbers: 0...(LoggedModelStatus.allCases.count - 1))),
                ], answer: answer)
        ) { q in
            guard let text = try q.enumText("status"), !text.isEmpty else {
                throw SkiffError.missingParameter("status")
            }
            guard let status = LoggedModelStatus(wireValue: text) else {
                throw SkiffError.invalid("Invalid value '\(text)' for parameter 'status' supplied.")
            }
            return Self.model(try await service.finalize(id: try q.requiredString("model_id"), status: status))
        }
        api.add(
            .delete, "logged-models/:model_id", prefixes: p,
            APICall("deleteLoggedModel", "Delete a logged model", fields: [modelID])
        ) { q in
            try await service.delete(id: try q.requiredString("model_id"))
            return .empty
        }
        api.add(
            .patch, "logged-models/:model_id/tags", prefixes: p,
            APICall(
                "setLoggedModelTags", "Set tags on a logged model", fields: [modelID, .optional("tags", keyValues)])
        ) { q in
            try await service.setTags(id: try q.requiredString("model_id"), tags: try q.tags("tags"))
            return .empty
        }
        api.add(
            .delete, "logged-models/:model_id/tags/:tag_key", prefixes: p,
            APICall(
                "deleteLoggedModelTag", "Delete a logged model's tag",
                fields: [modelID, .required("tag_key", .nonEmptyString())])
        ) { q in
            try await service.deleteTag(id: try q.requiredString("model_id"), key: try q.requiredString("tag_key"))
            return .empty
        }
        api.add(
            .post, "logged-models/:model_id/params", prefixes: p,
            APICall(
                "logLoggedModelParams", "Log params on a logged model",
                fields: [
                    modelID,
                    .optional(
                        "params",
                        .array(
                            .object([.required("key", Wire.entityKey), .optional("value", .string())]),
                            maxItems: Limits.maxParamsPerBatch)),
                ])
        ) { q in
            try await service.logParams(id: try q.requiredString("model_id"), params: try q.tags("params"))
            return .empty
        }
        api.add(
            .post, "logged-models/search", prefixes: p,
            APICall(
                "searchLoggedModels", "Search logged models",
                fields: [
                    .optional("experiment_ids", Wire.experimentIDs), .optional("filter", Wire.filter),
                    .optional("max_results", Wire.positive(max: Limits.maxRunsPerSearch)),
                    .optional(
                        "order_by",
                        .array(
                            .object([
                                .required(
                                    "field_name",
                                    .string(
                                        pattern: "^(metrics\\..+|"
                                            + Self.orderColumns.keys.sorted().joined(separator: "|") + ")$(?![\\s\\S])")
                                ),
                                .optional("ascending", Wire.boolean), .optional("dataset_name", .string()),
                                .optional("dataset_digest", .string()),
                            ]))),
                    .optional("page_token", Wire.pageToken),
                    .optional(
                        "datasets",
                        .array(
                            .object([
                                .required("dataset_name", .nonEmptyString()), .optional("dataset_digest", .string()),
                            ]))),
                ],
                answer: .object([
                    .optional("models", .array(.ref("LoggedModel"))), .optional("next_page_token", .string()),
                ]))
        ) { q in
            let order = try q.objects("order_by").map { item throws(SkiffError) -> OrderTerm in
                let field = try item.requiredString("field_name")
                let ascending = try item.bool("ascending") ?? true
                if field.hasPrefix("metrics.") {
                    var dataset: DatasetKey?
                    if let name = try item.string("dataset_name"), !name.isEmpty {
                        let digest = try item.string("dataset_digest")
                        dataset = DatasetKey(name: name, digest: digest?.isEmpty == false ? digest : nil)
                    }
                    return OrderTerm(
                        entity: .metric(String(field.dropFirst(8))), ascending: ascending, dataset: dataset)
                }
                guard let column = Self.orderColumns[field] else {
                    throw SkiffError.invalid("Invalid order_by field_name '\(field)'.")
                }
                return OrderTerm(entity: .attribute(column), ascending: ascending)
            }
            let page = try await service.search(
                experimentIDs: try q.strings("experiment_ids"), filter: try q.string("filter") ?? "",
                maxResults: try q.int("max_results"), orderBy: order, pageToken: try q.string("page_token"),
                datasets: try q.objects("datasets").map { item throws(SkiffError) in
                    DatasetKey(
                        name: try item.string("dataset_name") ?? "",
                        digest: try item.string("dataset_digest").flatMap { $0.isEmpty ? nil : $0 })
                })
            return TrackingRoutes.object {
                $0.array("models", page.items) { $0.loggedModel($1) }
                $0.field("next_page_token", page.nextPageToken)
            }
        }
        api.add(
            .get, "logged-models/:model_id/artifacts/directories", prefixes: p,
            APICall(
                "listLoggedModelArtifacts", "One level of a logged model's artifacts",
                fields: [modelID, .optional("artifact_directory_path", ArtifactSchemas.relativePath)],
                answer: .object([
                    .optional("root_uri", .string()), .optional("files", .array(.ref("FileInfo"))),
                ]))
        ) { q in
            let model = try await service.get(id: try q.requiredString("model_id"))
            let root = try ArtifactPath(validating: ModelSourceValidator.proxyPath(model.artifactURI))
            let sub = try ArtifactPath(validating: try q.string("artifact_directory_path") ?? "")
            let entries = try await artifacts.list(root.appending(sub)) ?? []
            return TrackingRoutes.object {
                $0.field("root_uri", model.artifactURI)
                $0.array("files", entries) { w, entry in
                    w.beginObject()
                    w.field("path", sub.isRoot ? entry.name : "\(sub)/\(entry.name)")
                    w.field("is_dir", entry.isDirectory)
                    w.field("file_size", entry.size)
                    w.endObject()
                }
            }
        }
    }

    static let orderColumns = [
        "name": "name", "creation_timestamp": "creation_time", "creation_time": "creation_time",
        "last_updated_timestamp": "last_updated_time", "model_id": "model_id", "model_type": "model_type",
        "status": "status", "source_run_id": "source_run_id",
    ]

    static let components: [(String, Schema)] = [
        (
            "LoggedModel",
            .object([
                .required(
                    "info",
                    .object([
                        .required("model_id", .string()), .required("experiment_id", .string()),
                        .required("name", .string()), .optional("creation_timestamp_ms", .int64),
                        .optional("last_updated_timestamp_ms", .int64), .optional("artifact_uri", .string()),
                        .optional("status", .oneOf(LoggedModelStatus.allCases.map(\.rawValue))),
                        .optional("creator_id", .string()), .optional("model_type", .string()),
                        .optional("source_run_id", .string()), .optional("status_message", .string()),
                        .optional("tags", .array(.ref("Tag"))),
                    ])),
                .optional(
                    "data",
                    .object([.optional("params", .array(.ref("Tag"))), .optional("metrics", .array(.ref("Metric")))])),
            ])
        )
    ]

    static func model(_ m: LoggedModel) -> JSONWriter {
        TrackingRoutes.object {
            $0.key("model")
            $0.loggedModel(m)
        }
    }
}
