import GRDB
import SkiffCore

extension SQLiteTrackingStore: WebhookStore {
    public func createWebhook(_ webhook: Webhook) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO webhooks(webhook_id, name, description, url, events, secret, status, creation_time,
                    last_updated_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: Self.webhookArguments(webhook))
        }
    }

    public func webhook(id: String) async throws -> Webhook {
        try await read { db in
            guard let hook = try Self.fetchWebhooks(db, "WHERE webhook_id = ?", [id]).first else {
                throw SkiffError.notFound("Webhook with ID \(id) not found.")
            }
            return hook
        }
    }

    public func listWebhooks(maxResults: Int, offset: Int) async throws -> Page<Webhook> {
        try await read { db in
            let hooks = try Self.fetchWebhooks(
                db, "ORDER BY creation_time, webhook_id LIMIT ? OFFSET ?", [maxResults + 1, offset])
            let next = hooks.count > maxResults ? PageToken.encode(offset: offset + maxResults) : nil
            return Page(items: Array(hooks.prefix(maxResults)), nextPageToken: next)
        }
    }

    public func updateWebhook(_ webhook: Webhook) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE webhooks SET name = ?, description = ?, url = ?, events = ?, secret = ?, status = ?,
                    last_updated_time = ? WHERE webhook_id = ?
                    """,
                arguments: [
                    webhook.name, webhook.description, webhook.url, Self.encode(webhook.events), webhook.secret,
                    webhook.status.rawValue, webhook.lastUpdatedTimestamp, webhook.id,
                ])
            guard db.changesCount > 0 else { throw SkiffError.notFound("Webhook with ID \(webhook.id) not found.") }
        }
    }

    public func deleteWebhook(id: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE webhook_id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw SkiffError.notFound("Webhook with ID \(id) not found.") }
        }
    }

    public func activeWebhooks(for entity: RegistryEvent.Entity, _ action: RegistryEvent.Action) async throws
        -> [Webhook]
    {
        try await read { db in
            try Self.fetchWebhooks(db, "WHERE status = 'ACTIVE' ORDER BY creation_time", []).filter {
                $0.subscribes(to: entity, action)
            }
        }
    }

    static func webhookArguments(_ w: Webhook) -> StatementArguments {
        [
            w.id, w.name, w.description, w.url, encode(w.events), w.secret, w.status.rawValue, w.creationTimestamp,
            w.lastUpdatedTimestamp,
        ]
    }

    static func encode(_ events: [WebhookEvent]) -> String {
        events.map { "\($0.entity.rawValue).\($0.action.rawValue)" }.joined(separator: ",")
    }

    static func fetchWebhooks(_ db: Database, _ tail: String, _ arguments: StatementArguments) throws -> [Webhook] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT webhook_id, name, description, url, events, secret, status, creation_time, last_updated_time
                FROM webhooks \(tail)
                """,
            arguments: arguments
        ).map { row in
            let events = (row[4] as String).split(separator: ",").compactMap { pair -> WebhookEvent? in
                let parts = pair.split(separator: ".")
                guard parts.count == 2, let entity = RegistryEvent.Entity(rawValue: String(parts[0])),
                    let action = RegistryEvent.Action(rawValue: String(parts[1]))
                else { return nil }
                return WebhookEvent(entity: entity, action: action)
            }
            return Webhook(
                id: row[0], name: row[1], description: row[2], url: row[3], events: events, secret: row[5],
                status: WebhookStatus(rawValue: row[6]) ?? .disabled, creationTimestamp: row[7],
                lastUpdatedTimestamp: row[8])
        }
    }
}
