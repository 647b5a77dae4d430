/// Tree-structured Parzen Estimator sampling with Optuna 5's defaults.
///
/// After ``Configuration/startupTrials`` finished trials (random sampling until then), the complete trials are
/// ranked and the best `min(⌈0.1·n⌉, 25)` (n = finished trials) form the "below" set; every other finished trial,
/// pruned ones included, forms the "above" set. With the constant liar, running trials join the above set so
/// parallel workers are pushed away from points already being evaluated. Two ``ParzenEstimator``s, l(x) on
/// below and g(x) on above, are fitted; ``Configuration/eiCandidates`` points are drawn from l and the one with
/// the largest l(x)/g(x) is returned. Failed trials are ignored.
///
/// In multivariate mode the unconditional parameters are modelled jointly with product kernels; conditional
/// parameters (and every parameter in univariate mode) are modelled one at a time, each from the trials in which
/// it was active. Finished trials are kept in memory, ordered by number, with complete ones also kept in a
/// ranking maintained by binary insertion, so a suggestion costs O(n·d) without re-sorting history.
public struct TPESampler: Sampler {
    /// Tuning knobs; the defaults are Optuna 5's.
    public struct Configuration: Sendable, Hashable {
        /// Finished trials sampled at random before the model is used (10).
        public var startupTrials: Int
        /// Candidates drawn from l(x) per suggestion (24).
        public var eiCandidates: Int
        /// Fraction of finished trials in the below set, rounded up (0.1).
        public var gammaFraction: Double
        /// Upper bound on the size of the below set (25).
        public var gammaCap: Int
        /// Weight of the prior kernel (1.0).
        public var priorWeight: Double
        /// Model unconditional parameters jointly (true, Optuna 5's single-objective default).
        public var multivariate: Bool
        /// Treat running trials as bad observations (true, Optuna 5's default).
        public var constantLiar: Bool

        /// Creates a configuration; every argument defaults to Optuna 5's value.
        public init(
            startupTrials: Int = 10,
            eiCandidates: Int = 24,
            gammaFraction: Double = 0.1,
            gammaCap: Int = 25,
            priorWeight: Double = 1.0,
            multivariate: Bool = true,
            constantLiar: Bool = true
        ) {
            self.startupTrials = startupTrials
            self.eiCandidates = eiCandidates
            self.gammaFraction = gammaFraction
            self.gammaCap = gammaCap
            self.priorWeight = priorWeight
            self.multivariate = multivariate
            self.constantLiar = constantLiar
        }

        /// Size of the below set for `n` finished trials: `min(⌈gammaFraction·n⌉, gammaCap)`.
        public func belowCount(finished n: Int) -> Int {
            min(Int((gammaFraction * Double(n)).rounded(.up)), gammaCap)
        }
    }

    private struct Observation: Sendable {
        var number: Int
        /// Internal coordinate per parameter (in space order), `nil` when inactive.
        var coordinates: [Double?]
    }

    private struct Ranked: Sendable {
        var loss: Double
        var number: Int
    }

    /// The space suggestions are drawn from.
    public let space: SearchSpace
    /// Whether smaller or larger objective values are better.
    public let direction: StudyDirection
    /// The knobs in use.
    public let configuration: Configuration
    private let dimensions: [TPEDimension]
    private let jointAxes: [Int]
    private var generator: SeededGenerator
    /// Finished (complete or pruned) trials ordered by number.
    private var finished: [Observation] = []
    /// Complete trials ordered by loss, then number.
    private var ranking: [Ranked] = []
    private var seen: Set<Int> = []
    private var scratch: [Double] = []

    /// Creates a sampler.
    /// - Parameters:
    ///   - space: The space to sample.
    ///   - direction: Whether smaller or larger values are better.
    ///   - configuration: The knobs; Optuna 5's defaults when omitted.
    ///   - seed: Fixes the sequence of suggestions for a given sequence of calls.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidConfiguration``) for non-positive candidate counts, a
    ///   negative number of startup trials, a gamma fraction outside (0, 1], a cap below 1 or a prior weight ≤ 0.
    public init(
        space: SearchSpace,
        direction: StudyDirection,
        configuration: Configuration = Configuration(),
        seed: UInt64
    ) throws {
        guard configuration.eiCandidates >= 1 else {
            throw TuneError(.invalidConfiguration, "eiCandidates must be at least 1")
        }
        guard configuration.startupTrials >= 0 else {
            throw TuneError(.invalidConfiguration, "startupTrials must not be negative")
        }
        guard configuration.gammaFraction > 0, configuration.gammaFraction <= 1, configuration.gammaCap >= 1 else {
            throw TuneError(.invalidConfiguration, "gammaFraction must lie in (0, 1] and gammaCap be at least 1")
        }
        guard configuration.priorWeight > 0 else {
            throw TuneError(.invalidConfiguration, "priorWeight must be positive")
        }
        self.space = space
        self.direction = direction
        self.configuration = configuration
        self.dimensions = space.parameters.map(TPEDimension.init)
        self.jointAxes =
            configuration.multivariate
            ? space.parameters.indices.filter { space.parameters[$0].conditions.isEmpty } : []
        self.generator = SeededGenerator(seed: seed)
    }

