import Foundation

/// The model registry and logged models as clients see them: validates names, aliases, stages, tags and
/// model-version sources, fills in what the server owns (version numbers, download locations, run ids from
/// logged models), and publishes registry events once a change is committed.
public struct RegistryService: Sendable {
    public let registry: any ModelRegistryStore
    public let models: any LoggedModelStore
    public let tracking: any TrackingStore
    let events: any RegistryEventSink
    let now: @Sendable () -> Int64

    /// Creates the service.
    public init(
        registry: any ModelRegistryStore, models: any LoggedModelStore, tracking: any TrackingStore,
        events: any RegistryEventSink = DiscardingEventSink(), now: @escaping @Sendable () -> Int64
    ) {
        self.registry = registry
        self.models = models
        self.tracking = tracking
        self.events = events
        self.now = now
    }

    static let maxTagValue = 100_000
    static let promptTag = "mlflow.prompt.is_prompt"

    // MARK: - Registered models

    /// Creates a registered model.
    /// - Throws: `invalidParameterValue` for a bad name or tag, `resourceAlreadyExists`.
    public func createRegisteredModel(name: String, description: String?, tags: [Tag], userID: String?) async throws
        -> RegisteredModel
    {
        try Self.validateModelName(name)
        for tag in tags { try Self.validateTag(tag) }
        let time = now()
        let model = try await registry.createRegisteredModel(
            name: name, description: description, tags: tags, userID: userID, time: time)
        events.publish(
            RegistryEvent(
                entity: .registeredModel, action: .created, time: time,
                data: [
                    ("name", .string(name)), ("tags", .map(tags)),
                    ("description", description.map { .string($0) } ?? .null),
                ]))
        return model
    }

    /// - Throws: `resourceDoesNotExist`.
    public func registeredModel(name: String) async throws -> RegisteredModel {
        try Self.requireName(name)
        return try await registry.registeredModel(name: name)
    }

    /// Renames a model; its versions and aliases follow.
    public func renameRegisteredModel(name: String, newName: String) async throws -> RegisteredModel {
        try Self.requireName(name)
        try Self.validateModelName(newName)
        return try await registry.renameRegisteredModel(name: name, newName: newName, time: now())
    }

    /// Sets a model's description.
    public func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel {
        try Self.requireName(name)
        return try await registry.updateRegisteredModel(name: name, description: description, time: now())
    }

    /// Deletes a model and everything under it.
    public func deleteRegisteredModel(name: String) async throws {
        try Self.requireName(name)
        try await registry.deleteRegisteredModel(name: name)
    }

    /// Searches registered models (at most 1000 a page, 100 by default).
    public func searchRegisteredModels(filter: String, maxResults: Int?, orderBy: [String], pageToken: String?)
        async throws -> Page<RegisteredModel>
    {
        let max = maxResults ?? 100
        guard max > 0, max <= 1000 else {
            throw SkiffError.invalid("Invalid value for max_results. It must be at most 1000, and greater than 0")
        }
        return try await registry.searchRegisteredModels(
            RegisteredModelQuery(
                filter: try RegistrySearchGrammar.registeredModelFilter(filter), maxResults: max,
                orderBy: try RegistrySearchGrammar.registeredModelOrder(orderBy),
                offset: try PageToken.decodeOffset(pageToken)))
    }

    /// Sets a registered-model tag.
    public func setRegisteredModelTag(name: String, tag: Tag) async throws {
        try Self.requireName(name)
        try Self.validateTag(tag)
        try await registry.setRegisteredModelTag(name: name, tag: tag, time: now())
    }

