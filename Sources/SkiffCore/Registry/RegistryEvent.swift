/// Something that happened in the registry, for webhooks and audit.
public struct RegistryEvent: Sendable, Equatable {
    /// MLflow's webhook entity names.
    public enum Entity: String, Sendable, CaseIterable {
        case registeredModel = "registered_model"
        case modelVersion = "model_version"
        case modelVersionTag = "model_version_tag"
        case modelVersionAlias = "model_version_alias"
    }

    /// MLflow's webhook action names.
    public enum Action: String, Sendable, CaseIterable {
        case created
        case set
        case deleted
    }

    public var entity: Entity
    public var action: Action
    /// Milliseconds since the Unix epoch.
    public var time: Int64
    /// The payload's `data` fields in MLflow's names and order (`name`, `version`, `alias`, `key`…).
    public var data: [(String, Field)]

    /// A value in an event payload.
    public enum Field: Sendable, Equatable {
        case string(String)
        case null
        /// A JSON object of string values (tags).
        case map([Tag])
    }

    public static func == (lhs: RegistryEvent, rhs: RegistryEvent) -> Bool {
        lhs.entity == rhs.entity && lhs.action == rhs.action && lhs.time == rhs.time
            && lhs.data.map(\.0) == rhs.data.map(\.0) && lhs.data.map(\.1) == rhs.data.map(\.1)
    }

    /// Creates an event.
    public init(entity: Entity, action: Action, time: Int64, data: [(String, Field)]) {
        self.entity = entity
        self.action = action
        self.time = time
        self.data = data
    }
}

/// Receives registry events after the change they describe has been committed.
///
/// `publish` must return at once: delivery happens elsewhere, never on the request that caused the event.
public protocol RegistryEventSink: Sendable {
    func publish(_ event: RegistryEvent)
}

/// A sink that drops events (for tools that have no webhooks).
public struct DiscardingEventSink: RegistryEventSink {
    public init() {}
    public func publish(_ event: RegistryEvent) {}
}
