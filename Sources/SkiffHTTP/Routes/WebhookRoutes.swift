import Hummingbird
import SkiffCore
import SkiffJSON
import SkiffRouting

/// `/api/2.0/mlflow/webhooks`: create, list, get, update, delete and test registry webhooks.
struct WebhookRoutes {
    let webhooks: WebhookService

    func register(_ api: APIResponder) {
        let w = webhooks
        let p = TrackingRoutes.prefixes
        let api = api.tagged("Webhooks")
        let webhookID = Property.required("webhook_id", RegistryWire.webhookID)
        let answer = Schema.object([.required("webhook", .ref("Webhook"))])
        let idLink = [("webhook_id", "$response.body#/webhook/webhook_id")]
        api.add(
            .post, "webhooks", prefixes: p,
            APICall(
                "createWebhook", "Create a webhook",
                fields: [
                    .required("name", RegistryWire.webhookName), .optional("description", .string()),
                    .required("url", RegistryWire.webhookURL), .required("events", RegistryWire.webhookEvents),
                    .optional("secret", .string()), .optional("status", RegistryWire.webhookStatus),
                ],
                answer: answer,
                links: [
                    Operation.Link("GetWebhook", to: "getWebhook", parameters: idLink),
                    Operation.Link("UpdateWebhook", to: "updateWebhook", parameters: idLink),
                ])
        ) { q in
            let hook = try await w.create(
                name: try q.requiredString("name"), description: try q.string("description"),
                url: try q.requiredString("url"), events: try Self.events(q), secret: try q.string("secret"),
                status: try Self.status(q))
            return Self.webhook(hook)
        }
        api.add(
            .get, "webhooks", prefixes: p,
            APICall(
                "listWebhooks", "List webhooks by creation time",
                fields: [
                    .optional("max_results", RegistryWire.webhooksMaxResults), .optional("page_token", Wire.pageToken),
                ],
                answer: .object([
                    .optional("webhooks", .array(.ref("Webhook"))), .optional("next_page_token", .string()),
                ]))
        ) { q in
            let page = try await w.list(maxResults: try q.int("max_results"), pageToken: try q.string("page_token"))
            return TrackingRoutes.object {
                $0.array("webhooks", page.items) { $0.webhook($1) }
                $0.field("next_page_token", page.nextPageToken)
            }
        }
        api.add(
            .get, "webhooks/:webhook_id", prefixes: p,
            APICall("getWebhook", "Get a webhook (without its secret)", fields: [webhookID], answer: answer)
        ) { q in
            Self.webhook(try await w.get(id: try q.requiredString("webhook_id")))
        }
        api.add(
            .patch, "webhooks/:webhook_id", prefixes: p,
            APICall(
                "updateWebhook", "Update the given fields of a webhook",
                description: "An empty secret removes the secret; an empty status leaves the status as it is.",
                fields: [
                    webhookID, .optional("name", RegistryWire.webhookName), .optional("description", .string()),
                    .optional("url", RegistryWire.webhookURL), .optional("events", RegistryWire.webhookEvents),
                    .optional("secret", .string()), .optional("status", RegistryWire.webhookStatus),
                ],
                answer: answer)
        ) { q in
            let events = try q.json("events") == nil ? nil : try Self.events(q)
            let hook = try await w.update(
                id: try q.requiredString("webhook_id"), name: try q.string("name"),
                description: try q.string("description"), url: try q.string("url"), events: events,
                secret: try q.string("secret"), status: try Self.status(q))
            return Self.webhook(hook)
        }
        api.add(
            .delete, "webhooks/:webhook_id", prefixes: p,
            APICall("deleteWebhook", "Delete a webhook", fields: [webhookID])
        ) { q in
            try await w.delete(id: try q.requiredString("webhook_id"))
            return .empty
        }
        api.add(
            .post, "webhooks/:webhook_id/test", prefixes: p,
            APICall(
                "testWebhook", "Send one signed test delivery now and report what the receiver answered",
                description: "Without an event, the webhook's first subscribed event is sent.",
                fields: [webhookID, .optional("event", RegistryWire.testEvent)],
                answer: .object([.required("result", .ref("WebhookTestResult"))]))
        ) { q in
            let event = try q.object("event").map { item throws(SkiffError) in try Self.event(item) }
            let result = try await w.test(id: try q.requiredString("webhook_id"), event: event)
            return TrackingRoutes.object {
                $0.key("result")
                $0.beginObject()
                $0.field("success", result.success)
                $0.field("response_status", result.responseStatus.map { Int64($0) })
                $0.field("response_body", result.responseBody)
                $0.field("error_message", result.errorMessage)
                $0.endObject()
            }
        }
    }

    static func events(_ q: RequestParameters) throws(SkiffError) -> [WebhookEvent] {
        try q.objects("events").map { item throws(SkiffError) in try event(item) }
    }

    /// `{"entity": "MODEL_VERSION", "action": "CREATED"}` (proto enum names, any case).
    static func event(_ item: RequestParameters) throws(SkiffError) -> WebhookEvent {
        let entityText = try item.requiredString("entity")
        let actionText = try item.requiredString("action")
        guard let entity = RegistryEvent.Entity(rawValue: entityText.lowercased()),
            let action = RegistryEvent.Action(rawValue: actionText.lowercased())
        else {
            throw .invalid("Unsupported webhook event: \(entityText).\(actionText)")
        }
        return WebhookEvent(entity: entity, action: action)
    }

    static func status(_ q: RequestParameters) throws(SkiffError) -> WebhookStatus? {
        guard let text = try q.string("status"), !text.isEmpty else { return nil }
        guard let status = WebhookStatus(rawValue: text.uppercased()) else {
            throw .invalid("Invalid webhook status '\(text)': use ACTIVE or DISABLED.")
        }
        return status
    }

    static func webhook(_ hook: Webhook) -> JSONWriter {
        TrackingRoutes.object {
            $0.key("webhook")
            $0.webhook(hook)
        }
    }
}

extension JSONWriter {
    /// A webhook without its secret.
    mutating func webhook(_ w: Webhook) {
        beginObject()
        field("webhook_id", w.id)
        field("name", w.name)
        field("description", w.description)
        field("url", w.url)
        array("events", w.events) { writer, event in
            writer.beginObject()
            writer.field("entity", event.entity.rawValue.uppercased())
            writer.field("action", event.action.rawValue.uppercased())
            writer.endObject()
        }
        field("status", w.status.rawValue)
        field("creation_timestamp", w.creationTimestamp)
        field("last_updated_timestamp", w.lastUpdatedTimestamp)
        endObject()
    }
}
