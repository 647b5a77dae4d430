/// Proposes every combination of a finite space exactly once, in a fixed order.
///
/// Ints, stepped floats and categoricals contribute all their values; a continuous float makes the space
/// infinite and is rejected. Combinations are enumerated in declaration order with the last parameter varying
/// fastest (like nested loops); an inactive conditional parameter is left out rather than multiplied in, so
/// `optimizer: [adam, sgd]` with `momentum` only for `sgd` yields `adam` once and `sgd` once per momentum.
public struct GridSampler: Sampler {
    /// The space suggestions are drawn from.
    public let space: SearchSpace
    /// Every point, in the order they are proposed.
    public let points: [[String: ParameterValue]]
    private var nextIndex = 0

    /// Creates a grid over the whole space.
    /// - Parameter space: A space without continuous floats.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidConfiguration``) naming a float parameter without `step`.
    public init(space: SearchSpace) throws {
        var values: [[ParameterValue]] = []
        for parameter in space.parameters {
            guard let all = parameter.distribution.allValues else {
                throw TuneError(
                    .invalidConfiguration,
                    parameter: parameter.name,
                    "a grid needs finitely many values; give this float a 'step' or use another sampler"
                )
            }
            values.append(all)
        }
        var points: [[String: ParameterValue]] = []
        func enumerate(_ index: Int, _ assignment: [String: ParameterValue]) {
            guard index < space.parameters.count else {
                points.append(assignment)
                return
            }
            let parameter = space.parameters[index]
            guard parameter.isActive(given: assignment) else {
                enumerate(index + 1, assignment)
                return
            }
            for value in values[index] {
                var next = assignment
                next[parameter.name] = value
                enumerate(index + 1, next)
            }
        }
        enumerate(0, [:])
        self.space = space
        self.points = points
    }

    /// Returns the next point of the grid.
    /// - Throws: ``TuneError`` (``TuneError/Code/searchSpaceExhausted``) once every point has been proposed.
    public mutating func suggest(running: [Trial]) throws -> [String: ParameterValue] {
        guard nextIndex < points.count else {
            throw TuneError(.searchSpaceExhausted, "all \(points.count) grid points have been suggested")
        }
        defer { nextIndex += 1 }
        return points[nextIndex]
    }

    /// Does nothing: the grid order does not depend on results.
    public mutating func observe(_ trial: Trial) {}
}
