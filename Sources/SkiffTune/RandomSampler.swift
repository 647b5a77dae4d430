/// Draws every parameter independently and uniformly (log-uniformly for log scales), ignoring past trials.
public struct RandomSampler: Sampler {
    /// The space suggestions are drawn from.
    public let space: SearchSpace
    private var generator: SeededGenerator

    /// Creates a sampler.
    /// - Parameters:
    ///   - space: The space to sample.
    ///   - seed: Fixes the sequence of suggestions.
    public init(space: SearchSpace, seed: UInt64) {
        self.space = space
        self.generator = SeededGenerator(seed: seed)
    }

    /// Draws a value for each active parameter in declaration order. Never throws.
    public mutating func suggest(running: [Trial]) throws -> [String: ParameterValue] {
        var assignment: [String: ParameterValue] = [:]
        for parameter in space.parameters where parameter.isActive(given: assignment) {
            assignment[parameter.name] = parameter.distribution.sample(using: &generator)
        }
        return assignment
    }

    /// Does nothing: random sampling does not learn.
    public mutating func observe(_ trial: Trial) {}
}
