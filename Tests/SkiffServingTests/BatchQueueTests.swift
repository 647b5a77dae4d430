import Foundation
import Synchronization
import Testing

@testable import SkiffServing

@Suite("Dynamic batching queue")
struct BatchQueueTests {
    /// Collects the batches a queue ran and lets a test wait for a number of jobs, bounded in time.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let done = DispatchSemaphore(value: 0)

        func process(_ jobs: [Int]) {
            batches.withLock { $0.append(jobs) }
            for _ in jobs { done.signal() }
        }

        func wait(for jobs: Int) -> Bool {
            for _ in 0..<jobs where done.wait(timeout: .now() + 10) == .timedOut { return false }
            return true
        }
    }

    @Test("a batch closes as soon as it holds max rows, long before its delay")
    func closesOnRows() {
        let recorder = Recorder()
        let queue = BatchQueue<Int>(
            limits: BatchLimits(maxRows: 4, maxDelay: .seconds(30), maxQueued: 100), name: "test"
        ) { recorder.process($0) }
        for job in 0..<4 { #expect(queue.submit(job, rows: 1)) }
        #expect(recorder.wait(for: 4))
        #expect(recorder.batches.withLock { $0 } == [[0, 1, 2, 3]])
        queue.stop()
    }

    @Test("a full queue refuses instead of growing; stopping still runs what was queued")
    func boundedQueue() {
        let recorder = Recorder()
        let queue = BatchQueue<Int>(
            limits: BatchLimits(maxRows: 100, maxDelay: .seconds(30), maxQueued: 2), name: "test"
        ) { recorder.process($0) }
        #expect(queue.submit(1, rows: 1))
        #expect(queue.submit(2, rows: 1))
        #expect(!queue.submit(3, rows: 1))
        queue.stop()
        #expect(recorder.wait(for: 2))
        #expect(recorder.batches.withLock { $0 }.flatMap { $0 } == [1, 2])
        #expect(!queue.submit(4, rows: 1))
    }

    @Test("a request larger than the batch limit runs alone, and order is kept")
    func oversized() {
        let recorder = Recorder()
        let queue = BatchQueue<Int>(
            limits: BatchLimits(maxRows: 4, maxDelay: .seconds(30), maxQueued: 100), name: "test"
        ) { recorder.process($0) }
        #expect(queue.submit(1, rows: 10))
        #expect(queue.submit(2, rows: 2))
        #expect(queue.submit(3, rows: 2))
        #expect(recorder.wait(for: 3))
        #expect(recorder.batches.withLock { $0 } == [[1], [2, 3]])
        queue.stop()
    }
}
