import Hummingbird
import SkiffCore
import SkiffJSON

/// MLflow's model registry endpoints (reference §3).
struct RegistryRoutes {
    let registry: RegistryService

    func register(_ api: APIResponder) {
        let r = registry
        let p = TrackingRoutes.prefixes

        api.add(.post, "registered-models/create", prefixes: p) { q in
            Self.model(
                try await r.createRegisteredModel(
                    name: try q.requiredString("name"), description: try q.string("description"),
                    tags: try q.tags("tags"), userID: nil))
        }
        api.add(.get, "registered-models/get", prefixes: p) { q in
            Self.model(try await r.registeredModel(name: try q.requiredString("name")))
        }
        api.add(.post, "registered-models/rename", prefixes: p) { q in
            Self.model(
                try await r.renameRegisteredModel(
                    name: try q.requiredString("name"), newName: try q.requiredString("new_name")))
        }
        api.add(.patch, "registered-models/update", prefixes: p) { q in
            Self.model(
                try await r.updateRegisteredModel(
                    name: try q.requiredString("name"), description: try q.string("description")))
        }
        api.add(.delete, "registered-models/delete", prefixes: p) { q in
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
        api.add(.get, "registered-models/search", prefixes: p, searchModels)
        api.add(.post, "registered-models/search", prefixes: p, searchModels)
        let latest: APIResponder.Handler = { q in
            let versions = try await r.latestVersions(
                name: try q.requiredString("name"), stages: try q.strings("stages"))
            return TrackingRoutes.object { $0.array("model_versions", versions) { $0.modelVersion($1) } }
        }
        api.add(.post, "registered-models/get-latest-versions", prefixes: p, latest)
        api.add(.get, "registered-models/get-latest-versions", prefixes: p, latest)
        api.add(.post, "registered-models/set-tag", prefixes: p) { q in
            try await r.setRegisteredModelTag(
                name: try q.requiredString("name"),
                tag: Tag(key: try q.requiredString("key"), value: try q.string("value") ?? ""))
            return .empty
        }
        api.add(.delete, "registered-models/delete-tag", prefixes: p) { q in
            try await r.deleteRegisteredModelTag(name: try q.requiredString("name"), key: try q.requiredString("key"))
            return .empty
        }
        api.add(.post, "registered-models/alias", prefixes: p) { q in
            try await r.setAlias(
                name: try q.requiredString("name"), alias: try q.requiredString("alias"),
                version: try q.requiredString("version"))
            return .empty
        }
        api.add(.delete, "registered-models/alias", prefixes: p) { q in
            try await r.deleteAlias(name: try q.requiredString("name"), alias: try q.requiredString("alias"))
            return .empty
        }
        api.add(.get, "registered-models/alias", prefixes: p) { q in
            Self.version(
                try await r.modelVersion(name: try q.requiredString("name"), alias: try q.requiredString("alias")))
        }

        api.add(.post, "model-versions/create", prefixes: p) { q in
            Self.version(
                try await r.createModelVersion(
                    name: try q.requiredString("name"), source: try q.requiredString("source"),
                    runID: try q.string("run_id"), modelID: try q.string("model_id"), runLink: try q.string("run_link"),
                    description: try q.string("description"), tags: try q.tags("tags"), userID: nil))
        }
        api.add(.get, "model-versions/get", prefixes: p) { q in
            Self.version(
                try await r.modelVersion(name: try q.requiredString("name"), version: try q.requiredString("version")))
        }
        api.add(.patch, "model-versions/update", prefixes: p) { q in
            Self.version(
                try await r.updateModelVersion(
                    name: try q.requiredString("name"), version: try q.requiredString("version"),
                    description: try q.string("description")))
        }
        api.add(.delete, "model-versions/delete", prefixes: p) { q in
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
        api.add(.get, "model-versions/search", prefixes: p, searchVersions)
        api.add(.post, "model-versions/search", prefixes: p, searchVersions)
        api.add(.post, "model-versions/transition-stage", prefixes: p) { q in
            Self.version(
                try await r.transitionStage(
                    name: try q.requiredString("name"), version: try q.requiredString("version"),
                    stage: try q.requiredString("stage"),
                    archiveExisting: try q.bool("archive_existing_versions") ?? false))
        }
        api.add(.post, "model-versions/set-tag", prefixes: p) { q in
            try await r.setModelVersionTag(
                name: try q.requiredString("name"), version: try q.requiredString("version"),
                tag: Tag(key: try q.requiredString("key"), value: try q.string("value") ?? ""))
            return .empty
        }
        api.add(.delete, "model-versions/delete-tag", prefixes: p) { q in
            try await r.deleteModelVersionTag(
                name: try q.requiredString("name"), version: try q.requiredString("version"),
                key: try q.requiredString("key"))
            return .empty
        }
        api.add(.get, "model-versions/get-download-uri", prefixes: p) { q in
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
