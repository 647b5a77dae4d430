/// Receives measurements from the stores and the webhook dispatcher, so the server can publish them (Prometheus
/// text at `/metrics`) without the backends knowing the format. Calls are cheap and never throw.
public protocol OperationsObserver: Sendable {
    /// One store call: a read, or a write transaction (retries included), and whether it failed.
    func storeCall(write: Bool, duration: Duration, failed: Bool)
    /// Database connections in use now, out of `capacity`.
    func storeConnections(inUse: Int, capacity: Int)
    /// One webhook delivery attempt; `final` when no retry follows it.
    func webhookAttempt(delivered: Bool, final: Bool)
}
