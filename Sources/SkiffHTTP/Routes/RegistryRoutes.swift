import Hummingbird
import SkiffCore
import SkiffJSON
import SkiffRouting

/// MLflow's model registry endpoints (reference §3).
struct RegistryRoutes {
    let registry: RegistryService

    func register(_ api: APIResponder) {
        let r = registry
        let p = TrackingRoutes.prefixes
        let models = api.tagged("Registered models")
        let name = Property.required("name", RegistryWire.name)
        let version = Property.required("version", RegistryWire.version)
        let registeredModel = Schema.object([.required("registered_model", .ref("RegisteredModel"))])
        let modelVersion = Schema.object([.required("model_version", .ref("ModelVersion"))])

        // MARK: Registered models
        models.add(
            .post, "registered-models/create", prefixes: p,
            APICall(
                "createRegisteredModel", "Create a registered model",
                fields: [
                    .required("name", RegistryWire.modelName), .optional("description", .string()),
                    .optional("tags", RegistryWire.tags),
                ],
                answer: registeredModel,
                links: [
                    Operation.Link(
                        "GetRegisteredModel", to: "getRegisteredModel",
                        parameters: [("name", "$response.body#/registered_model/name")]),
                    Operation.Link(
                        "CreateModelVersion", to: "createModelVersion",
                        requestBody: [("name", "$response.body#/registered_model/name")]),
                    Operation.Link(
                        "UpdateRegisteredModel", to: "updateRegisteredModel",
                        requestBody: [("name", "$response.body#/registered_model/name")]),
                    Operation.Link(
                        "SetRegisteredModelTag", to: "setRegisteredModelTag",
                        requestBody: [("name", "$response.body#/registered_model/name")]),
                ])
        ) { q in
            Self.model(
                try await r.createRegisteredModel(
                    name: try q.requiredString("name"), description: try q.string("description"),
                    tags: try q.tags("tags"), userID: nil))
        }
        models.add(
            .get, "registered-models/get", prefixes: p,
            APICall("getRegisteredModel", "Get a registered model", fields: [name], answer: registeredModel)
        ) { q in
            Self.model(try await r.registeredModel(name: try q.requiredString("name")))
        }
        models.add(
            .post, "registered-models/rename", prefixes: p,
            APICall(
                "renameRegisteredModel", "Rename a registered model; its versions and aliases follow",
                fields: [name, .required("new_name", RegistryWire.modelName)], answer: registeredModel)
        ) { q in
            Self.model(
                try await r.renameRegisteredModel(
                    name: try q.requiredString("name"), newName: try q.requiredString("new_name")))
        }
        models.add(
            .patch, "registered-models/update", prefixes: p,
            APICall(
                "updateRegisteredModel", "Set a registered model's description",
                fields: [name, .optional("description", .string())], answer: registeredModel)
        ) { q in
            Self.model(
                try await r.updateRegisteredModel(
                    name: try q.requiredString("name"), description: try q.string("description")))
        }
        models.add(
            .delete, "registered-models/delete", prefixes: p,
            APICall("deleteRegisteredModel", "Delete a registered model and all its versions", fields: [name])
        ) { q in
            try await r.deleteRegisteredModel(name: try q.requiredString("name"))
            return .empty
        }
        let searchModels: APIResponder.Handler = { q in
            let page = try await r.searchRegisteredModels(
                filter: try q.string("filter") ?? "", maxResults: try q.int("max_results"),
                orderBy: try q.strings("order_by"), pageToken: try q.string("page_token"))
            return TrackingRoutes.object {
                $0.array("registered_models", page.items) { $0.registeredModel($1) }
                $0.field("next_page_token", page.nextPageToken)
            }
        }
        let searchModelsFields: [Property] = [
            .optional("filter", Wire.filter), .optional("max_results", RegistryWire.modelsMaxResults),
            .optional("order_by", Wire.orderBy), .optional("page_token", Wire.pageToken),
        ]
        let modelsPage = Schema.object([
            .optional("registered_models", .array(.ref("RegisteredModel"))), .optional("next_page_token", .string()),
        ])
        models.add(
            .post, "registered-models/search", prefixes: p,
            APICall(
                "searchRegisteredModels", "Search registered models", fields: searchModelsFields, answer: modelsPage),
            searchModels)
        models.add(
            .get, "registered-models/search", prefixes: p,
            APICall(
                "searchRegisteredModelsByQuery", "Search registered models (query string)",
                fields: searchModelsFields, answer: modelsPage),
            searchModels)
        let latest: APIResponder.Handler = { q in
            let versions = try await r.latestVersions(
                name: try q.requiredString("name"), stages: try q.strings("stages"))
            return TrackingRoutes.object { $0.array("model_versions", versions) { $0.modelVersion($1) } }
        }
        let latestFields: [Property] = [name, .optional("stages", .array(RegistryWire.stage))]
        let versionList = Schema.object([.optional("model_versions", .array(.ref("ModelVersion")))])
        models.add(
            .post, "registered-models/get-latest-versions", prefixes: p,
            APICall(
                "getLatestVersions", "The newest version in each requested stage (every stage when none is given)",
                fields: latestFields, answer: versionList),
            latest)
        models.add(
            .get, "registered-models/get-latest-versions", prefixes: p,
            APICall(
                "getLatestVersionsByQuery", "The newest version in each requested stage (query string)",
                fields: latestFields, answer: versionList),
            latest)
        models.add(
            .post, "registered-models/set-tag", prefixes: p,
            APICall(
                "setRegisteredModelTag", "Set a registered-model tag",
                fields: [
                    name, .required("key", RegistryWire.tagKey), .optional("value", RegistryWire.tagValue),
                ])
        ) { q in
            try await r.setRegisteredModelTag(
                name: try q.requiredString("name"),
                tag: Tag(key: try q.requiredString("key"), value: try q.string("value") ?? ""))
            return .empty
        }
        models.add(
            .delete, "registered-models/delete-tag", prefixes: p,
            APICall(
                "deleteRegisteredModelTag", "Delete a registered-model tag",
                fields: [name, .required("key", .nonEmptyString())])
        ) { q in
            try await r.deleteRegisteredModelTag(name: try q.requiredString("name"), key: try q.requiredString("key"))
            return .empty
        }

        // MARK: Aliases
        models.add(
            .post, "registered-models/alias", prefixes: p,
            APICall(
                "setRegisteredModelAlias", "Point an alias at a version, moving it if it exists",
                fields: [name, .required("alias", RegistryWire.alias), version])
        ) { q in
            try await r.setAlias(
                name: try q.requiredString("name"), alias: try q.requiredString("alias"),
                version: try q.requiredString("version"))
            return .empty
        }
        models.add(
            .delete, "registered-models/alias", prefixes: p,
            APICall(
                "deleteRegisteredModelAlias", "Remove an alias",
                fields: [name, .required("alias", RegistryWire.alias)])
        ) { q in
            try await r.deleteAlias(name: try q.requiredString("name"), alias: try q.requiredString("alias"))
            return .empty
        }
        models.add(
            .get, "registered-models/alias", prefixes: p,
            APICall(
                "getModelVersionByAlias", "The version an alias points at",
                description: "An alias the model does not have is a 400 INVALID_PARAMETER_VALUE, as in MLflow.",
                fields: [name, .required("alias", .nonEmptyString())], answer: modelVersion)
        ) { q in
            Self.version(
                try await r.modelVersion(name: try q.requiredString("name"), alias: try q.requiredString("alias")))
        }

        // MARK: Model versions
        let versions = api.tagged("Model versions")
        let versionLink = [
            ("name", "$response.body#/model_version/name"), ("version", "$response.body#/model_version/version"),
        ]
        versions.add(
            .post, "model-versions/create", prefixes: p,
            APICall(
                "createModelVersion", "Register the next version of a model",
                description: "The source must be models:/m-<id> (a logged model), models:/<name>/<version>, "
                    + "runs:/<run_id>/<path> of an existing run, an object-store URI (s3, gs, wasbs, abfss, hdfs, "
                    + "oss, dbfs, viewfs) without traversal, or a location inside the given run's or logged "
                    + "model's artifact root; anything else is a 400.",
                fields: [
                    name, .required("source", .nonEmptyString()), .optional("run_id", RegistryWire.optionalID),
                    .optional("model_id", RegistryWire.optionalID), .optional("run_link", .string()),
                    .optional("description", .string()), .optional("tags", RegistryWire.tags),
                ],
                answer: modelVersion,
                links: [
                    Operation.Link("GetModelVersion", to: "getModelVersion", parameters: versionLink),
                    Operation.Link("UpdateModelVersion", to: "updateModelVersion", requestBody: versionLink),
                    Operation.Link(
                        "TransitionModelVersionStage", to: "transitionModelVersionStage", requestBody: versionLink),
                    Operation.Link("SetModelVersionTag", to: "setModelVersionTag", requestBody: versionLink),
                    Operation.Link("SetRegisteredModelAlias", to: "setRegisteredModelAlias", requestBody: versionLink),
                    Operation.Link(
                        "GetModelVersionDownloadUri", to: "getModelVersionDownloadUri", parameters: versionLink),
                ])
        ) { q in
            Self.version(
                try await r.createModelVersion(
                    name: try q.requiredString("name"), source: try q.requiredString("source"),
                    runID: try q.string("run_id"), modelID: try q.string("model_id"), runLink: try q.string("run_link"),
                    description: try q.string("description"), tags: try q.tags("tags"), userID: nil))
        }
        versions.add(
            .get, "model-versions/get", prefixes: p,
            APICall("getModelVersion", "Get a model version", fields: [name, version], answer: modelVersion)
        ) { q in
            Self.version(
                try await r.modelVersion(name: try q.requiredString("name"), version: try q.requiredString("version")))
        }
        versions.add(
            .patch, "model-versions/update", prefixes: p,
            APICall(
                "updateModelVersion", "Set a model version's description",
                fields: [name, version, .optional("description", .string())], answer: modelVersion)
        ) { q in
            Self.version(
                try await r.updateModelVersion(
                    name: try q.requiredString("name"), version: try q.requiredString("version"),
                    description: try q.string("description")))
        }
        versions.add(
            .delete, "model-versions/delete", prefixes: p,
            APICall("deleteModelVersion", "Delete a model version", fields: [name, version])
        ) { q in
            try await r.deleteModelVersion(name: try q.requiredString("name"), version: try q.requiredString("version"))
            return .empty
        }
        let searchVersions: APIResponder.Handler = { q in
            let page = try await r.searchModelVersions(
                filter: try q.string("filter") ?? "", maxResults: try q.int("max_results"),
                orderBy: try q.strings("order_by"), pageToken: try q.string("page_token"))
            return TrackingRoutes.object {
                $0.array("model_versions", page.items) { $0.modelVersion($1) }
                $0.field("next_page_token", page.nextPageToken)
            }
        }
        let searchVersionsFields: [Property] = [
            .optional("filter", Wire.filter), .optional("max_results", RegistryWire.versionsMaxResults),
            .optional("order_by", Wire.orderBy), .optional("page_token", Wire.pageToken),
        ]
        let versionsPage = Schema.object([
            .optional("model_versions", .array(.ref("ModelVersion"))), .optional("next_page_token", .string()),
        ])
        versions.add(
            .post, "model-versions/search", prefixes: p,
            APICall(
                "searchModelVersions", "Search model versions", fields: searchVersionsFields, answer: versionsPage),
            searchVersions)
        versions.add(
            .get, "model-versions/search", prefixes: p,
            APICall(
                "searchModelVersionsByQuery", "Search model versions (query string)", fields: searchVersionsFields,
                answer: versionsPage),
            searchVersions)
        versions.add(
            .post, "model-versions/transition-stage", prefixes: p,
            APICall(
                "transitionModelVersionStage", "Move a model version to a stage",
                fields: [
                    name, version, .required("stage", RegistryWire.stage),
                    .optional("archive_existing_versions", Wire.boolean),
                ],
                answer: modelVersion)
        ) { q in
            Self.version(
                try await r.transitionStage(
                    name: try q.requiredString("name"), version: try q.requiredString("version"),
                    stage: try q.requiredString("stage"),
                    archiveExisting: try q.bool("archive_existing_versions") ?? false))
        }
        versions.add(
            .post, "model-versions/set-tag", prefixes: p,
            APICall(
                "setModelVersionTag", "Set a model-version tag",
                fields: [
                    name, version, .required("key", RegistryWire.tagKey), .optional("value", RegistryWire.tagValue),
                ])
        ) { q in
            try await r.setModelVersionTag(
                name: try q.requiredString("name"), version: try q.requiredString("version"),
                tag: Tag(key: try q.requiredString("key"), value: try q.string("value") ?? ""))
            return .empty
        }
        versions.add(
            .delete, "model-versions/delete-tag", prefixes: p,
            APICall(
                "deleteModelVersionTag", "Delete a model-version tag",
                fields: [name, version, .required("key", .nonEmptyString())])
        ) { q in
            try await r.deleteModelVersionTag(
                name: try q.requiredString("name"), version: try q.requiredString("version"),
                key: try q.requiredString("key"))
            return .empty
        }
        versions.add(
            .get, "model-versions/get-download-uri", prefixes: p,
            APICall(
                "getModelVersionDownloadUri", "Where clients download a model version from",
                fields: [name, version], answer: .object([.required("artifact_uri", .string())]))
        ) { q in
            let uri = try await r.downloadURI(
                name: try q.requiredString("name"), version: try q.requiredString("version"))
            return TrackingRoutes.object { $0.field("artifact_uri", uri) }
        }
    }

    static func model(_ m: RegisteredModel) -> JSONWriter {
        TrackingRoutes.object {
            $0.key("registered_model")
            $0.registeredModel(m)
        }
    }

    static func version(_ v: ModelVersion) -> JSONWriter {
        TrackingRoutes.object {
            $0.key("model_version")
            $0.modelVersion(v)
        }
    }
}
