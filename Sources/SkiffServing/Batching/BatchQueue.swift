import Foundation

/// Coalesces concurrent requests for one model into batches and runs them on a thread of its own.
///
/// A batch closes when it holds `maxRows` rows or when its oldest request has waited `maxDelay`, whichever comes
/// first; with no delay, whatever is queued when the thread is free runs at once (requests that arrive while a
/// batch runs form the next one, as Triton does by default). The queue holds at most `maxQueued` requests:
/// `submit` refuses more instead of growing without limit. A request larger than `maxRows` runs alone.
/// The work runs off Swift's cooperative pool, so a long batch never starves the HTTP event loops.
final class BatchQueue<Job: Sendable>: Sendable {
    private let state: State

    /// Starts the queue's thread.
    /// - Parameters:
    ///   - limits: When a batch closes and how many requests may wait.
    ///   - name: The thread's name, for debuggers and `top -H`.
    ///   - process: Runs one batch, on the queue's thread; it must answer every job it is given.
    init(limits: BatchLimits, name: String, process: @escaping @Sendable ([Job]) -> Void) {
        state = State(limits: limits, process: process)
        let state = self.state
        let thread = Thread { state.work() }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    deinit {
        state.stop()
    }

    /// Queues a job of `rows` rows.
    /// - Returns: false when the queue is full or stopped; the caller answers the job itself (429 / 503).
    func submit(_ job: Job, rows: Int) -> Bool {
        state.submit(job, rows: rows)
    }

    /// The number of requests waiting for a batch.
    var depth: Int { state.depth }

    /// Stops taking jobs; the thread finishes what is queued and exits.
    func stop() { state.stop() }

    private final class State: @unchecked Sendable {
        // @unchecked: every mutable property is read and written only while `condition` is locked.
        private let condition = NSCondition()
        private let limits: BatchLimits
        private let process: @Sendable ([Job]) -> Void
        private var queue: [(job: Job, rows: Int, arrived: ContinuousClock.Instant)] = []
        private var head = 0
        private var queuedRows = 0
        private var stopped = false

        init(limits: BatchLimits, process: @escaping @Sendable ([Job]) -> Void) {
            self.limits = limits
            self.process = process
        }

        var depth: Int {
            condition.lock()
            defer { condition.unlock() }
            return queue.count - head
        }

        func submit(_ job: Job, rows: Int) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !stopped, queue.count - head < limits.maxQueued else { return false }
            queue.append((job, rows, .now))
            queuedRows += rows
            condition.signal()
            return true
        }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }

        func work() {
            while let batch = nextBatch() {
                process(batch)
            }
        }

        /// Waits for the next batch; nil once stopped and drained.
        private func nextBatch() -> [Job]? {
            condition.lock()
            defer { condition.unlock() }
            while head == queue.count {
                if stopped { return nil }
                condition.wait()
            }
            if limits.maxDelay > .zero {
                let closes = queue[head].arrived + limits.maxDelay
                while queuedRows < limits.maxRows && !stopped {
                    let remaining = ContinuousClock.now.duration(to: closes)
                    guard remaining > .zero else { break }
                    let seconds =
                        Double(remaining.components.seconds) + Double(remaining.components.attoseconds) * 1e-18
                    _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                }
            }
            var batch = [Job]()
            var rows = 0
            while head < queue.count {
                let next = queue[head]
                if !batch.isEmpty && rows + next.rows > limits.maxRows { break }
                batch.append(next.job)
                rows += next.rows
                queuedRows -= next.rows
                head += 1
            }
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 64 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return batch
        }
    }
}
