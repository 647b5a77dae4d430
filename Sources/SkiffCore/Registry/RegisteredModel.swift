/// A named model in the registry: a sequence of versions with tags and aliases.
public struct RegisteredModel: Sendable, Equatable {
    public var name: String
    /// Milliseconds since the Unix epoch.
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var description: String?
    public var userID: String?
    public var tags: [Tag]
    /// Alias name → version number.
    public var aliases: [ModelAlias]
    /// The newest version in each stage, maintained by the server.
    public var latestVersions: [ModelVersion]

    /// Creates a registered model value.
    public init(
        name: String, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, description: String?, userID: String?,
        tags: [Tag], aliases: [ModelAlias], latestVersions: [ModelVersion]
    ) {
        self.name = name
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.description = description
        self.userID = userID
        self.tags = tags
        self.aliases = aliases
        self.latestVersions = latestVersions
    }
}

/// An alias pointing at one version of a registered model.
public struct ModelAlias: Sendable, Equatable {
    public var alias: String
    public var version: Int64

    /// Creates an alias.
    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}

/// One version of a registered model.
public struct ModelVersion: Sendable, Equatable {
    public var name: String
    public var version: Int64
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var userID: String?
    public var stage: ModelStage
    public var description: String?
    public var source: String
    public var runID: String?
    public var runLink: String?
    public var modelID: String?
    /// Where clients download the version from (the logged model's artifact URI for `models:/m-…`).
    public var storageLocation: String
    public var tags: [Tag]
    public var aliases: [String]

    /// Creates a model version value.
    public init(
        name: String, version: Int64, creationTimestamp: Int64, lastUpdatedTimestamp: Int64, userID: String?,
        stage: ModelStage, description: String?, source: String, runID: String?, runLink: String?,
        modelID: String?, storageLocation: String, tags: [Tag], aliases: [String]
    ) {
        self.name = name
        self.version = version
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.userID = userID
        self.stage = stage
        self.description = description
        self.source = source
        self.runID = runID
        self.runLink = runLink
        self.modelID = modelID
        self.storageLocation = storageLocation
        self.tags = tags
        self.aliases = aliases
    }
}

/// MLflow's (deprecated but still used) model version stages.
public enum ModelStage: String, Sendable, Equatable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    /// Parses a stage case-insensitively, as MLflow does.
    public init?(wireValue: String) {
        guard let stage = Self.allCases.first(where: { $0.rawValue.lowercased() == wireValue.lowercased() }) else {
            return nil
        }
        self = stage
    }
}
