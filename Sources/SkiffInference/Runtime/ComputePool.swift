import Foundation

/// A bounded pool of threads of its own for CPU-heavy prediction work.
///
/// Prediction of a large batch is split into chunks that the pool's threads and the calling thread take in turn.
/// The pool never uses Swift's cooperative thread pool, so a long batch does not starve async work; call it from a
/// thread that may block (a CLI command's thread, or a task that hops off the cooperative pool).
/// One job runs at a time; concurrent callers queue. The threads stop when the pool is released.
public final class ComputePool: Sendable {
    /// A pool with one thread per active processor, shared by every predictor that is not given another pool.
    public static let shared = ComputePool(threadCount: ProcessInfo.processInfo.activeProcessorCount)

    /// The number of threads that work on a job, the calling thread included.
    public let threadCount: Int

    private let state: State

    /// Creates a pool.
    /// - Parameter threadCount: The number of threads that work on a job, the calling thread included; at least 1.
    ///   A pool of 1 runs every job on the calling thread.
    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        state = State()
        for index in 1..<self.threadCount {
            let state = self.state
            let thread = Thread { state.work() }
            thread.name = "skiff-inference-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        state.stop()
    }

    /// Runs `body` once for each chunk index in `0..<chunks`, spread over the pool's threads, and returns when all
    /// have finished.
    /// - Parameters:
    ///   - chunks: The number of independent pieces of work.
    ///   - body: The work for one chunk; called concurrently from several threads with distinct indices.
    public func forEachChunk(_ chunks: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard chunks > 0 else { return }
        if chunks == 1 || threadCount == 1 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        state.run(chunks, body)
    }

    /// The job queue the threads share; it outlives the pool object until every thread has stopped.
    private final class State: @unchecked Sendable {
        // @unchecked: every mutable property is read and written only while `condition` is locked.
        private let condition = NSCondition()
        private let submission = NSLock()
        private var generation = 0
        private var stopped = false
        private var body: (@Sendable (Int) -> Void)?
        private var chunkCount = 0
        private var nextChunk = 0
        private var finishedChunks = 0

        func run(_ chunks: Int, _ body: @escaping @Sendable (Int) -> Void) {
            submission.lock()
            defer { submission.unlock() }
            condition.lock()
            self.body = body
            chunkCount = chunks
            nextChunk = 0
            finishedChunks = 0
            generation += 1
            let current = generation
            condition.broadcast()
            condition.unlock()
            runChunks(body, generation: current)
            condition.lock()
            while finishedChunks < chunkCount { condition.wait() }
            self.body = nil
            condition.unlock()
        }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }

        /// Takes chunks of job `job` until none remain.
        private func runChunks(_ body: @Sendable (Int) -> Void, generation job: Int) {
            while true {
                condition.lock()
                guard generation == job, nextChunk < chunkCount else {
                    condition.unlock()
                    return
                }
                let chunk = nextChunk
                nextChunk += 1
                condition.unlock()
                body(chunk)
                condition.lock()
                finishedChunks += 1
                if finishedChunks == chunkCount { condition.broadcast() }
                condition.unlock()
            }
        }

        func work() {
            var seen = 0
            while true {
                condition.lock()
                while !stopped && (generation == seen || body == nil) { condition.wait() }
                if stopped {
                    condition.unlock()
                    return
                }
                seen = generation
                let body = self.body!
                condition.unlock()
                runChunks(body, generation: seen)
            }
        }
    }
}
