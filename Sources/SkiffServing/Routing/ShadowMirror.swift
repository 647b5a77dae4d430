import Foundation
import Logging
import ServiceLifecycle
import SkiffInference
import Synchronization

/// Sends copies of requests to shadow models, off the request path, and compares their answers with the
/// primary's. A shadow's answer is logged and counted, never returned. The copies waiting are bounded by count and
/// by the values they hold; a copy that does not fit is dropped (counted as `dropped`) rather than slowing the
/// primary or growing memory.
final class ShadowMirror: Service, Sendable {
    /// One copy of a request for one shadow slot.
    struct Copy: Sendable {
        var slot: ModelSlot
        var route: String
        var requestID: String
        var payload: ScoringPayload
        var primary: [NamedTensor]
    }

    private let stream: AsyncStream<Copy>
    private let continuation: AsyncStream<Copy>.Continuation
    private let metrics: ServingMetrics
    private let predictionLog: PredictionLogger?
    private let timeout: Duration
    private let logger: Logger
    /// How many shadow predictions run at once.
    private let concurrency = 4
    /// The most request values the waiting and running copies may hold.
    private let maxValues: Int
    private let heldValues = Mutex(0)

    init(
        bufferSize: Int = 1024, maxValues: Int = 2_000_000, timeout: Duration, metrics: ServingMetrics,
        predictionLog: PredictionLogger?, logger: Logger
    ) {
        self.maxValues = maxValues
        (stream, continuation) = AsyncStream.makeStream(of: Copy.self, bufferingPolicy: .bufferingOldest(bufferSize))
        self.metrics = metrics
        self.predictionLog = predictionLog
        self.timeout = timeout
        self.logger = logger
    }

    /// Queues a copy; returns at once.
    func submit(_ copy: Copy) {
        let values = copy.payload.cellCount
        let admitted = heldValues.withLock { held in
            guard held + values <= maxValues else { return false }
            held += values
            return true
        }
        guard admitted else {
            metrics.shadow(model: copy.route, result: "dropped")
            return
        }
        if case .dropped = continuation.yield(copy) {
            release(values)
            metrics.shadow(model: copy.route, result: "dropped")
        }
    }

    private func release(_ values: Int) {
        heldValues.withLock { $0 -= values }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for await copy in self.stream {
                    if running == self.concurrency {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await self.mirror(copy) }
                    running += 1
                }
            }
        }
    }

    private func mirror(_ copy: Copy) async {
        defer { release(copy.payload.cellCount) }
        let started = ContinuousClock.now
        do {
            let result = try await copy.slot.predict(copy.payload, deadline: started + timeout)
            let agrees = Self.agree(copy.primary, result.outputs)
            metrics.shadow(model: copy.route, result: agrees ? "match" : "mismatch")
            metrics.request(
                model: copy.route, version: result.deployment.version, role: "shadow", proto: "shadow", status: 200)
            predictionLog?.record(
                PredictionRecord(
                    timestamp: Date(), requestID: copy.requestID, model: result.deployment.name,
                    version: result.deployment.version, route: .shadow, latency: started.duration(to: .now),
                    inputs: copy.payload, outputs: result.outputs, agreesWithPrimary: agrees))
            if !agrees {
                logger.info(
                    "shadow answer differs from primary",
                    metadata: [
                        "model": "\(copy.route)", "shadow_version": "\(result.deployment.version)",
                        "request_id": "\(copy.requestID)",
                    ])
            }
        } catch {
            metrics.shadow(model: copy.route, result: "error")
            logger.debug("shadow prediction failed", metadata: ["model": "\(copy.route)", "error": "\(error)"])
        }
    }

    /// Whether two answers agree: the same outputs, equal labels and strings, numbers within 1e-6 relative.
    static func agree(_ primary: [NamedTensor], _ shadow: [NamedTensor]) -> Bool {
        guard primary.map(\.name) == shadow.map(\.name) else { return false }
        for (a, b) in zip(primary, shadow) {
            guard a.tensor.count == b.tensor.count else { return false }
            switch (a.tensor.storage, b.tensor.storage) {
            case (.string(let x), .string(let y)):
                guard x == y else { return false }
            case (.bool(let x), .bool(let y)):
                guard x == y else { return false }
            default:
                for (x, y) in zip(a.tensor.doubles, b.tensor.doubles) {
                    if x.isNaN && y.isNaN { continue }
                    guard abs(x - y) <= 1e-6 * max(1, abs(x)) else { return false }
                }
            }
        }
        return true
    }
}
