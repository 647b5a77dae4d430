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
        /// The most kernels g(x) is built from (2,000); `nil` for no bound. Optuna has no bound, so below it the
        /// model is exactly Optuna's. Above it the oldest observations (ramp weights below 1) are merged in
        /// consecutive groups, each represented by its middle member carrying the group's total weight, while
        /// the 25 newest keep their own kernels: the mixture keeps its weights per time slice and a suggestion
        /// costs O(cap·d) instead of O(n·d).
        public var aboveCap: Int?

        /// Creates a configuration; every argument defaults to Optuna 5's value.
        public init(
            startupTrials: Int = 10,
            eiCandidates: Int = 24,
            gammaFraction: Double = 0.1,
            gammaCap: Int = 25,
            priorWeight: Double = 1.0,
            multivariate: Bool = true,
            constantLiar: Bool = true,
            aboveCap: Int? = 2000
        ) {
            self.startupTrials = startupTrials
            self.eiCandidates = eiCandidates
            self.gammaFraction = gammaFraction
            self.gammaCap = gammaCap
            self.priorWeight = priorWeight
            self.multivariate = multivariate
            self.constantLiar = constantLiar
            self.aboveCap = aboveCap
        }

        /// Size of the below set for `n` finished trials: `min(⌈gammaFraction·n⌉, gammaCap)`.
        public func belowCount(finished n: Int) -> Int {
            min(Int((gammaFraction * Double(n)).rounded(.up)), gammaCap)
        }
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
    /// Numbers of the finished (complete or pruned) trials, ascending.
    private var finishedNumbers: [Int] = []
    /// Their internal coordinates, row-major in the same order, one column per parameter, NaN when inactive.
    private var finishedRows: [Double] = []
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
        guard (configuration.aboveCap ?? 100) >= 100 else {
            throw TuneError(.invalidConfiguration, "aboveCap must be at least 100")
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
        let index = finishedNumbers.partitioningIndex { $0 > trial.number }
        finishedNumbers.insert(trial.number, at: index)
        let width = dimensions.count
        finishedRows.insert(contentsOf: encode(trial), at: index * width)
    }

    /// Suggests values: at random during start-up, from the TPE model afterwards. Never throws.
    public mutating func suggest(running: [Trial]) throws -> [String: ParameterValue] {
        var assignment: [String: ParameterValue] = [:]
        guard finishedNumbers.count >= configuration.startupTrials, !ranking.isEmpty else {
            for parameter in space.parameters where parameter.isActive(given: assignment) {
                assignment[parameter.name] = parameter.distribution.sample(using: &generator)
            }
            return assignment
        }
        let (below, above, liars) = split(running: running)
        if !jointAxes.isEmpty {
            let point = bestCandidate(
                axes: jointAxes, below: below, above: above, liars: liars)
            for (k, axis) in jointAxes.enumerated() {
                assignment[space.parameters[axis].name] = dimensions[axis].decode(point[k])
            }
        }
        let joint = Set(jointAxes)
        for (axis, parameter) in space.parameters.enumerated() where !joint.contains(axis) {
            guard parameter.isActive(given: assignment) else { continue }
            let point = bestCandidate(
                axes: [axis], below: below, above: above, liars: liars)
            assignment[parameter.name] = dimensions[axis].decode(point[0])
        }
        return assignment
    }

    /// The internal coordinates of a trial's parameters, NaN for inactive ones.
    private func encode(_ trial: Trial) -> [Double] {
        dimensions.map { dimension in
            trial.params[dimension.parameter.name].flatMap(dimension.encode) ?? .nan
        }
    }

    /// A row of the finished trials (`index >= 0`) or of the running ones passed as liars (`-1 - k`).
    private typealias RowReference = Int

    /// Below: the best complete trials, oldest first. Above: all other finished trials plus (with the constant
    /// liar) the running ones, oldest first. Also returns the liars' encoded rows.
    private func split(running: [Trial]) -> (below: [RowReference], above: [RowReference], liars: [Double]) {
        let count = min(configuration.belowCount(finished: finishedNumbers.count), ranking.count)
        let belowNumbers = ranking.prefix(count).map(\.number).sorted()
        var liarTrials: [Trial] = []
        if configuration.constantLiar {
            liarTrials = running.filter { $0.state == .running && !seen.contains($0.number) }
            liarTrials.sort { $0.number < $1.number }
        }
        var liars: [Double] = []
        liars.reserveCapacity(liarTrials.count * dimensions.count)
        for trial in liarTrials { liars.append(contentsOf: encode(trial)) }
        var below: [RowReference] = []
        var above: [RowReference] = []
        below.reserveCapacity(count)
        above.reserveCapacity(finishedNumbers.count + liarTrials.count)
        var nextLiar = 0
        var nextBelow = 0
        for (index, number) in finishedNumbers.enumerated() {
            while nextLiar < liarTrials.count && liarTrials[nextLiar].number < number {
                above.append(-1 - nextLiar)
                nextLiar += 1
            }
            if nextBelow < belowNumbers.count && belowNumbers[nextBelow] == number {
                below.append(index)
                nextBelow += 1
            } else {
                above.append(index)
            }
        }
        while nextLiar < liarTrials.count {
            above.append(-1 - nextLiar)
            nextLiar += 1
        }
        return (below, above, liars)
    }

    private mutating func bestCandidate(
        axes: [Int],
        below: [RowReference],
        above: [RowReference],
        liars: [Double]
    ) -> [Double] {
        let dims = axes.map { dimensions[$0] }
        let width = dimensions.count
        func rows(_ references: [RowReference]) -> [Double] {
            var flat: [Double] = []
            flat.reserveCapacity(references.count * axes.count)
            finishedRows.withUnsafeBufferPointer { finished in
                liars.withUnsafeBufferPointer { liars in
                    for reference in references {
                        let (buffer, base) =
                            reference >= 0 ? (finished, reference * width) : (liars, (-1 - reference) * width)
                        var active = true
                        for axis in axes where buffer[base + axis].isNaN {
                            active = false
                            break
                        }
                        guard active else { continue }
                        for axis in axes { flat.append(buffer[base + axis]) }
                    }
                }
            }
            return flat
        }
        let aboveRows = rows(above)
        let (bounded, weights) = Self.bound(aboveRows, width: axes.count, cap: configuration.aboveCap)
        let good = ParzenEstimator(
            observations: rows(below),
            dimensions: dims,
            priorWeight: configuration.priorWeight
        )
        let bad = ParzenEstimator(
            observations: bounded,
            dimensions: dims,
            priorWeight: configuration.priorWeight,
            weights: weights
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

    /// Applies ``Configuration/aboveCap`` to row-major observations (oldest first): returns them unchanged with
    /// `nil` weights (Optuna's) when within the cap, else the 25 newest plus `cap − 25` groups of consecutive
    /// older ones, each the group's middle row weighted by the sum of the group's Optuna weights.
    static func bound(_ rows: [Double], width: Int, cap: Int?) -> (rows: [Double], weights: [Double]?) {
        guard width > 0, let cap else { return (rows, nil) }
        let n = rows.count / width
        guard n > cap else { return (rows, nil) }
        let full = ParzenEstimator.observationWeights(count: n)
        let recent = 25
        let older = n - recent
        let groups = cap - recent
        var kept: [Double] = []
        kept.reserveCapacity(cap * width)
        var weights: [Double] = []
        weights.reserveCapacity(cap)
        for group in 0..<groups {
            let start = group * older / groups
            let end = (group + 1) * older / groups
            guard end > start else { continue }
            let middle = (start + end) / 2
            kept.append(contentsOf: rows[(middle * width)..<((middle + 1) * width)])
            weights.append(full[start..<end].reduce(0, +))
        }
        kept.append(contentsOf: rows[(older * width)...])
        weights.append(contentsOf: full[older...])
        return (kept, weights)
    }
}
