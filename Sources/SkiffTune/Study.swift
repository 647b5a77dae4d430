/// A named optimisation: its direction and every trial so far.
///
/// Pruners read a study to compare a running trial with the others.
public struct Study: Sendable, Hashable {
    /// The study's name; Hyperband uses it to assign trials to brackets.
    public var name: String
    /// Whether smaller or larger values are better.
    public var direction: StudyDirection
    /// The trials, in any order.
    public var trials: [Trial]

    /// Creates a study.
    /// - Parameters:
    ///   - name: The study's name.
    ///   - direction: Whether smaller or larger values are better.
    ///   - trials: The trials so far.
    public init(name: String, direction: StudyDirection, trials: [Trial] = []) {
        self.name = name
        self.direction = direction
        self.trials = trials
    }

    /// The complete trial with the best value (lowest number on ties), or `nil` when none has completed.
    public var bestTrial: Trial? {
        var best: Trial?
        for trial in trials where trial.state == .complete {
            guard let value = trial.value, !value.isNaN else { continue }
            guard let current = best, let currentValue = current.value else {
                best = trial
                continue
            }
            if direction.isBetter(value, than: currentValue)
                || (value == currentValue && trial.number < current.number)
            {
                best = trial
            }
        }
        return best
    }
}
