/// An ordered, validated set of hyperparameters, possibly with conditional ones.
///
/// Parameters are kept in declaration order. A conditional parameter may only refer to parameters declared
/// before it, so an assignment can always be built front to back.
public struct SearchSpace: Sendable, Hashable {
    /// The parameters in declaration order.
    public let parameters: [Parameter]
    private let indexByName: [String: Int]

    /// Creates a space after validating every parameter.
    /// - Parameter parameters: The parameters in declaration order.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidSearchSpace``) for an empty space, a duplicate name, an
    ///   invalid distribution, or a condition on an unknown, later or non-matching parameter.
    public init(parameters: [Parameter]) throws {
        guard !parameters.isEmpty else {
            throw TuneError(.invalidSearchSpace, "the search space declares no parameters")
        }
        var indexByName: [String: Int] = [:]
        for (index, parameter) in parameters.enumerated() {
            let name = parameter.name
            guard !name.isEmpty else {
                throw TuneError(.invalidSearchSpace, "a parameter has an empty name")
            }
            guard indexByName[name] == nil else {
                throw TuneError(.invalidSearchSpace, parameter: name, "is declared twice")
            }
            try parameter.distribution.validate(name: name)
            for condition in parameter.conditions {
                guard condition.parent != name else {
                    throw TuneError(.invalidSearchSpace, parameter: name, "'when' cannot refer to the parameter itself")
                }
                guard let parentIndex = indexByName[condition.parent] else {
                    let exists = parameters.contains { $0.name == condition.parent }
                    throw TuneError(
                        .invalidSearchSpace,
                        parameter: name,
                        exists
                            ? "'when' refers to '\(condition.parent)', which must be declared before '\(name)'"
                            : "'when' refers to unknown parameter '\(condition.parent)'"
                    )
                }
                guard !condition.values.isEmpty else {
                    throw TuneError(
                        .invalidSearchSpace, parameter: name, "'when: {\(condition.parent): …}' lists no values")
                }
                let parent = parameters[parentIndex]
                for value in condition.values where !parent.distribution.contains(value) {
                    throw TuneError(
                        .invalidSearchSpace,
                        parameter: name,
                        "'when' expects \(condition.parent) = \(value), which '\(condition.parent)' can never take"
                    )
                }
            }
            indexByName[name] = index
        }
        self.parameters = parameters
        self.indexByName = indexByName
    }

    /// The parameter with the given name, or `nil`.
    public subscript(name: String) -> Parameter? {
        indexByName[name].map { parameters[$0] }
    }

    /// Whether a complete assignment is valid: every active parameter has a value inside its distribution and no
    /// inactive or unknown parameter has one.
    public func isValid(_ assignment: [String: ParameterValue]) -> Bool {
        var seen = 0
        for parameter in parameters {
            let value = assignment[parameter.name]
            if parameter.isActive(given: assignment) {
                guard let value, parameter.distribution.contains(value) else { return false }
                seen += 1
            } else if value != nil {
                return false
            }
        }
        return seen == assignment.count
    }
}
