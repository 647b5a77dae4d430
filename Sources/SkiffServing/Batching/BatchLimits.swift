/// When a model's dynamic batch closes, and how many requests may wait for one.
public struct BatchLimits: Sendable, Hashable {
    /// The most rows one engine call takes (`--max-batch-size`); a larger request runs alone.
    public var maxRows: Int
    /// How long the oldest queued request may wait for others (`--max-batch-delay`); zero runs at once.
    public var maxDelay: Duration
    /// The most requests that may wait (`--max-queue`); beyond it requests get 429.
    public var maxQueued: Int

    /// Creates limits.
    public init(maxRows: Int = 256, maxDelay: Duration = .zero, maxQueued: Int = 1024) {
        self.maxRows = maxRows
        self.maxDelay = maxDelay
        self.maxQueued = maxQueued
    }
}
