import SkiffTune

/// A stored trial: the sampler's view (``trial``) plus bookkeeping for liveness and retries.
public struct TrialRecord: Sendable, Hashable {
    /// Number, state, parameters, intermediate values and value.
    public var trial: Trial
    /// When a worker started it, in milliseconds since the epoch (creation time for a waiting trial).
    public var startTime: Int64
    /// When it finished, for a finished trial.
    public var endTime: Int64?
    /// The last sign of life from its worker (start, report or heartbeat).
    public var heartbeatTime: Int64
    /// The number of the failed trial this one retries, if it is a retry.
    public var retryOf: Int?

    /// Creates a record.
    /// - Parameters:
    ///   - trial: The trial.
    ///   - startTime: Start (or creation) time in milliseconds.
    ///   - endTime: End time, when finished.
    ///   - heartbeatTime: The last heartbeat.
    ///   - retryOf: The retried trial's number.
    public init(trial: Trial, startTime: Int64, endTime: Int64? = nil, heartbeatTime: Int64, retryOf: Int? = nil) {
        self.trial = trial
        self.startTime = startTime
        self.endTime = endTime
        self.heartbeatTime = heartbeatTime
        self.retryOf = retryOf
    }

    /// The trial's number.
    public var number: Int { trial.number }
    /// The trial's state.
    public var state: TrialState { trial.state }
}
