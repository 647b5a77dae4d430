/// The LoggedModel API (MLflow 3) as clients use it in every `log_model`: create, finalize, tags, params,
/// search, plus the server-maintained artifact location `<experiment>/models/<id>/artifacts`.
public struct LoggedModelService: Sendable {
    public let store: any LoggedModelStore
    let now: @Sendable () -> Int64

    /// Creates the service.
    public init(store: any LoggedModelStore, now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.now = now
    }

    /// Creates a PENDING logged model.
    /// - Throws: `invalidParameterValue` for a bad name or tag; `resourceDoesNotExist` for an unknown experiment.
    public func create(
        experimentID: String, name: String?, modelType: String?, sourceRunID: String?, userID: String?,
        params: [Param], tags: [Tag]
    ) async throws -> LoggedModel {
        try Validate.experimentID(experimentID)
        let name = (name?.isEmpty ?? true) ? RunNameGenerator.next() : name!
        guard !name.contains(where: { "/:.%\"'".contains($0) }) else {
            throw SkiffError.invalid(
                "Invalid model name '\(name.prefix(200))': names may not contain '/', ':', '.', '%', '\"' or \"'\".")
        }
        for tag in tags { try Validate.entityKey(tag.key, kind: "Tag") }
        for param in params { try Validate.entityKey(param.key, kind: "Param") }
        if let sourceRunID, !sourceRunID.isEmpty { try Validate.runID(sourceRunID) }
        let id = "m-" + TrackingService.newRunID()
        return try await store.createLoggedModel(
            NewLoggedModel(
                id: id, experimentID: experimentID, name: name, modelType: modelType,
                sourceRunID: sourceRunID.flatMap { $0.isEmpty ? nil : $0 }, userID: userID, params: params, tags: tags,
                time: now()))
    }

    /// - Throws: `resourceDoesNotExist`.
    public func get(id: String, allowDeleted: Bool = false) async throws -> LoggedModel {
        try Validate.runID(id)
        return try await store.loggedModel(id: id, allowDeleted: allowDeleted)
    }

    /// Sets the upload status (finalize).
    public func finalize(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try Validate.runID(id)
        return try await store.setLoggedModelStatus(id: id, status: status, time: now())
    }

    /// Soft-deletes a logged model.
    public func delete(id: String) async throws {
        try Validate.runID(id)
        try await store.deleteLoggedModel(id: id, time: now())
    }

    /// Sets tags.
    public func setTags(id: String, tags: [Tag]) async throws {
        try Validate.runID(id)
        for tag in tags { try Validate.entityKey(tag.key, kind: "Tag") }
        try await store.setLoggedModelTags(id: id, tags: tags, time: now())
    }

    /// Deletes a tag.
    public func deleteTag(id: String, key: String) async throws {
        try Validate.runID(id)
        try await store.deleteLoggedModelTag(id: id, key: key)
    }

    /// Adds params (at most 100 a call, as the client sends them).
    public func logParams(id: String, params: [Param]) async throws {
        try Validate.runID(id)
        guard params.count <= Limits.maxParamsPerBatch else {
            throw SkiffError.invalid("A request can contain at most \(Limits.maxParamsPerBatch) params.")
        }
        for param in params { try Validate.entityKey(param.key, kind: "Param") }
        try await store.logLoggedModelParams(
            id: id,
            params: params.map { Param(key: $0.key, value: String($0.value.prefix(Limits.maxParamValueLength))) })
    }

    /// Searches logged models.
    public func search(
        experimentIDs: [String], filter: String, maxResults: Int?, orderBy: [OrderTerm], pageToken: String?,
        datasets: [DatasetKey] = []
    ) async throws -> Page<LoggedModel> {
        for id in experimentIDs { try Validate.experimentID(id) }
        for dataset in datasets where dataset.name.isEmpty {
            throw SkiffError.invalid("`dataset_name` in the `datasets` clause must be specified.")
        }
        let max = maxResults ?? 50
        guard max > 0, max <= Limits.maxRunsPerSearch else {
            throw SkiffError.invalid("Invalid value \(max) for max_results.")
        }
        return try await store.searchLoggedModels(
            LoggedModelQuery(
                experimentIDs: experimentIDs, filter: try RegistrySearchGrammar.loggedModelFilter(filter),
                maxResults: max, orderBy: orderBy, offset: try PageToken.decodeOffset(pageToken), datasets: datasets))
    }
}
