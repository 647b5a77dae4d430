import Prometheus

/// The model server's Prometheus metrics, exposed at `GET /metrics` in the text format.
///
/// Label values come from the configuration (model names), loaded versions and a fixed set of statuses, so the
/// number of series stays bounded whatever clients send.
final class ServingMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "skiff", metricName: metric, unitName: unit, helpText: help)
    }

    private static var requests: MetricNameDescriptor {
        name(
            "requests", "total",
            "Scoring requests answered, by model, version, role (primary/canary/shadow), protocol and status.")
    }
    private static var duration: MetricNameDescriptor {
        name(
            "request_duration", "seconds", "Scoring request latency in seconds, from body received to answer.")
    }
    private static var batchRows: MetricNameDescriptor {
        name("batch", "rows", "Rows per engine call after dynamic batching.")
    }
    private static var batchRequests: MetricNameDescriptor {
        name("batch", "requests", "Requests coalesced into one engine call.")
    }
    private static var queue: MetricNameDescriptor {
        name("queue", "depth", "Requests waiting for a batch, per served model.")
    }
    private static var rejections: MetricNameDescriptor {
        name(
            "rejected", "total", "Requests refused before running: overloaded (429) or deadline exceeded (504).")
    }
    private static var loadTime: MetricNameDescriptor {
        name(
            "model_load", "seconds", "Time to fetch, compile and warm a model version, in seconds.")
    }
    private static var loads: MetricNameDescriptor {
        name("model_loads", "total", "Model versions loaded, including hot swaps.")
    }
    private static var shadows: MetricNameDescriptor {
        name(
            "shadow_comparisons", "total", "Shadow predictions compared with the primary answer, by result.")
    }
    private static var logWritten: MetricNameDescriptor {
        name("prediction_log_written", "total", "Prediction records written to the log.")
    }
    private static var logDropped: MetricNameDescriptor {
        name(
            "prediction_log_dropped", "total", "Prediction records dropped because the log buffer was full.")
    }

    private static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]
    private static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]

    /// Counts one answered scoring request.
    func request(model: String, version: String, role: String, proto: String, status: Int) {
        registry.makeCounter(
            descriptor: Self.requests,
            labels: [
                ("model", model), ("version", version), ("role", role), ("protocol", proto), ("status", String(status)),
            ]
        ).increment()
    }

    /// Records the end-to-end latency of a scoring request.
    func latency(model: String, proto: String, _ duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.duration, labels: [("model", model), ("protocol", proto)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// Records the rows and requests of one engine call.
    func batch(model: String, rows: Int, requests: Int) {
        registry.makeValueHistogram(descriptor: Self.batchRows, labels: [("model", model)], buckets: Self.batchBuckets)
            .record(Double(rows))
        registry.makeValueHistogram(
            descriptor: Self.batchRequests, labels: [("model", model)], buckets: Self.batchBuckets
        ).record(Double(requests))
    }

    /// Sets the number of requests waiting in a model's queue.
    func queueDepth(model: String, _ depth: Int) {
        registry.makeGauge(descriptor: Self.queue, labels: [("model", model)]).set(Double(depth))
    }

    /// Counts a request refused before it ran (`overloaded`, `deadline`).
    func rejected(model: String, reason: String) {
        registry.makeCounter(descriptor: Self.rejections, labels: [("model", model), ("reason", reason)]).increment()
    }

    /// Records how long loading (fetch, compile, warm-up) a model version took.
    func modelLoaded(model: String, version: String, seconds: Double) {
        registry.makeGauge(descriptor: Self.loadTime, labels: [("model", model), ("version", version)]).set(seconds)
        registry.makeCounter(descriptor: Self.loads, labels: [("model", model)]).increment()
    }

    /// Counts a shadow comparison (`match`, `mismatch`, `error`, `dropped`).
    func shadow(model: String, result: String) {
        registry.makeCounter(descriptor: Self.shadows, labels: [("model", model), ("result", result)]).increment()
    }

    /// Counts prediction log records written, or dropped because the buffer was full or the disk failed.
    func predictionLog(written: Int, dropped: Int) {
        if written > 0 { registry.makeCounter(descriptor: Self.logWritten).increment(by: Int64(written)) }
        if dropped > 0 { registry.makeCounter(descriptor: Self.logDropped).increment(by: Int64(dropped)) }
    }

    /// Declares the always-present series, so dashboards see zeros before the first event.
    func declareDefaults() {
        _ = registry.makeCounter(descriptor: Self.logWritten)
        _ = registry.makeCounter(descriptor: Self.logDropped)
    }

    /// The metrics in Prometheus text exposition format 0.0.4.
    func exposition() -> [UInt8] {
        var buffer = [UInt8]()
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        return buffer
    }
}