    /// Deletes a registered-model tag.
    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try Self.requireName(name)
        try await registry.deleteRegisteredModelTag(name: name, key: key)
    }

    /// The newest version in each requested stage (every stage when none is given).
    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        let model = try await registeredModel(name: name)
        guard !stages.isEmpty else { return model.latestVersions }
        let wanted = try stages.map { text throws(SkiffError) in try Self.stage(text) }
        return model.latestVersions.filter { wanted.contains($0.stage) }
    }

    // MARK: - Aliases

    /// Points an alias at a version (moving it if needed).
    public func setAlias(name: String, alias: String, version: String) async throws {
        try Self.requireName(name)
        try Self.validateAlias(alias)
        let number = try Self.versionNumber(version)
        let time = now()
        try await registry.setAlias(name: name, alias: alias, version: number, time: time)
        events.publish(
            RegistryEvent(
                entity: .modelVersionAlias, action: .created, time: time,
                data: [("name", .string(name)), ("alias", .string(alias)), ("version", .string(String(number)))]))
    }

    /// Removes an alias.
    public func deleteAlias(name: String, alias: String) async throws {
        try Self.requireName(name)
        try Self.validateAlias(alias)
        let time = now()
        try await registry.deleteAlias(name: name, alias: alias, time: time)
        events.publish(
            RegistryEvent(
                entity: .modelVersionAlias, action: .deleted, time: time,
                data: [("name", .string(name)), ("alias", .string(alias))]))
    }

    /// The version an alias points at.
    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try Self.requireName(name)
        guard !alias.isEmpty else { throw SkiffError.missingParameter("alias") }
        return try await registry.modelVersion(name: name, alias: alias)
    }

    // MARK: - Model versions

    /// Creates the next version of a registered model after validating its source.
    /// - Throws: `invalidParameterValue` "Invalid model version source" for anything unsafe.
    public func createModelVersion(
        name: String, source: String, runID: String?, modelID: String?, runLink: String?, description: String?,
        tags: [Tag], userID: String?
    ) async throws -> ModelVersion {
        try Self.requireName(name)
        guard !source.isEmpty else { throw SkiffError.missingParameter("source") }
        for tag in tags { try Self.validateTag(tag) }
        var runID = runID.flatMap { $0.isEmpty ? nil : $0 }
        var modelID = modelID.flatMap { $0.isEmpty ? nil : $0 }
        if let runID { try Validate.runID(runID) }
        if let modelID { try Validate.runID(modelID) }
        _ = try await registry.registeredModel(name: name)
        var storage = source

        if source.hasPrefix("models:/") {
            let rest = String(source.dropFirst("models:/".count))
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 1, rest.hasPrefix("m-") {
                // A logged model: it must be the one named by model_id, if given.
                if let modelID, modelID != rest { throw ModelSourceValidator.invalid(source) }
                let model = try await loggedModelForSource(rest, source)
                modelID = model.id
                if let runID, let owner = model.sourceRunID, owner != runID {
                    throw ModelSourceValidator.invalid(source)
                }
                runID = runID ?? model.sourceRunID
                storage = model.artifactURI
            } else if parts.count == 2, let version = Int64(parts[1]) {
                let resolved: ModelVersion
                do {
                    resolved = try await registry.modelVersion(name: String(parts[0]), version: version)
                } catch let error as SkiffError where error.code == .resourceDoesNotExist {
                    throw ModelSourceValidator.invalid(source)
                }
                if let runID, let owner = resolved.runID, owner != runID { throw ModelSourceValidator.invalid(source) }
                if let modelID, let owner = resolved.modelID, owner != modelID {
                    throw ModelSourceValidator.invalid(source)
                }
                runID = runID ?? resolved.runID
                modelID = modelID ?? resolved.modelID
                storage = resolved.storageLocation
            } else {
                throw ModelSourceValidator.invalid(source)
            }
        } else if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count)
            let sourceRun = String(rest.prefix { $0 != "/" })
            guard !sourceRun.isEmpty, runID == nil || runID == sourceRun else {
                throw ModelSourceValidator.invalid(source)
            }
            let path = rest.dropFirst(sourceRun.count)
            if PathDecoding.fullyDecoded(String(path)).split(separator: "/").contains("..") {
                throw ModelSourceValidator.invalid(source)
            }
            try Validate.runID(sourceRun)
            _ = try await tracking.run(id: sourceRun)
            runID = sourceRun
        } else {
            var context = ModelSourceValidator.Context(runArtifactURI: nil, modelArtifactURI: nil)
            if let runID { context.runArtifactURI = try await tracking.run(id: runID).info.artifactURI }
            if let modelID { context.modelArtifactURI = try await loggedModelForSource(modelID, source).artifactURI }
            try ModelSourceValidator.validateStorageSource(source, context: context)
        }
        let time = now()
        let version = try await registry.createModelVersion(
            NewModelVersion(
                name: name, source: source, storageLocation: storage, runID: runID, runLink: runLink,
                modelID: modelID, description: description, userID: userID, tags: tags, time: time))
        if let modelID { try await recordRegistration(modelID: modelID, name: name, version: version.version) }
        events.publish(
            RegistryEvent(
                entity: .modelVersion, action: .created, time: time,
                data: [
                    ("name", .string(name)), ("version", .string(String(version.version))), ("source", .string(source)),
                    ("run_id", runID.map { .string($0) } ?? .null), ("tags", .map(tags)),
                    ("description", description.map { .string($0) } ?? .null),
                ]))
        return version
    }

    /// Appends `{name, version}` to the logged model's server-maintained `mlflow.modelVersions` tag, byte for byte
    /// as MLflow writes it: `json.dumps` of the list, with the version as a number; a pair already listed is kept.
    private func recordRegistration(modelID: String, name: String, version: Int64) async throws {
        let model = try await models.loggedModel(id: modelID, allowDeleted: false)
        let key = "mlflow.modelVersions"
        var entries: [(name: String, version: Int64)] = []
        if let existing = model.tags.first(where: { $0.key == key })?.value,
            let parsed = try? JSONSerialization.jsonObject(with: Data(existing.utf8)) as? [[String: Any]]
        {
            entries = parsed.compactMap { entry in
                guard let name = entry["name"] as? String else { return nil }
                if let number = entry["version"] as? NSNumber { return (name, number.int64Value) }
                if let text = entry["version"] as? String, let number = Int64(text) { return (name, number) }
                return nil
            }
        }
        if !entries.contains(where: { $0.name == name && $0.version == version }) {
            entries.append((name, version))
        }
        let text =
            "["
            + entries.map { "{\"name\": \(PythonJSON.string($0.name)), \"version\": \($0.version)}" }
            .joined(separator: ", ") + "]"
        try await models.setLoggedModelTags(id: modelID, tags: [Tag(key: key, value: text)], time: now())
    }

    private func loggedModelForSource(_ id: String, _ source: String) async throws -> LoggedModel {
        do {
            return try await models.loggedModel(id: id, allowDeleted: false)
        } catch let error as SkiffError where error.code == .resourceDoesNotExist {
            throw ModelSourceValidator.invalid(source)
        }
    }

    /// - Throws: `resourceDoesNotExist`.
    public func modelVersion(name: String, version: String) async throws -> ModelVersion {
        try Self.requireName(name)
        return try await registry.modelVersion(name: name, version: try Self.versionNumber(version))
    }

    /// Sets a version's description.
    public func updateModelVersion(name: String, version: String, description: String?) async throws -> ModelVersion {
        try Self.requireName(name)
        return try await registry.updateModelVersion(
            name: name, version: try Self.versionNumber(version), description: description, time: now())
    }

    /// Deletes a version.
    public func deleteModelVersion(name: String, version: String) async throws {
        try Self.requireName(name)
        try await registry.deleteModelVersion(name: name, version: try Self.versionNumber(version))
    }

    /// Moves a version to a stage.
    public func transitionStage(name: String, version: String, stage: String, archiveExisting: Bool) async throws
        -> ModelVersion
    {
        try Self.requireName(name)
        return try await registry.transitionStage(
            name: name, version: try Self.versionNumber(version), stage: try Self.stage(stage),
            archiveExisting: archiveExisting, time: now())
    }

    /// Searches model versions (at most 200000 a page).
    public func searchModelVersions(filter: String, maxResults: Int?, orderBy: [String], pageToken: String?)
        async throws -> Page<ModelVersion>
    {
        let max = maxResults ?? 10000
        guard max > 0, max <= 200_000 else {
            throw SkiffError.invalid("Invalid value for max_results. It must be at most 200000, and greater than 0")
        }
        return try await registry.searchModelVersions(
            ModelVersionQuery(
                filter: try RegistrySearchGrammar.modelVersionFilter(filter), maxResults: max,
                orderBy: try RegistrySearchGrammar.modelVersionOrder(orderBy),
                offset: try PageToken.decodeOffset(pageToken)))
    }

    /// Sets a version tag.
    public func setModelVersionTag(name: String, version: String, tag: Tag) async throws {
        try Self.requireName(name)
        try Self.validateTag(tag)
        let number = try Self.versionNumber(version)
        let time = now()
        try await registry.setModelVersionTag(name: name, version: number, tag: tag, time: time)
        events.publish(
            RegistryEvent(
                entity: .modelVersionTag, action: .set, time: time,
                data: [
                    ("name", .string(name)), ("version", .string(String(number))), ("key", .string(tag.key)),
                    ("value", .string(tag.value)),
                ]))
    }

    /// Deletes a version tag.
    public func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        try Self.requireName(name)
        let number = try Self.versionNumber(version)
        let time = now()
        try await registry.deleteModelVersionTag(name: name, version: number, key: key)
        events.publish(
            RegistryEvent(
                entity: .modelVersionTag, action: .deleted, time: time,
                data: [("name", .string(name)), ("version", .string(String(number))), ("key", .string(key))]))
    }

    /// Where clients download a version from.
    public func downloadURI(name: String, version: String) async throws -> String {
        try await modelVersion(name: name, version: version).storageLocation
    }

    // MARK: - Rules

    /// A registered-model name: non-blank, at most 500 characters, no `/`, `:`, `%`-escapes, control characters,
    /// and not `.` or `..` (names become path segments in `models:/` URIs; CVE-2024-3099).
    public static func validateModelName(_ name: String) throws(SkiffError) {
        guard !name.trimmingWhitespace.isEmpty else { throw .missingParameter("name") }
        guard name.count <= 500 else { throw .invalid("Registered model name exceeds the maximum length of 500.") }
        guard !name.contains("/"), !name.contains(":") else {
            throw .invalid("Invalid name: '\(name.prefix(200))'. Registered model names cannot contain '/' or ':'.")
        }
        guard PathDecoding.decodeOnce(name) == name, name != ".", name != "..",
            !name.unicodeScalars.contains(where: { $0.value < 0x20 })
        else {
            throw .invalid("Invalid name: '\(name.prefix(200))'.")
        }
    }

    /// An alias: `[\w-]{1,255}`, not `latest` and not `v<digits>` (those name versions).
    public static func validateAlias(_ alias: String) throws(SkiffError) {
        guard !alias.isEmpty else { throw .missingParameter("alias") }
        guard alias.count <= 255 else { throw .invalid("Alias '\(alias.prefix(50))…' exceeds 255 characters.") }
        guard alias.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw .invalid("Invalid alias name: '\(alias)'. Aliases may only contain alphanumerics, '_' and '-'.")
        }
        let lower = alias.lowercased()
        if lower == "latest" { throw .invalid("'latest' alias name (case insensitive) is reserved.") }
        if lower.hasPrefix("v"), lower.count > 1, lower.dropFirst().allSatisfy(\.isNumber) {
            throw .invalid("Version alias name '\(alias)' is reserved.")
        }
    }

    static func validateTag(_ tag: Tag) throws(SkiffError) {
        guard !tag.key.isEmpty else { throw .missingParameter("key") }
        guard tag.key.count <= Limits.maxEntityKeyLength else {
            throw .invalid("'key' exceeds the maximum length of \(Limits.maxEntityKeyLength) characters")
        }
        guard tag.value.count <= maxTagValue else {
            throw .invalid("'value' exceeds the maximum length of \(maxTagValue) characters")
        }
    }

    static func requireName(_ name: String) throws(SkiffError) {
        guard !name.isEmpty else { throw .missingParameter("name") }
    }

    static func versionNumber(_ text: String) throws(SkiffError) -> Int64 {
        guard let v = Int64(text), v > 0 else {
            throw .invalid("Model version must be a positive integer, got '\(text.prefix(50))'.")
        }
        return v
    }

    static func stage(_ text: String) throws(SkiffError) -> ModelStage {
        guard let stage = ModelStage(wireValue: text) else {
            throw .invalid(
                "Invalid Model Version stage: \(text). Value must be one of None, Staging, Production, Archived.")
        }
        return stage
    }
}
