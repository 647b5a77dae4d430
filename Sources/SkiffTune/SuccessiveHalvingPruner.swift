/// Asynchronous successive halving (ASHA, Optuna's `SuccessiveHalvingPruner`).
///
/// Rung `k` is reached at step `minResource · η^(s + k)` (η = ``Configuration/reductionFactor``,
/// s = ``Configuration/minEarlyStoppingRate``). When a trial first reports a step at or past a rung, its value
/// there is compared with the rung values of every other trial that reached the rung: it continues only if it is
/// among the best `max(1, ⌊m/η⌋)` of the `m` values (its own included). A trial's rung value is its value at the
/// first step it reported at or past the rung, which is what an always-consulted pruner records. NaN is pruned.
///
/// Because rung values are derived from intermediate values, trials that reported before an automatic
/// `minResource` was known still compete; Optuna records nothing for them, so early decisions can differ.
public struct SuccessiveHalvingPruner: Pruner {
    /// Tuning knobs; the defaults are Optuna 5's.
    public struct Configuration: Sendable, Hashable {
        /// Steps to the first rung; `nil` ("auto") uses `max(1, ⌊last step of the longest complete trial / 100⌋)`
        /// and prunes nothing until a trial has completed.
        public var minResource: Int?
        /// η: the fraction 1/η of trials is promoted at each rung (4).
        public var reductionFactor: Int
        /// s: shifts the first rung to `minResource · η^s` (0).
        public var minEarlyStoppingRate: Int
        /// Trials that must have reached a rung (this one included) before it can promote anyone (0).
        public var bootstrapCount: Int

        /// Creates a configuration; every argument defaults to Optuna 5's value.
        public init(
            minResource: Int? = nil, reductionFactor: Int = 4, minEarlyStoppingRate: Int = 0, bootstrapCount: Int = 0
        ) {
            self.minResource = minResource
            self.reductionFactor = reductionFactor
            self.minEarlyStoppingRate = minEarlyStoppingRate
            self.bootstrapCount = bootstrapCount
        }
    }

    /// The knobs in use.
    public let configuration: Configuration

    /// Creates a pruner.
    /// - Parameter configuration: The knobs; Optuna 5's defaults when omitted.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidConfiguration``) for a minimum resource below 1, a
    ///   reduction factor below 2 or negative rates and counts.
    public init(configuration: Configuration = Configuration()) throws {
        guard (configuration.minResource ?? 1) >= 1, configuration.reductionFactor >= 2,
            configuration.minEarlyStoppingRate >= 0, configuration.bootstrapCount >= 0
        else {
            throw TuneError(
                .invalidConfiguration,
                "successive halving: minResource must be >= 1, reductionFactor >= 2, rates and counts >= 0"
            )
        }
        self.configuration = configuration
    }

    /// Applies the rule described on the type to all trials of the study.
    public func shouldPrune(trial: Trial, step: Int, history: Study) -> Bool {
        shouldPrune(trial: trial, step: step, history: history, competitors: history.trials)
    }

    /// Applies the rule with only `competitors` (other than `trial`) competing at each rung.
    func shouldPrune(trial: Trial, step: Int, history: Study, competitors: [Trial]) -> Bool {
        guard let value = trial.intermediateValues[step] else { return false }
        guard let minResource = configuration.minResource ?? Self.automaticMinResource(history) else { return false }
        let others = competitors.filter { $0.number != trial.number }
        let previousStep = trial.intermediateValues.keys.filter { $0 < step }.max()
        var rung = 0
        while true {
            // A rung past Int.max cannot be reached; without this check a report at step Int.max would loop for ever.
            guard let promotion = rungStep(rung, minResource: minResource), step >= promotion else { return false }
            if let previousStep, previousStep >= promotion {
                // Decided when the earlier report reached this rung; the trial is still running, so it passed.
                rung += 1
                continue
            }
            if value.isNaN { return true }
            var competing = others.compactMap { rungValue(of: $0, step: promotion) }.filter { !$0.isNaN }
            competing.append(value)
            if competing.count <= configuration.bootstrapCount { return true }
            if !Self.isPromotable(value, competing: competing, factor: configuration.reductionFactor, history.direction)
            {
                return true
            }
            rung += 1
        }
    }

    /// The step at which `rung` is decided; `nil` when it does not fit in an `Int`.
    private func rungStep(_ rung: Int, minResource: Int) -> Int? {
        var result = minResource
        for _ in 0..<(configuration.minEarlyStoppingRate + rung) {
            let (product, overflow) = result.multipliedReportingOverflow(by: configuration.reductionFactor)
            if overflow { return nil }
            result = product
        }
        return result
    }

    private func rungValue(of trial: Trial, step: Int) -> Double? {
        guard let first = trial.intermediateValues.keys.filter({ $0 >= step }).min() else { return nil }
        return trial.intermediateValues[first]
    }

    /// `max(1, ⌊last step of the longest complete trial / 100⌋)`, or `nil` before any trial completed.
    static func automaticMinResource(_ history: Study) -> Int? {
        let lastSteps = history.trials.filter { $0.state == .complete }.compactMap(\.lastStep)
        return lastSteps.max().map { max($0 / 100, 1) }
    }

    /// Whether `value` is among the best `max(1, ⌊count/η⌋)` of `competing` (which includes it).
    static func isPromotable(_ value: Double, competing: [Double], factor: Int, _ direction: StudyDirection) -> Bool {
        let index = max(competing.count / factor - 1, 0)
        let sorted = competing.sorted()
        switch direction {
        case .minimize: return value <= sorted[index]
        case .maximize: return value >= sorted[sorted.count - 1 - index]
        }
    }
}
