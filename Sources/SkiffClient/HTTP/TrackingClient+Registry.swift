import Foundation

/// The write calls `skiff convert` makes: a run, a logged model with its files, and a new registry version.
extension TrackingClient {
    /// A run created on the server.
    package struct CreatedRun: Sendable {
        /// The run's ID.
        package var runID: String
    }

    /// A logged model created on the server.
    package struct CreatedModel: Sendable {
        /// The logged model's ID, `m-…`.
        package var modelID: String
        /// Its artifact directory, relative to the artifact proxy root.
        package var artifactPath: String
    }

    /// The experiment a run belongs to.
    /// - Parameter runID: The run's ID.
    package func experimentID(ofRun runID: String) async throws(ClientError) -> String {
        let answer = try await get("/api/2.0/mlflow/runs/get", query: [("run_id", runID)])
        let run = try expectObject(answer, what: "read run \(runID)")["run"] as? [String: Any]
        guard let id = (run?["info"] as? [String: Any])?["experiment_id"] as? String else {
            throw ClientError(.serverError, "The tracking server at \(displayName) sent a run without an experiment.")
        }
        return id
    }

    /// Creates a run.
    /// - Parameters:
    ///   - experimentID: The experiment to create it in.
    ///   - name: The run's name.
    ///   - tags: Tags to set on it.
    package func createRun(experimentID: String, name: String, tags: [String: String]) async throws(ClientError)
        -> CreatedRun
    {
        let object = try await call(
            "POST", "/api/2.0/mlflow/runs/create",
            json: [
                "experiment_id": experimentID, "run_name": name, "start_time": Self.nowMilliseconds,
                "tags": Self.wireTags(tags),
            ], what: "create a run")
        guard let id = ((object["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String else {
            throw ClientError(.serverError, "The tracking server at \(displayName) created a run without an ID.")
        }
        return CreatedRun(runID: id)
    }

    /// Marks a run finished or failed.
    /// - Parameters:
    ///   - runID: The run.
    ///   - status: `FINISHED` or `FAILED`.
    package func endRun(_ runID: String, status: String) async throws(ClientError) {
        _ = try await call(
            "POST", "/api/2.0/mlflow/runs/update",
            json: ["run_id": runID, "status": status, "end_time": Self.nowMilliseconds], what: "finish run \(runID)")
    }

    /// Creates a logged model (MLflow 3) produced by a run.
    /// - Parameters:
    ///   - experimentID: The experiment.
    ///   - name: The model's name within the run, such as `model`.
    ///   - runID: The run that produced it.
    ///   - modelType: A free-form type, such as `onnx`.
    ///   - tags: Tags to set on it.
    package func createLoggedModel(
        experimentID: String, name: String, runID: String, modelType: String, tags: [String: String]
    ) async throws(ClientError) -> CreatedModel {
        let object = try await call(
            "POST", "/api/2.0/mlflow/logged-models",
            json: [
                "experiment_id": experimentID, "name": name, "source_run_id": runID, "model_type": modelType,
                "tags": Self.wireTags(tags),
            ], what: "create a logged model")
        let info = (object["model"] as? [String: Any])?["info"] as? [String: Any]
        guard let id = info?["model_id"] as? String, let uri = info?["artifact_uri"] as? String else {
            throw ClientError(.serverError, "The tracking server at \(displayName) created a model without an ID.")
        }
        guard let path = ModelFetcher.proxyPath(uri) else {
            throw ClientError(
                .unsupportedLocation,
                "The tracking server at \(displayName) stores new models outside its artifact proxy; Skiff cannot "
                    + "upload there.")
        }
        try ModelFetcher.validateArtifactPath(path, name: name)
        return CreatedModel(modelID: id, artifactPath: path)
    }

    /// Marks a logged model ready once its files are uploaded.
    /// - Parameter modelID: The logged model.
    package func finalizeLoggedModel(_ modelID: String) async throws(ClientError) {
        _ = try await call(
            "PATCH", "/api/2.0/mlflow/logged-models/\(Self.percentEncoded(modelID))",
            json: ["model_id": modelID, "status": "LOGGED_MODEL_READY"], what: "finalize the logged model")
    }

    /// Creates a registered model, or does nothing when it exists.
    /// - Parameter name: The registered model name.
    package func ensureRegisteredModel(_ name: String) async throws(ClientError) {
        let answer = try await send("POST", "/api/2.0/mlflow/registered-models/create", json: ["name": name])
        if answer.errorCode == "RESOURCE_ALREADY_EXISTS" { return }
        _ = try expectObject(answer, what: "create the registered model '\(name)'")
    }

    /// Registers a logged model as a new version.
    /// - Parameters:
    ///   - name: The registered model.
    ///   - modelID: The logged model to register.
    ///   - runID: The run that produced it.
    ///   - description: The version's description.
    ///   - tags: Tags to set on the version.
    /// - Returns: The new version number.
    package func createModelVersion(
        name: String, modelID: String, runID: String, description: String, tags: [String: String]
    ) async throws(ClientError) -> String {
        let object = try await call(
            "POST", "/api/2.0/mlflow/model-versions/create",
            json: [
                "name": name, "source": "models:/\(modelID)", "run_id": runID, "model_id": modelID,
                "description": description, "tags": Self.wireTags(tags),
            ], what: "register a new version of '\(name)'")
        guard let version = ModelFetcher.versionText((object["model_version"] as? [String: Any])?["version"]) else {
            throw ClientError(
                .serverError, "The tracking server at \(displayName) registered a version without a number.")
        }
        return version
    }

    private static func wireTags(_ tags: [String: String]) -> [[String: String]] {
        tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
    }

    private static var nowMilliseconds: Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
