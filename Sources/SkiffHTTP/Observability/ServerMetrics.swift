import Prometheus
import SkiffCore

/// The tracking server's Prometheus metrics, exposed at `GET /metrics` in the text format.
///
/// Route labels are the matched route patterns (never raw paths) and statuses a fixed set, so the number of series
/// stays bounded whatever clients send.
public final class ServerMetrics: OperationsObserver {
    private let registry = PrometheusCollectorRegistry()

    /// Creates an empty registry.
    public init() {}

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "skiff", metricName: metric, unitName: unit, helpText: help)
    }

    private static var requests: MetricNameDescriptor {
        name("http_requests", "total", "HTTP requests answered, by route, method and status.")
    }
    private static var duration: MetricNameDescriptor {
        name(
            "http_request_duration", "seconds",
            "HTTP request latency in seconds, by route, until the response is ready.")
    }
    private static var storeCalls: MetricNameDescriptor {
        name(
            "store_calls", "total", "Store calls (reads and write transactions), by kind and outcome.")
    }
    private static var storeDuration: MetricNameDescriptor {
        name(
            "store_call_duration", "seconds", "Store call latency in seconds, by kind (read, write).")
    }
    private static var connections: MetricNameDescriptor {
        name(
            "store_connections", "in_use", "Database connections in use (PostgreSQL pool or SQLite writer and readers)."
        )
    }
    private static var capacity: MetricNameDescriptor {
        name("store_connections", "max", "Database connections the pool may open.")
    }
    private static var webhooks: MetricNameDescriptor {
        name(
            "webhook_delivery_attempts", "total", "Webhook delivery attempts, by outcome (delivered, retried, failed).")
    }

    private static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    /// Counts one answered request and its latency.
    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route)], buckets: Self.buckets)
            .record(duration)
    }

    public func storeCall(write: Bool, duration: Duration, failed: Bool) {
        let kind = write ? "write" : "read"
        registry.makeCounter(
            descriptor: Self.storeCalls, labels: [("kind", kind), ("outcome", failed ? "error" : "ok")]
        ).increment()
        registry.makeDurationHistogram(descriptor: Self.storeDuration, labels: [("kind", kind)], buckets: Self.buckets)
            .record(duration)
    }

    public func storeConnections(inUse: Int, capacity: Int) {
        registry.makeGauge(descriptor: Self.connections).set(Double(inUse))
        registry.makeGauge(descriptor: Self.capacity).set(Double(capacity))
    }

    public func webhookAttempt(delivered: Bool, final: Bool) {
        let outcome = delivered ? "delivered" : (final ? "failed" : "retried")
        registry.makeCounter(descriptor: Self.webhooks, labels: [("outcome", outcome)]).increment()
    }

    /// The metrics in Prometheus' text exposition format.
    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
