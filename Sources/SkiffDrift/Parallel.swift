import Dispatch
import Synchronization

/// Fan-out of CPU-bound work over GCD's worker pool, which is bounded by the number of cores and separate
/// from Swift's cooperative pool.
enum Parallel {
    /// Evaluates `body` for 0..<count concurrently and returns the results in index order.
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Mutex<[T?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let value = body(i)
            results.withLock { $0[i] = value }
        }
        return results.withLock { $0.map { $0! } }
    }
}
