/// The samplers a study can be configured with by name (`tpe`, `random`, `grid`, `cmaes`).
public enum SamplerKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// ``TPESampler`` with Optuna 5's defaults.
    case tpe
    /// ``RandomSampler``.
    case random
    /// ``GridSampler``.
    case grid
    /// ``CMAESSampler`` with Optuna 5's defaults.
    case cmaes

    /// A new sampler of this kind.
    /// - Parameters:
    ///   - space: The space to sample.
    ///   - direction: Whether smaller or larger values are better.
    ///   - seed: Fixes the sequence of suggestions.
    /// - Throws: ``TuneError`` when the space does not suit the sampler (a grid over a continuous float).
    public func makeSampler(space: SearchSpace, direction: StudyDirection, seed: UInt64) throws -> any Sampler {
        switch self {
        case .tpe: try TPESampler(space: space, direction: direction, seed: seed)
        case .random: RandomSampler(space: space, seed: seed)
        case .grid: try GridSampler(space: space)
        case .cmaes: try CMAESSampler(space: space, direction: direction, seed: seed)
        }
    }
}