    /// Records a complete or pruned trial once; running, failed and already-seen trials and complete trials
    /// without a finite value are ignored. O(n) worst case, O(log n) when trials arrive in order of number.
    public mutating func observe(_ trial: Trial) {
        guard trial.state == .complete || trial.state == .pruned, !seen.contains(trial.number) else { return }
        if trial.state == .complete {
            guard let value = trial.value, value.isFinite else { return }
            let entry = Ranked(loss: direction.loss(value), number: trial.number)
            let index = ranking.partitioningIndex {
                ($0.loss, $0.number) > (entry.loss, entry.number)
            }
            ranking.insert(entry, at: index)
        }
        seen.insert(trial.number)
        let observation = encode(trial)
        let index = finished.partitioningIndex { $0.number > trial.number }
        finished.insert(observation, at: index)
    }

    /// Suggests values: at random during start-up, from the TPE model afterwards. Never throws.
    public mutating func suggest(running: [Trial]) throws -> [String: ParameterValue] {
        var assignment: [String: ParameterValue] = [:]
        guard finished.count >= configuration.startupTrials, !ranking.isEmpty else {
            for parameter in space.parameters where parameter.isActive(given: assignment) {
                assignment[parameter.name] = parameter.distribution.sample(using: &generator)
            }
            return assignment
        }
        let (below, above) = split(running: running)
        if !jointAxes.isEmpty {
            let point = bestCandidate(axes: jointAxes, below: below, above: above, multivariate: true)
            for (k, axis) in jointAxes.enumerated() {
                assignment[space.parameters[axis].name] = dimensions[axis].decode(point[k])
            }
        }
        let joint = Set(jointAxes)
        for (axis, parameter) in space.parameters.enumerated() where !joint.contains(axis) {
            guard parameter.isActive(given: assignment) else { continue }
            let point = bestCandidate(axes: [axis], below: below, above: above, multivariate: false)
            assignment[parameter.name] = dimensions[axis].decode(point[0])
        }
        return assignment
    }

    private func encode(_ trial: Trial) -> Observation {
        Observation(
            number: trial.number,
            coordinates: dimensions.map { dimension in
                trial.params[dimension.parameter.name].flatMap(dimension.encode)
            }
        )
    }

    /// Below: the best complete trials, oldest first. Above: all other finished trials plus (with the constant
    /// liar) the running ones, oldest first.
    private func split(running: [Trial]) -> (below: [Observation], above: [Observation]) {
        let count = min(configuration.belowCount(finished: finished.count), ranking.count)
        let belowNumbers = Set(ranking.prefix(count).map(\.number))
        var below: [Observation] = []
        var above: [Observation] = []
        below.reserveCapacity(count)
        above.reserveCapacity(finished.count + running.count)
        var liars: [Observation] = []
        if configuration.constantLiar {
            liars = running.filter { $0.state == .running && !seen.contains($0.number) }.map(encode)
            liars.sort { $0.number < $1.number }
        }
        var next = 0
        for observation in finished {
            while next < liars.count && liars[next].number < observation.number {
                above.append(liars[next])
                next += 1
            }
            if belowNumbers.contains(observation.number) {
                below.append(observation)
            } else {
                above.append(observation)
            }
        }
        above.append(contentsOf: liars[next...])
        return (below, above)
    }

    private mutating func bestCandidate(
        axes: [Int],
        below: [Observation],
        above: [Observation],
        multivariate: Bool
    ) -> [Double] {
        let dims = axes.map { dimensions[$0] }
        func rows(_ observations: [Observation]) -> [Double] {
            var flat: [Double] = []
            flat.reserveCapacity(observations.count * axes.count)
            for observation in observations {
                let start = flat.count
                for axis in axes {
                    guard let value = observation.coordinates[axis] else {
                        flat.removeSubrange(start...)
                        break
                    }
                    flat.append(value)
                }
            }
            return flat
        }
        let good = ParzenEstimator(
            observations: rows(below),
            dimensions: dims,
            multivariate: multivariate,
            priorWeight: configuration.priorWeight
        )
        let bad = ParzenEstimator(
            observations: rows(above),
            dimensions: dims,
            multivariate: multivariate,
            priorWeight: configuration.priorWeight
        )
        var best: [Double] = []
        var bestScore = -Double.infinity
        for _ in 0..<configuration.eiCandidates {
            var candidate = good.sample(using: &generator)
            // Score the value that would be returned: snapped onto its grid.
            for k in candidate.indices {
                candidate[k] = dims[k].encode(dims[k].decode(candidate[k])) ?? candidate[k]
            }
            let score = good.logDensity(candidate, scratch: &scratch) - bad.logDensity(candidate, scratch: &scratch)
            if best.isEmpty || score > bestScore {
                best = candidate
                bestScore = score
            }
        }
        return best
    }
}
