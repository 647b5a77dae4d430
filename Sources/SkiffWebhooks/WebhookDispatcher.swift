import Foundation
import Logging
import ServiceLifecycle
import SkiffCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Delivers registry events to subscribed webhooks, off the request path, signed and retried.
///
/// `publish` only enqueues (a bounded buffer; overflow is counted and logged, never blocking a request). The
/// `run` loop is a ServiceLifecycle service: for each event it loads the subscribed webhooks and delivers to
/// each concurrently. A delivery retries on network errors, 429 and 5xx with exponential backoff (1 s, 2 s,
/// 4 s … by default) up to `maxAttempts`, re-checking the destination before every attempt (DNS can change)
/// and never following redirects (a redirect to a private address is an SSRF bypass).
public final class WebhookDispatcher: RegistryEventSink, WebhookDelivering, Service, Sendable {
    /// Delivery settings.
    public struct Configuration: Sendable {
        public var policy: DestinationPolicy
        public var maxAttempts: Int
        public var firstRetryDelay: Duration
        public var requestTimeout: TimeInterval
        public var bufferSize: Int
        /// Told the outcome of every delivery attempt (the server's `/metrics`).
        public var observer: (any OperationsObserver)?

        /// Creates settings.
        public init(
            policy: DestinationPolicy, maxAttempts: Int = 5, firstRetryDelay: Duration = .seconds(1),
            requestTimeout: TimeInterval = 10, bufferSize: Int = 10_000, observer: (any OperationsObserver)? = nil
        ) {
            self.observer = observer
            self.policy = policy
            self.maxAttempts = maxAttempts
            self.firstRetryDelay = firstRetryDelay
            self.requestTimeout = requestTimeout
            self.bufferSize = bufferSize
        }
    }

    let store: any WebhookStore
    let configuration: Configuration
    let logger: Logger
    private let events: AsyncStream<RegistryEvent>
    private let continuation: AsyncStream<RegistryEvent>.Continuation
    private let session: URLSession

    /// Creates a dispatcher; deliveries start when `run` is.
    public init(store: any WebhookStore, configuration: Configuration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(
            of: RegistryEvent.self, bufferingPolicy: .bufferingOldest(configuration.bufferSize))
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
        session = URLSession(configuration: sessionConfiguration, delegate: RefuseRedirects(), delegateQueue: nil)
    }

    public func publish(_ event: RegistryEvent) {
        if case .dropped = continuation.yield(event) {
            logger.warning("webhook buffer full; event dropped", metadata: ["entity": "\(event.entity.rawValue)"])
        }
    }

    public func checkDestination(_ url: String) async throws {
        try configuration.policy.check(url)
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for await event in events.cancelOnGracefulShutdown() {
                let hooks: [Webhook]
                do {
                    hooks = try await store.activeWebhooks(for: event.entity, event.action)
                } catch {
                    logger.error("webhooks could not be loaded", metadata: ["error": "\(error)"])
                    continue
                }
                for hook in hooks {
                    group.addTask { await self.deliver(hook, event) }
                }
            }
        }
    }

    /// Ends the event stream so `run` drains and returns.
    public func finish() {
        continuation.finish()
    }

    public func deliverTest(_ webhook: Webhook, event: RegistryEvent) async -> WebhookTestResult {
        await attempt(webhook, payload: Self.payload(event))
    }

    /// Delivers with retries; returns the last attempt's outcome.
    @discardableResult
    func deliver(_ webhook: Webhook, _ event: RegistryEvent) async -> WebhookTestResult {
        let payload = Self.payload(event)
        var delay = configuration.firstRetryDelay
        var result = WebhookTestResult(success: false, responseStatus: nil, responseBody: nil, errorMessage: nil)
        for attempt in 1...max(1, configuration.maxAttempts) {
            result = await self.attempt(webhook, payload: payload)
            if result.success {
                configuration.observer?.webhookAttempt(delivered: true, final: true)
                return result
            }
            let retryable = result.responseStatus.map { $0 == 429 || $0 == 408 || $0 >= 500 } ?? true
            configuration.observer?.webhookAttempt(
                delivered: false, final: !retryable || attempt >= configuration.maxAttempts)
            logger.notice(
                "webhook delivery failed",
                metadata: [
                    "webhook": "\(webhook.id)", "attempt": "\(attempt)", "status": "\(result.responseStatus ?? 0)",
                    "error": "\(result.errorMessage ?? "")",
                ])
            guard retryable, attempt < configuration.maxAttempts else { break }
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
            delay *= 2
        }
        return result
    }

    func attempt(_ webhook: Webhook, payload: [UInt8]) async -> WebhookTestResult {
        do {
            try configuration.policy.check(webhook.url)
        } catch {
            return WebhookTestResult(
                success: false, responseStatus: nil, responseBody: nil, errorMessage: error.message)
        }
        guard let url = URL(string: webhook.url) else {
            return WebhookTestResult(
                success: false, responseStatus: nil, responseBody: nil, errorMessage: "invalid URL")
        }
        let deliveryID = UUID().uuidString.lowercased()
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(payload)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(deliveryID, forHTTPHeaderField: "X-MLflow-Delivery-Id")
        request.setValue(timestamp, forHTTPHeaderField: "X-MLflow-Timestamp")
        request.setValue("skiff/\(SkiffVersion.string)", forHTTPHeaderField: "User-Agent")
        if let secret = webhook.secret {
            request.setValue(
                WebhookSigner.signature(secret: secret, deliveryID: deliveryID, timestamp: timestamp, payload: payload),
                forHTTPHeaderField: "X-MLflow-Signature")
        }
        do {
            let (data, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return WebhookTestResult(
                success: (200..<300).contains(status), responseStatus: status,
                responseBody: String(decoding: data.prefix(1024), as: UTF8.self), errorMessage: nil)
        } catch {
            return WebhookTestResult(
                success: false, responseStatus: nil, responseBody: nil, errorMessage: error.localizedDescription)
        }
    }

    /// `{"entity", "action", "timestamp" (ISO 8601, UTC), "data"}` as MLflow sends it.
    static func payload(_ event: RegistryEvent) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let time = formatter.string(from: Date(timeIntervalSince1970: Double(event.time) / 1000))
        var data: [String: Any] = [:]
        for (key, field) in event.data {
            switch field {
            case .string(let s): data[key] = s
            case .null: data[key] = NSNull()
            case .map(let tags): data[key] = Dictionary(tags.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            }
        }
        let object: [String: Any] = [
            "entity": event.entity.rawValue, "action": event.action.rawValue, "timestamp": time, "data": data,
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}

/// Stops URLSession from following redirects: the receiver must answer itself.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
