/// A requirement that makes a parameter active only for some values of another parameter.
///
/// Written in YAML as `when: {optimizer: sgd}` or `when: {optimizer: [sgd, rmsprop]}`.
public struct Condition: Sendable, Hashable {
    /// The parameter whose value is tested; it must be declared earlier in the space.
    public var parent: String
    /// The parent values for which the condition holds.
    public var values: [ParameterValue]

    /// Creates a condition.
    /// - Parameters:
    ///   - parent: The parameter whose value is tested.
    ///   - values: The values that satisfy the condition.
    public init(parent: String, values: [ParameterValue]) {
        self.parent = parent
        self.values = values
    }

    /// Whether the condition holds for an assignment; `false` when the parent has no value (is inactive).
    public func isSatisfied(by assignment: [String: ParameterValue]) -> Bool {
        guard let value = assignment[parent] else { return false }
        return values.contains(value)
    }
}
