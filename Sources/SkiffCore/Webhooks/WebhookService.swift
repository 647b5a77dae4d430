/// The result of a test delivery, as `webhooks/{id}/test` reports it.
public struct WebhookTestResult: Sendable, Equatable {
    public var success: Bool
    public var responseStatus: Int?
    public var responseBody: String?
    public var errorMessage: String?

    /// Creates a result.
    public init(success: Bool, responseStatus: Int?, responseBody: String?, errorMessage: String?) {
        self.success = success
        self.responseStatus = responseStatus
        self.responseBody = responseBody
        self.errorMessage = errorMessage
    }
}

/// Delivers webhook payloads; implemented where HTTP and cryptography live.
public protocol WebhookDelivering: Sendable {
    /// Refuses destinations that would make the server an SSRF proxy (private, loopback, link-local…).
    /// - Throws: `invalidParameterValue` naming why.
    func checkDestination(_ url: String) async throws
    /// Sends one signed test delivery now and reports what the receiver answered.
    func deliverTest(_ webhook: Webhook, event: RegistryEvent) async -> WebhookTestResult
}

/// Webhook management with MLflow's rules: names `[A-Za-z0-9._-]{1,63}` starting and ending alphanumeric,
/// http(s) URLs that pass the SSRF check, events from the supported set.
public struct WebhookService: Sendable {
    let store: any WebhookStore
    let delivery: any WebhookDelivering
    let now: @Sendable () -> Int64

    /// Creates the service.
    public init(store: any WebhookStore, delivery: any WebhookDelivering, now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.delivery = delivery
        self.now = now
    }

    /// Creates a webhook.
    /// - Throws: `invalidParameterValue` for a bad name, URL, event or status.
    public func create(
        name: String, description: String?, url: String, events: [WebhookEvent], secret: String?,
        status: WebhookStatus?
    ) async throws -> Webhook {
        try Self.validateName(name)
        try await validateURL(url)
        try Self.validateEvents(events)
        let time = now()
        let webhook = Webhook(
            id: TrackingService.newRunID(), name: name, description: description, url: url, events: events,
            secret: secret.flatMap { $0.isEmpty ? nil : $0 }, status: status ?? .active, creationTimestamp: time,
            lastUpdatedTimestamp: time)
        try await store.createWebhook(webhook)
        return webhook
    }

    /// - Throws: `resourceDoesNotExist`.
    public func get(id: String) async throws -> Webhook {
        try Validate.runID(id)
        return try await store.webhook(id: id)
    }

    /// Lists webhooks (100 a page by default).
    public func list(maxResults: Int?, pageToken: String?) async throws -> Page<Webhook> {
        let max = maxResults ?? 100
        guard max > 0, max <= 1000 else { throw SkiffError.invalid("max_results must be between 1 and 1000.") }
        return try await store.listWebhooks(maxResults: max, offset: try PageToken.decodeOffset(pageToken))
    }

    /// Updates the given fields of a webhook.
    public func update(
        id: String, name: String?, description: String?, url: String?, events: [WebhookEvent]?, secret: String?,
        status: WebhookStatus?
    ) async throws -> Webhook {
        var webhook = try await get(id: id)
        if let name {
            try Self.validateName(name)
            webhook.name = name
        }
        if let url {
            try await validateURL(url)
            webhook.url = url
        }
        if let events {
            try Self.validateEvents(events)
            webhook.events = events
        }
        if let description { webhook.description = description }
        if let secret { webhook.secret = secret.isEmpty ? nil : secret }
        if let status { webhook.status = status }
        webhook.lastUpdatedTimestamp = now()
        try await store.updateWebhook(webhook)
        return webhook
    }

    /// Deletes a webhook.
    public func delete(id: String) async throws {
        try Validate.runID(id)
        try await store.deleteWebhook(id: id)
    }

    /// Sends a test event (the webhook's first event type unless one is given) and reports the outcome.
    public func test(id: String, event: WebhookEvent?) async throws -> WebhookTestResult {
        let webhook = try await get(id: id)
        let type = event ?? webhook.events.first ?? WebhookEvent(entity: .registeredModel, action: .created)
        let sample = RegistryEvent(
            entity: type.entity, action: type.action, time: now(),
            data: [("name", .string("example_model")), ("version", .string("1"))])
        return await delivery.deliverTest(webhook, event: sample)
    }

    private func validateURL(_ url: String) async throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count <= 2048 else {
            throw SkiffError.invalid("Invalid webhook URL '\(url.prefix(200))': it must be an http(s) URL.")
        }
        try await delivery.checkDestination(url)
    }

    static func validateName(_ name: String) throws(SkiffError) {
        let scalars = Array(name.unicodeScalars)
        let allowed: (Unicode.Scalar) -> Bool = { $0.isASCIIAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }
        guard (1...63).contains(scalars.count), scalars.allSatisfy(allowed), scalars.first!.isASCIIAlphanumeric,
            scalars.last!.isASCIIAlphanumeric
        else {
            throw .invalid(
                "Invalid webhook name '\(name.prefix(100))': 1 to 63 characters of letters, digits, '.', '_' or '-', "
                    + "starting and ending with a letter or digit.")
        }
    }

    static func validateEvents(_ events: [WebhookEvent]) throws(SkiffError) {
        guard !events.isEmpty else { throw .missingParameter("events") }
        for event in events where !WebhookEvent.valid.contains(event) {
            throw .invalid("Unsupported webhook event: \(event.entity.rawValue).\(event.action.rawValue)")
        }
    }
}
