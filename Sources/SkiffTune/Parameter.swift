/// A named hyperparameter: its distribution and the conditions under which it is active.
public struct Parameter: Sendable, Hashable {
    /// The parameter's name, unique in its space.
    public var name: String
    /// The values it may take.
    public var distribution: Distribution
    /// All must hold for the parameter to be active; empty means always active.
    public var conditions: [Condition]

    /// Creates a parameter.
    /// - Parameters:
    ///   - name: The unique name.
    ///   - distribution: The values it may take.
    ///   - conditions: The conditions that must all hold for it to be active.
    public init(name: String, distribution: Distribution, conditions: [Condition] = []) {
        self.name = name
        self.distribution = distribution
        self.conditions = conditions
    }

    /// Whether the parameter is active given the values of the parameters declared before it.
    public func isActive(given assignment: [String: ParameterValue]) -> Bool {
        conditions.allSatisfy { $0.isSatisfied(by: assignment) }
    }
}
