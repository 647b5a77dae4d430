/// Stops a trial whose best intermediate value so far is worse than the median of the complete trials' values at
/// the same step (Optuna's `MedianPruner`).
///
/// Nothing is pruned before ``Configuration/startupTrials`` trials have completed, before
/// ``Configuration/warmupSteps``, off the ``Configuration/intervalSteps`` grid, or when fewer than
/// ``Configuration/minTrials`` complete trials reported the step. A trial whose intermediate values are all NaN
/// is pruned; NaN values of other trials are ignored.
public struct MedianPruner: Pruner {
    /// Tuning knobs; the defaults are Optuna 5's.
    public struct Configuration: Sendable, Hashable {
        /// Complete trials required before pruning starts (5).
        public var startupTrials: Int
        /// Steps before which a trial is never pruned (0).
        public var warmupSteps: Int
        /// Pruning is considered once per this many steps after the warm-up (1).
        public var intervalSteps: Int
        /// Complete trials that must have reported the step (1).
        public var minTrials: Int

        /// Creates a configuration; every argument defaults to Optuna 5's value.
        public init(startupTrials: Int = 5, warmupSteps: Int = 0, intervalSteps: Int = 1, minTrials: Int = 1) {
            self.startupTrials = startupTrials
            self.warmupSteps = warmupSteps
            self.intervalSteps = intervalSteps
            self.minTrials = minTrials
        }
    }

    /// The knobs in use.
    public let configuration: Configuration

    /// Creates a pruner.
    /// - Parameter configuration: The knobs; Optuna 5's defaults when omitted.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidConfiguration``) for negative counts or an interval below 1.
    public init(configuration: Configuration = Configuration()) throws {
        guard configuration.startupTrials >= 0, configuration.warmupSteps >= 0, configuration.minTrials >= 1,
            configuration.intervalSteps >= 1
        else {
            throw TuneError(
                .invalidConfiguration,
                "median pruner: startupTrials and warmupSteps must be >= 0, minTrials and intervalSteps >= 1"
            )
        }
        self.configuration = configuration
    }

    /// Applies the rule described on the type. O(n log n) in the number of complete trials.
    public func shouldPrune(trial: Trial, step: Int, history: Study) -> Bool {
        guard trial.intermediateValues[step] != nil else { return false }
        let completed = history.trials.filter { $0.state == .complete && $0.number != trial.number }
        guard !completed.isEmpty, completed.count >= configuration.startupTrials else { return false }
        guard step >= configuration.warmupSteps, isFirstInInterval(trial: trial, step: step) else { return false }
        let own = trial.intermediateValues.filter { $0.key <= step }.values.filter { !$0.isNaN }
        guard !own.isEmpty else { return true }
        let best = history.direction == .minimize ? own.min()! : own.max()!
        let atStep = completed.compactMap { $0.intermediateValues[step] }
        guard atStep.count >= configuration.minTrials else { return false }
        guard let median = Self.median(of: atStep.filter { !$0.isNaN }) else { return false }
        return history.direction.isBetter(median, than: best)
    }

    /// Whether no earlier report fell in the interval that `step` opens, so a trial reporting several steps
    /// between pruning points is judged once per interval.
    private func isFirstInInterval(trial: Trial, step: Int) -> Bool {
        let interval = configuration.intervalSteps
        guard interval > 1 else { return true }
        let warmup = configuration.warmupSteps
        let nearestLowerPruningStep = (step - warmup) / interval * interval + warmup
        let previous = trial.intermediateValues.keys.filter { $0 < step }.max() ?? -1
        return previous < nearestLowerPruningStep
    }

    /// The median with linear interpolation between the middle values, or `nil` for an empty array.
    static func median(of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
