/// Persistent storage of logged models (MLflow 3's LoggedModel API).
public protocol LoggedModelStore: Sendable {
    /// Creates a PENDING logged model under `<experiment artifact location>/models/<id>/artifacts`.
    /// - Throws: `resourceDoesNotExist` for an unknown experiment, `invalidParameterValue` for a deleted one.
    func createLoggedModel(_ new: NewLoggedModel) async throws -> LoggedModel
    /// - Throws: `resourceDoesNotExist`, also for a deleted model unless `allowDeleted`.
    func loggedModel(id: String, allowDeleted: Bool) async throws -> LoggedModel
    /// Sets the upload status (the client's "finalize").
    func setLoggedModelStatus(id: String, status: LoggedModelStatus, time: Int64) async throws -> LoggedModel
    /// Soft-deletes a logged model.
    func deleteLoggedModel(id: String, time: Int64) async throws
    /// Sets (inserts or overwrites) tags.
    func setLoggedModelTags(id: String, tags: [Tag], time: Int64) async throws
    /// Deletes a tag.
    /// - Throws: `resourceDoesNotExist` when absent.
    func deleteLoggedModelTag(id: String, key: String) async throws
    /// Adds params; re-logging the same value is a no-op, a different value is refused.
    func logLoggedModelParams(id: String, params: [Param]) async throws
    /// Searches logged models of the given experiments.
    func searchLoggedModels(_ query: LoggedModelQuery) async throws -> Page<LoggedModel>
}

/// Persistent storage of the model registry: registered models, versions, tags, aliases and stages.
public protocol ModelRegistryStore: Sendable {
    /// - Throws: `resourceAlreadyExists` when the name is taken.
    func createRegisteredModel(name: String, description: String?, tags: [Tag], userID: String?, time: Int64)
        async throws -> RegisteredModel
    /// - Throws: `resourceDoesNotExist`.
    func registeredModel(name: String) async throws -> RegisteredModel
    /// Renames a model; its versions follow.
    func renameRegisteredModel(name: String, newName: String, time: Int64) async throws -> RegisteredModel
    /// Sets the description.
    func updateRegisteredModel(name: String, description: String?, time: Int64) async throws -> RegisteredModel
    /// Deletes a model with its versions, tags and aliases.
    func deleteRegisteredModel(name: String) async throws
    /// Searches registered models.
    func searchRegisteredModels(_ query: RegisteredModelQuery) async throws -> Page<RegisteredModel>
    /// Sets a registered-model tag.
    func setRegisteredModelTag(name: String, tag: Tag, time: Int64) async throws
    /// Deletes a registered-model tag.
    func deleteRegisteredModelTag(name: String, key: String) async throws
    /// Points `alias` at `version`, moving it if it pointed elsewhere.
    func setAlias(name: String, alias: String, version: Int64, time: Int64) async throws
    /// Removes an alias.
    func deleteAlias(name: String, alias: String, time: Int64) async throws
    /// The version an alias points at.
    /// - Throws: `invalidParameterValue` for an unknown alias (MLflow answers 400, not 404).
    func modelVersion(name: String, alias: String) async throws -> ModelVersion
    /// Creates the next version (max + 1) of a model, READY at once.
    func createModelVersion(_ new: NewModelVersion) async throws -> ModelVersion
    /// - Throws: `resourceDoesNotExist`.
    func modelVersion(name: String, version: Int64) async throws -> ModelVersion
    /// Sets a version's description.
    func updateModelVersion(name: String, version: Int64, description: String?, time: Int64) async throws
        -> ModelVersion
    /// Deletes a version, its tags and the aliases pointing at it.
    func deleteModelVersion(name: String, version: Int64) async throws
    /// Moves a version to a stage, optionally archiving the versions already in it.
    func transitionStage(name: String, version: Int64, stage: ModelStage, archiveExisting: Bool, time: Int64)
        async throws -> ModelVersion
    /// Searches model versions.
    func searchModelVersions(_ query: ModelVersionQuery) async throws -> Page<ModelVersion>
    /// Sets a version tag.
    func setModelVersionTag(name: String, version: Int64, tag: Tag, time: Int64) async throws
    /// Deletes a version tag.
    func deleteModelVersionTag(name: String, version: Int64, key: String) async throws
}
