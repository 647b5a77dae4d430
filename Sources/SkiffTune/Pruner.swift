/// Decides from intermediate values whether a running trial should stop early.
///
/// A pruner is a pure function of the study: it keeps no state, so any worker (or a server) can ask it about
/// any trial and get the same answer.
public protocol Pruner: Sendable {
    /// Whether `trial`, which has just reported its value for `step`, should be stopped.
    /// - Parameters:
    ///   - trial: The running trial, its intermediate values including the one for `step`.
    ///   - step: The step just reported.
    ///   - history: The study, for its direction, name and the other trials (the trial itself may be among them).
    /// - Returns: `true` to stop the trial (it becomes ``TrialState/pruned``).
    func shouldPrune(trial: Trial, step: Int, history: Study) -> Bool
}
