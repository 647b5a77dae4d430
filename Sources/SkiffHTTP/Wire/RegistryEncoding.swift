import SkiffCore
import SkiffJSON

/// Writes registry and logged-model values in MLflow's protobuf-JSON shapes (reference §2.4, §3).
extension JSONWriter {
    mutating func modelVersion(_ v: ModelVersion) {
        beginObject()
        field("name", v.name)
        field("version", String(v.version))
        field("creation_timestamp", v.creationTimestamp)
        field("last_updated_timestamp", v.lastUpdatedTimestamp)
        field("user_id", v.userID)
        field("current_stage", v.stage.rawValue)
        field("description", v.description ?? "")
        field("source", v.source)
        field("run_id", v.runID ?? "")
        field("status", "READY")
        array("tags", v.tags) { $0.tag($1) }
        field("run_link", v.runLink ?? "")
        array("aliases", v.aliases) { $0.string($1) }
        endObject()
    }

    mutating func registeredModel(_ m: RegisteredModel) {
        beginObject()
        field("name", m.name)
        field("creation_timestamp", m.creationTimestamp)
        field("last_updated_timestamp", m.lastUpdatedTimestamp)
        field("user_id", m.userID)
        field("description", m.description)
        array("latest_versions", m.latestVersions) { $0.modelVersion($1) }
        array("tags", m.tags) { $0.tag($1) }
        array("aliases", m.aliases) { w, alias in
            w.beginObject()
            w.field("alias", alias.alias)
            w.field("version", String(alias.version))
            w.endObject()
        }
        endObject()
    }

    mutating func loggedModel(_ m: LoggedModel) {
        beginObject()
        key("info")
        beginObject()
        field("model_id", m.id)
        field("experiment_id", m.experimentID)
        field("name", m.name)
        field("creation_timestamp_ms", m.creationTime)
        field("last_updated_timestamp_ms", m.lastUpdatedTime)
        field("artifact_uri", m.artifactURI)
        field("status", m.status.rawValue)
        field("creator_id", m.userID)
        field("model_type", m.modelType ?? "")
        field("source_run_id", m.sourceRunID ?? "")
        field("status_message", m.statusMessage)
        array("tags", m.tags) { $0.tag($1) }
        endObject()
        key("data")
        beginObject()
        array("params", m.params) { $0.tag($1) }
        array("metrics", m.metrics) { $0.metric($1) }
        endObject()
        endObject()
    }
}
