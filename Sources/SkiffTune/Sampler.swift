/// Proposes parameter values for new trials of one search space.
///
/// A sampler keeps what it has learnt in memory: the caller passes every finished trial once to
/// ``observe(_:)`` and the currently running trials to ``suggest(running:)``. Seeded samplers are reproducible:
/// the same seed and the same sequence of calls give the same suggestions.
public protocol Sampler: Sendable {
    /// The space suggestions are drawn from.
    var space: SearchSpace { get }

    /// Proposes values for every parameter that is active given the others.
    /// - Parameter running: Trials being evaluated now (model-based samplers steer away from them).
    /// - Returns: An assignment for which ``SearchSpace/isValid(_:)`` holds.
    /// - Throws: ``TuneError`` with ``TuneError/Code/searchSpaceExhausted`` when a finite sampler has no point left.
    mutating func suggest(running: [Trial]) throws -> [String: ParameterValue]

    /// Records a finished (complete, pruned or failed) trial; running trials are ignored.
    mutating func observe(_ trial: Trial)
}
