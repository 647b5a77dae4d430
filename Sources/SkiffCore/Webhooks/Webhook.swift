/// A registered HTTP endpoint that receives signed registry events (MLflow's webhooks, 3.3+).
public struct Webhook: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var url: String
    public var events: [WebhookEvent]
    /// The HMAC key; never returned to clients.
    public var secret: String?
    public var status: WebhookStatus
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64

    /// Creates a webhook value.
    public init(
        id: String, name: String, description: String?, url: String, events: [WebhookEvent], secret: String?,
        status: WebhookStatus, creationTimestamp: Int64, lastUpdatedTimestamp: Int64
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.url = url
        self.events = events
        self.secret = secret
        self.status = status
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
    }

    /// Whether this webhook wants `event`.
    public func subscribes(to entity: RegistryEvent.Entity, _ action: RegistryEvent.Action) -> Bool {
        status == .active && events.contains { $0.entity == entity && $0.action == action }
    }
}

/// One (entity, action) pair a webhook subscribes to.
public struct WebhookEvent: Sendable, Equatable, Hashable {
    public var entity: RegistryEvent.Entity
    public var action: RegistryEvent.Action

    /// Creates an event type.
    public init(entity: RegistryEvent.Entity, action: RegistryEvent.Action) {
        self.entity = entity
        self.action = action
    }

    /// The pairs Skiff emits, as MLflow defines them.
    public static let valid: Set<WebhookEvent> = [
        .init(entity: .registeredModel, action: .created), .init(entity: .modelVersion, action: .created),
        .init(entity: .modelVersionTag, action: .set), .init(entity: .modelVersionTag, action: .deleted),
        .init(entity: .modelVersionAlias, action: .created), .init(entity: .modelVersionAlias, action: .deleted),
    ]
}

/// Whether a webhook is delivered to.
public enum WebhookStatus: String, Sendable, Equatable {
    case active = "ACTIVE"
    case disabled = "DISABLED"
}

/// Persistent storage of webhooks.
public protocol WebhookStore: Sendable {
    /// Stores a new webhook.
    func createWebhook(_ webhook: Webhook) async throws
    /// - Throws: `resourceDoesNotExist`.
    func webhook(id: String) async throws -> Webhook
    /// Webhooks ordered by creation time, paged.
    func listWebhooks(maxResults: Int, offset: Int) async throws -> Page<Webhook>
    /// Replaces a webhook's fields.
    func updateWebhook(_ webhook: Webhook) async throws
    /// - Throws: `resourceDoesNotExist`.
    func deleteWebhook(id: String) async throws
    /// Active webhooks subscribed to an event.
    func activeWebhooks(for entity: RegistryEvent.Entity, _ action: RegistryEvent.Action) async throws -> [Webhook]
}
