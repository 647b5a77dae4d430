/// One evaluation of the objective: its parameters, progress and result.
public struct Trial: Sendable, Hashable {
    /// Sequential number in its study, from 0.
    public var number: Int
    /// Where the trial is in its life.
    public var state: TrialState
    /// The suggested value of every active parameter.
    public var params: [String: ParameterValue]
    /// Values reported while running, keyed by step (epoch, iteration, …); pruners decide from them.
    public var intermediateValues: [Int: Double]
    /// The objective value of a complete trial.
    public var value: Double?

    /// Creates a trial.
    /// - Parameters:
    ///   - number: Sequential number in its study.
    ///   - state: The trial's state.
    ///   - params: The parameter values.
    ///   - intermediateValues: Reported values by step.
    ///   - value: The objective value, for a complete trial.
    public init(
        number: Int,
        state: TrialState = .running,
        params: [String: ParameterValue],
        intermediateValues: [Int: Double] = [:],
        value: Double? = nil
    ) {
        self.number = number
        self.state = state
        self.params = params
        self.intermediateValues = intermediateValues
        self.value = value
    }

    /// The largest step reported so far, or `nil` when nothing was reported.
    public var lastStep: Int? {
        intermediateValues.keys.max()
    }
}
