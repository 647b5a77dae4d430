/// A named group of runs with its own artifact location.
public struct Experiment: Sendable, Equatable {
    /// The id, a decimal integer rendered as a string ("0" is the Default experiment).
    public var id: String
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    /// Milliseconds since the Unix epoch.
    public var creationTime: Int64
    /// Milliseconds since the Unix epoch.
    public var lastUpdateTime: Int64
    public var tags: [Tag]

    /// Creates an experiment value.
    public init(
        id: String, name: String, artifactLocation: String, lifecycleStage: LifecycleStage,
        creationTime: Int64, lastUpdateTime: Int64, tags: [Tag]
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }

    /// The id of the experiment every server starts with.
    public static let defaultID = "0"
    /// The name of the experiment every server starts with.
    public static let defaultName = "Default"
}

/// Whether an entity is live or soft-deleted.
public enum LifecycleStage: String, Sendable, Equatable {
    case active
    case deleted
}

/// Which entities a search returns, by lifecycle stage.
public enum ViewType: String, Sendable, Equatable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    /// Parses a view type by MLflow name or proto number (1, 2, 3).
    public init?(wireValue: String) {
        switch wireValue.uppercased() {
        case "ACTIVE_ONLY", "1": self = .activeOnly
        case "DELETED_ONLY", "2": self = .deletedOnly
        case "ALL", "3": self = .all
        default: return nil
        }
    }

    /// The lifecycle stages this view includes.
    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }
}

/// A key/value pair: a tag on an experiment or run, or a run parameter.
public struct Tag: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String

    /// Creates a pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A run parameter: set once, never changed.
public typealias Param = Tag
