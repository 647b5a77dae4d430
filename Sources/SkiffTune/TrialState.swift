/// Where a trial is in its life.
public enum TrialState: String, Sendable, Hashable, Codable {
    /// Parameters were suggested and the objective is being evaluated.
    case running
    /// The objective finished and the trial has a value.
    case complete
    /// A pruner stopped the trial early; its intermediate values remain.
    case pruned
    /// The objective failed or reported no value; samplers ignore the trial.
    case failed
    /// Created with fixed parameters (a retry of a failed trial) and waiting for a worker to start it.
    case waiting

    /// Whether the trial can no longer change.
    public var isFinished: Bool { self == .complete || self == .pruned || self == .failed }
}
