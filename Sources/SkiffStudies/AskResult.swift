/// The answer to a worker asking a study for work.
public enum AskResult: Sendable, Hashable {
    /// Evaluate this trial (new, or a retry of a failed one).
    case trial(TrialRecord)
    /// The study has enough trials running or waiting for its target; ask again later.
    case wait
    /// The study has reached its target number of finished trials, or its grid is exhausted.
    case done
}
