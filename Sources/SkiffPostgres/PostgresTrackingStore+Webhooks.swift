import PostgresNIO
import SkiffCore

extension PostgresTrackingStore: WebhookStore {
    public func createWebhook(_ webhook: Webhook) async throws {
        let logger = self.logger
        try await write { conn in
            var sql = SQL("INSERT INTO webhooks(webhook_id, name, description, url, events, secret, status, ")
            sql += "creation_time, last_updated_time) VALUES (\(sql.bind(webhook.id)), \(sql.bind(webhook.name)), "
            sql +=
                "\(sql.bind(webhook.description)), \(sql.bind(webhook.url)), \(sql.bind(Self.encode(webhook.events))), "
            sql += "\(sql.bind(webhook.secret)), \(sql.bind(webhook.status.rawValue)), "
            sql += "\(sql.bind(webhook.creationTimestamp)), \(sql.bind(webhook.lastUpdatedTimestamp)))"
            try await conn.run(sql, logger)
        }
    }

    public func webhook(id: String) async throws -> Webhook {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL(Self.webhookSelect + " WHERE webhook_id = ")
            sql += sql.bind(id)
            guard let hook = try await Self.fetchWebhooks(conn, sql, logger).first else {
                throw SkiffError.notFound("Webhook with ID \(id) not found.")
            }
            return hook
        }
    }

    public func listWebhooks(maxResults: Int, offset: Int) async throws -> Page<Webhook> {
        let logger = self.logger
        return try await read { conn in
            var sql = SQL(Self.webhookSelect + " ORDER BY creation_time, webhook_id")
            sql += " LIMIT \(sql.bind(Int64(maxResults + 1))) OFFSET \(sql.bind(Int64(offset)))"
            let hooks = try await Self.fetchWebhooks(conn, sql, logger)
            let next = hooks.count > maxResults ? PageToken.encode(offset: offset + maxResults) : nil
            return Page(items: Array(hooks.prefix(maxResults)), nextPageToken: next)
        }
    }

    public func updateWebhook(_ webhook: Webhook) async throws {
        let logger = self.logger
        try await write { conn in
            var sql = SQL()
            sql +=
                "UPDATE webhooks SET name = \(sql.bind(webhook.name)), description = \(sql.bind(webhook.description)), "
            sql += "url = \(sql.bind(webhook.url)), events = \(sql.bind(Self.encode(webhook.events))), "
            sql += "secret = \(sql.bind(webhook.secret)), status = \(sql.bind(webhook.status.rawValue)), "
            sql += "last_updated_time = \(sql.bind(webhook.lastUpdatedTimestamp)) "
            sql += "WHERE webhook_id = \(sql.bind(webhook.id)) RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("Webhook with ID \(webhook.id) not found.")
            }
        }
    }

    public func deleteWebhook(id: String) async throws {
        let logger = self.logger
        try await write { conn in
            var sql = SQL("DELETE FROM webhooks WHERE webhook_id = ")
            sql += "\(sql.bind(id)) RETURNING 1"
            guard try await conn.count(sql, logger) > 0 else {
                throw SkiffError.notFound("Webhook with ID \(id) not found.")
            }
        }
    }

    public func activeWebhooks(for entity: RegistryEvent.Entity, _ action: RegistryEvent.Action) async throws
        -> [Webhook]
    {
        let logger = self.logger
        return try await read { conn in
            try await Self.fetchWebhooks(
                conn, SQL(Self.webhookSelect + " WHERE status = 'ACTIVE' ORDER BY creation_time"), logger
            )
            .filter { $0.subscribes(to: entity, action) }
        }
    }

    static let webhookSelect =
        "SELECT webhook_id, name, description, url, events, secret, status, creation_time, last_updated_time FROM webhooks"

    static func encode(_ events: [WebhookEvent]) -> String {
        events.map { "\($0.entity.rawValue).\($0.action.rawValue)" }.joined(separator: ",")
    }

    static func fetchWebhooks(_ conn: PostgresConnection, _ sql: SQL, _ logger: Logger) async throws -> [Webhook] {
        try await conn.rows(sql, logger).map { row in
            let (id, name, description, url, eventText, secret, status, created, updated) = try row.decode(
                (String, String, String?, String, String, String?, String, Int64, Int64).self)
            let events = eventText.split(separator: ",").compactMap { pair -> WebhookEvent? in
                let parts = pair.split(separator: ".")
                guard parts.count == 2, let entity = RegistryEvent.Entity(rawValue: String(parts[0])),
                    let action = RegistryEvent.Action(rawValue: String(parts[1]))
                else { return nil }
                return WebhookEvent(entity: entity, action: action)
            }
            return Webhook(
                id: id, name: name, description: description, url: url, events: events, secret: secret,
                status: WebhookStatus(rawValue: status) ?? .disabled, creationTimestamp: created,
                lastUpdatedTimestamp: updated)
        }
    }
}
