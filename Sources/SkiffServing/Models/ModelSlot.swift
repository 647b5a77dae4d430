import Foundation
import SkiffInference
import Synchronization

/// What one request gets back from a slot: its own rows of every output, and the version that computed them.
struct SlotResult: Sendable {
    var outputs: [NamedTensor]
    var deployment: ModelDeployment
}

/// A served model: the version currently loaded, swappable while requests flow, behind a batching queue.
///
/// Requests are bound to the model's inputs when their batch runs, against the version loaded at that moment, so a
/// swap never fails a request that was already queued: it runs on whichever version is current.
final class ModelSlot: Sendable {
    /// The label of this slot in metrics and logs (the route's model name).
    let label: String
    /// The configured reference, which may be an alias that moves.
    let reference: String
    private let current: Current
    private let queue: BatchQueue<Job>
    private let metrics: ServingMetrics
    private let options: PredictionOptions
    /// Requests up to this many rows run on the calling task when nothing is queued and batches do not wait:
    /// for them a hop to the queue's thread and back costs more than the prediction, and there is nothing to
    /// coalesce them with.
    private let inlineRows: Int

    private struct Job: Sendable {
        var payload: ScoringPayload
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<SlotResult, any Error>
    }

    init(
        label: String, reference: String, deployment: ModelDeployment, limits: BatchLimits,
        metrics: ServingMetrics, options: PredictionOptions
    ) {
        self.label = label
        self.reference = reference
        self.metrics = metrics
        self.options = options
        inlineRows = limits.maxDelay == .zero ? 8 : 0
        let current = Current(deployment)
        self.current = current
        queue = BatchQueue(limits: limits, name: "skiff-serve-\(label)") { jobs in
            Self.run(jobs, on: current.value, label: label, metrics: metrics, options: options)
        }
    }

    deinit {
        queue.stop()
    }

    /// The version loaded now.
    var deployment: ModelDeployment { current.value }

    /// Makes `deployment` the version that runs every batch from now on.
    func swap(to deployment: ModelDeployment) {
        current.value = deployment
    }

    /// The loaded version, shared by the slot and its queue's thread.
    private final class Current: Sendable {
        private let state: Mutex<ModelDeployment>
        init(_ deployment: ModelDeployment) { state = Mutex(deployment) }
        var value: ModelDeployment {
            get { state.withLock { $0 } }
            set { state.withLock { $0 = newValue } }
        }
    }

    /// The number of requests waiting for a batch.
    var depth: Int { queue.depth }

    /// Stops accepting requests; queued ones still run.
    func stop() { queue.stop() }

    /// Scores one request: through the batching queue, or at once on the calling task when it is small and nothing
    /// is queued.
    /// - Throws: `ServingError`: `overloaded` when the queue is full, `deadlineExceeded` when the deadline passed
    ///   while queued, `badRequest` when the request does not fit the model's inputs.
    func predict(_ payload: ScoringPayload, deadline: ContinuousClock.Instant) async throws(ServingError) -> SlotResult
    {
        let rows = payload.rowCount
        if rows <= inlineRows, queue.depth == 0 {
            let deployment = self.deployment
            metrics.batch(model: label, rows: rows, requests: 1)
            let feeds = try ModelFeeds.build(payload, for: deployment.predictor.inputs)
            do {
                return SlotResult(
                    outputs: try deployment.predictor.predict(feeds, options: options), deployment: deployment)
            } catch let error as InferenceError {
                throw Self.map(error)
            } catch {
                throw ServingError(.internalError, "The prediction failed.")
            }
        }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let job = Job(payload: payload, deadline: deadline, continuation: continuation)
                if !queue.submit(job, rows: rows) {
                    metrics.rejected(model: label, reason: "overloaded")
                    continuation.resume(
                        throwing: ServingError(.overloaded, "The model '\(label)' is busy; retry shortly."))
                }
            }
        } catch let error as ServingError {
            throw error
        } catch {
            throw ServingError(.internalError, "The prediction failed.")
        }
    }

    /// Runs one batch on the queue's thread and answers every job in it.
    private static func run(
        _ jobs: [Job], on deployment: ModelDeployment, label: String, metrics: ServingMetrics,
        options: PredictionOptions
    ) {
        let now = ContinuousClock.now
        var ready = [(job: Job, feeds: [String: Tensor], rows: Int)]()
        ready.reserveCapacity(jobs.count)
        for job in jobs {
            guard now < job.deadline else {
                metrics.rejected(model: label, reason: "deadline")
                job.continuation.resume(
                    throwing: ServingError(.deadlineExceeded, "The request's deadline passed before the model ran it."))
                continue
            }
            do {
                let feeds = try ModelFeeds.build(job.payload, for: deployment.predictor.inputs)
                ready.append((job, feeds, job.payload.rowCount))
            } catch {
                job.continuation.resume(throwing: error)
            }
        }
        guard !ready.isEmpty else { return }
        let totalRows = ready.reduce(0) { $0 + $1.rows }
        metrics.batch(model: label, rows: totalRows, requests: ready.count)
        if ready.count > 1, let merged = merge(ready.map(\.feeds)),
            let outputs = try? deployment.predictor.predict(merged, options: options),
            let parts = split(outputs, rows: ready.map(\.rows))
        {
            for (entry, part) in zip(ready, parts) {
                entry.job.continuation.resume(returning: SlotResult(outputs: part, deployment: deployment))
            }
            return
        }
        // One request, or a batch that could not be merged or failed: each request runs alone, so one bad request
        // gets its own error and the others their answers.
        for entry in ready {
            do {
                let outputs = try deployment.predictor.predict(entry.feeds, options: options)
                entry.job.continuation.resume(returning: SlotResult(outputs: outputs, deployment: deployment))
            } catch let error as InferenceError {
                entry.job.continuation.resume(throwing: map(error))
            } catch {
                entry.job.continuation.resume(throwing: ServingError(.internalError, "The prediction failed."))
            }
        }
    }

    private static func map(_ error: InferenceError) -> ServingError {
        switch error.code {
        case .missingColumn, .invalidValue, .invalidInput: ServingError(.badRequest, error.description)
        default: ServingError(.internalError, "The model failed: \(error.description)")
        }
    }

    private static func merge(_ feeds: [[String: Tensor]]) -> [String: Tensor]? {
        guard let names = feeds.first?.keys else { return nil }
        var merged = [String: Tensor]()
        for name in names {
            var parts = [Tensor]()
            parts.reserveCapacity(feeds.count)
            for feed in feeds {
                guard let part = feed[name] else { return nil }
                parts.append(part)
            }
            guard let stacked = Tensor.concatenated(parts) else { return nil }
            merged[name] = stacked
        }
        return merged
    }

    private static func split(_ outputs: [NamedTensor], rows: [Int]) -> [[NamedTensor]]? {
        let total = rows.reduce(0, +)
        var parts = [[NamedTensor]](repeating: [], count: rows.count)
        for output in outputs {
            var start = 0
            for (index, count) in rows.enumerated() {
                guard let slice = output.tensor.rows(start..<start + count, of: total) else { return nil }
                parts[index].append(NamedTensor(name: output.name, tensor: slice))
                start += count
            }
        }
        return parts
    }
}
