import SkiffCore
import SkiffJSON

/// Writes Skiff's domain values in MLflow's protobuf-JSON shapes (reference §2).
extension JSONWriter {
    mutating func experiment(_ e: Experiment) {
        beginObject()
        field("experiment_id", e.id)
        field("name", e.name)
        field("artifact_location", e.artifactLocation)
        field("lifecycle_stage", e.lifecycleStage.rawValue)
        field("last_update_time", e.lastUpdateTime)
        field("creation_time", e.creationTime)
        array("tags", e.tags) { $0.tag($1) }
        endObject()
    }

    mutating func tag(_ t: Tag) {
        beginObject()
        field("key", t.key)
        field("value", t.value)
        endObject()
    }

    mutating func metric(_ m: Metric) {
        beginObject()
        field("key", m.key)
        field("value", m.value)
        field("timestamp", m.timestamp)
        field("step", m.step)
        field("model_id", m.modelID)
        field("dataset_name", m.datasetName)
        field("dataset_digest", m.datasetDigest)
        field("run_id", m.runID)
        endObject()
    }

    mutating func runInfo(_ info: RunInfo) {
        beginObject()
        field("run_uuid", info.runID)
        field("run_id", info.runID)
        field("experiment_id", info.experimentID)
        field("run_name", info.runName)
        field("user_id", info.userID)
        field("status", info.status.rawValue)
        field("start_time", info.startTime)
        field("end_time", info.endTime)
        field("artifact_uri", info.artifactURI)
        field("lifecycle_stage", info.lifecycleStage.rawValue)
        endObject()
    }

    mutating func run(_ run: Run) {
        beginObject()
        key("info")
        runInfo(run.info)
        key("data")
        beginObject()
        array("metrics", run.metrics) { $0.metric($1) }
        array("params", run.params) { $0.tag($1) }
        array("tags", run.tags) { $0.tag($1) }
        endObject()
        key("inputs")
        beginObject()
        array("dataset_inputs", run.datasetInputs) { w, input in
            w.beginObject()
            w.array("tags", input.tags) { $0.tag($1) }
            w.key("dataset")
            w.beginObject()
            w.field("name", input.dataset.name)
            w.field("digest", input.dataset.digest)
            w.field("source_type", input.dataset.sourceType)
            w.field("source", input.dataset.source)
            w.field("schema", input.dataset.schema)
            w.field("profile", input.dataset.profile)
            w.endObject()
            w.endObject()
        }
        array("model_inputs", run.modelInputs) { w, id in
            w.beginObject()
            w.field("model_id", id)
            w.endObject()
        }
        endObject()
        key("outputs")
        beginObject()
        array("model_outputs", run.modelOutputs) { w, output in
            w.beginObject()
            w.field("model_id", output.modelID)
            w.field("step", output.step)
            w.endObject()
        }
        endObject()
        endObject()
    }
}
