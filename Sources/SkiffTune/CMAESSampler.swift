import Foundation

/// Covariance Matrix Adaptation Evolution Strategy for the continuous part of a space, with the defaults of
/// Optuna 5's `CmaEsSampler`.
///
/// The unconditional float and int parameters form the search vector, each mapped onto `[0, 1]` (in log space for
/// log scales); categorical and conditional parameters, and every parameter before
/// ``Configuration/startupTrials`` trials completed, are drawn independently at random. The strategy is
/// (μ/μ_w, λ)-CMA-ES with cumulative step-size adaptation, rank-one and rank-μ covariance updates (Hansen's
/// tutorial constants, positive recombination weights): population λ = 4 + ⌊3 ln n⌋, μ = ⌊λ/2⌋, mean x0 at the
/// centre of the box, σ0 = 1/6 (Optuna's `min(range)/6` in the normalised space). Out-of-box draws are
/// resampled up to 100 times, then clipped. A generation is updated as soon as λ complete trials have been
/// observed since the last update (in parallel use a late result of an earlier generation counts for the
/// current one). Pruned and failed trials are ignored. O(n³) per generation (Jacobi eigen-decomposition), O(n²)
/// per suggestion.
public struct CMAESSampler: Sampler {
    /// Tuning knobs; the defaults are Optuna 5's.
    public struct Configuration: Sendable, Hashable {
        /// Complete trials sampled at random before the strategy starts (1).
        public var startupTrials: Int
        /// Population size λ; `nil` for 4 + ⌊3 ln n⌋.
        public var populationSize: Int?
        /// Initial step size in the normalised `[0, 1]` space; `nil` for 1/6.
        public var sigma0: Double?

        /// Creates a configuration; every argument defaults to Optuna 5's value.
        public init(startupTrials: Int = 1, populationSize: Int? = nil, sigma0: Double? = nil) {
            self.startupTrials = startupTrials
            self.populationSize = populationSize
            self.sigma0 = sigma0
        }
    }

    /// The space suggestions are drawn from.
    public let space: SearchSpace
    /// Whether smaller or larger objective values are better.
    public let direction: StudyDirection
    /// The knobs in use.
    public let configuration: Configuration
    /// Indices (in space order) of the parameters the strategy models.
    private let axes: [Int]
    private let dimensions: [TPEDimension]
    private var generator: SeededGenerator
    private var strategy: Strategy?
    private var completed = 0
    private var seen: Set<Int> = []
    /// Complete trials of the current generation: normalised point and loss.
    private var population: [(x: [Double], loss: Double)] = []

    /// Creates a sampler.
    /// - Parameters:
    ///   - space: The space to sample.
    ///   - direction: Whether smaller or larger values are better.
    ///   - configuration: The knobs; Optuna 5's defaults when omitted.
    ///   - seed: Fixes the sequence of suggestions for a given sequence of calls.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidConfiguration``) for a negative number of startup trials, a
    ///   population below 2 or a non-positive σ0.
    public init(
        space: SearchSpace,
        direction: StudyDirection,
        configuration: Configuration = Configuration(),
        seed: UInt64
    ) throws {
        guard configuration.startupTrials >= 0, (configuration.populationSize ?? 2) >= 2,
            (configuration.sigma0 ?? 1) > 0
        else {
            throw TuneError(
                .invalidConfiguration, "cmaes: startupTrials must be >= 0, populationSize >= 2 and sigma0 > 0")
        }
        self.space = space
        self.direction = direction
        self.configuration = configuration
        self.dimensions = space.parameters.map(TPEDimension.init)
        self.axes = space.parameters.indices.filter { index in
            let parameter = space.parameters[index]
            guard parameter.conditions.isEmpty else { return false }
            if case .categorical = parameter.distribution { return false }
            return true
        }
        self.generator = SeededGenerator(seed: seed)
    }

    /// The population size for `n` modelled parameters: the configured one or 4 + ⌊3 ln n⌋.
    public func populationSize(dimensions n: Int) -> Int {
        configuration.populationSize ?? 4 + Int((3 * log(Double(max(n, 1)))).rounded(.down))
    }

    /// Records a complete trial with a finite value (once); others are ignored.
    public mutating func observe(_ trial: Trial) {
        guard trial.state == .complete, let value = trial.value, value.isFinite, !seen.contains(trial.number)
        else { return }
        seen.insert(trial.number)
        completed += 1
        guard !axes.isEmpty, strategy != nil || completed > configuration.startupTrials else { return }
        var x: [Double] = []
        for axis in axes {
            guard let value = trial.params[space.parameters[axis].name], let coordinate = normalise(value, axis: axis)
            else { return }
            x.append(coordinate)
        }
        population.append((x, direction.loss(value)))
        if strategy == nil {
            strategy = Strategy(
                dimension: axes.count, lambda: populationSize(dimensions: axes.count),
                sigma0: configuration.sigma0 ?? 1.0 / 6)
        }
        if population.count >= strategy!.lambda {
            strategy!.update(population.sorted { $0.loss < $1.loss }.map(\.x))
            population.removeAll()
        }
    }

    /// Draws the modelled parameters from the current search distribution (at random during start-up) and the
    /// others independently. Never throws.
    public mutating func suggest(running: [Trial]) throws -> [String: ParameterValue] {
        var assignment: [String: ParameterValue] = [:]
        if completed >= configuration.startupTrials, !axes.isEmpty {
            if strategy == nil {
                strategy = Strategy(
                    dimension: axes.count, lambda: populationSize(dimensions: axes.count),
                    sigma0: configuration.sigma0 ?? 1.0 / 6)
            }
            let x = strategy!.sample(using: &generator)
            for (k, axis) in axes.enumerated() {
                assignment[space.parameters[axis].name] = denormalise(x[k], axis: axis)
            }
        }
        for parameter in space.parameters where assignment[parameter.name] == nil {
            guard parameter.isActive(given: assignment) else { continue }
            assignment[parameter.name] = parameter.distribution.sample(using: &generator)
        }
        return assignment
    }

    private func normalise(_ value: ParameterValue, axis: Int) -> Double? {
        let dimension = dimensions[axis]
        guard let x = dimension.encode(value), dimension.high > dimension.low else { return nil }
        return (x - dimension.low) / (dimension.high - dimension.low)
    }

    private func denormalise(_ x: Double, axis: Int) -> ParameterValue {
        let dimension = dimensions[axis]
        return dimension.decode(dimension.low + min(max(x, 0), 1) * (dimension.high - dimension.low))
    }
}

extension CMAESSampler {
    /// The state of the evolution strategy in the normalised box `[0, 1]^n`.
    struct Strategy: Sendable {
        let n: Int
        let lambda: Int
        let weights: [Double]
        let muEff: Double
        let cSigma: Double
        let dSigma: Double
        let cC: Double
        let c1: Double
        let cMu: Double
        let chiN: Double
        var mean: [Double]
        var sigma: Double
        var pSigma: [Double]
        var pC: [Double]
        /// Row-major n×n covariance, its eigenvectors (columns of `b`) and the square roots of its eigenvalues.
        var c: [Double]
        var b: [Double]
        var d: [Double]
        var generation = 0

        init(dimension n: Int, lambda: Int, sigma0: Double) {
            self.n = n
            self.lambda = lambda
            let mu = lambda / 2
            var raw = (1...mu).map { log((Double(lambda) + 1) / 2) - log(Double($0)) }
            let total = raw.reduce(0, +)
            raw = raw.map { $0 / total }
            weights = raw
            muEff = 1 / raw.reduce(0) { $0 + $1 * $1 }
            let dn = Double(n)
            cSigma = (muEff + 2) / (dn + muEff + 5)
            dSigma = 1 + 2 * max(0, ((muEff - 1) / (dn + 1)).squareRoot() - 1) + cSigma
            cC = (4 + muEff / dn) / (dn + 4 + 2 * muEff / dn)
            c1 = 2 / ((dn + 1.3) * (dn + 1.3) + muEff)
            cMu = min(1 - c1, 2 * (muEff - 2 + 1 / muEff) / ((dn + 2) * (dn + 2) + muEff))
            chiN = dn.squareRoot() * (1 - 1 / (4 * dn) + 1 / (21 * dn * dn))
            mean = [Double](repeating: 0.5, count: n)
            sigma = sigma0
            pSigma = [Double](repeating: 0, count: n)
            pC = [Double](repeating: 0, count: n)
            c = [Double](repeating: 0, count: n * n)
            b = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                c[i * n + i] = 1
                b[i * n + i] = 1
            }
            d = [Double](repeating: 1, count: n)
        }

        /// One draw of m + σ·B·D·z inside the box (resampled up to 100 times, then clipped).
        func sample(using generator: inout SeededGenerator) -> [Double] {
            var x = [Double](repeating: 0, count: n)
            for _ in 0..<100 {
                let z = (0..<n).map { _ in generator.normal() }
                for i in 0..<n {
                    var y = 0.0
                    for j in 0..<n { y += b[i * n + j] * d[j] * z[j] }
                    x[i] = mean[i] + sigma * y
                }
                if x.allSatisfy({ $0 >= 0 && $0 <= 1 }) { return x }
            }
            return x.map { min(max($0, 0), 1) }
        }

        /// Moves the distribution towards the best μ of one generation, given best first.
        mutating func update(_ sorted: [[Double]]) {
            generation += 1
            let mu = weights.count
            let ys = sorted.prefix(mu).map { x in (0..<n).map { (x[$0] - mean[$0]) / sigma } }
            var yW = [Double](repeating: 0, count: n)
            for (w, y) in zip(weights, ys) {
                for i in 0..<n { yW[i] += w * y[i] }
            }
            for i in 0..<n { mean[i] += sigma * yW[i] }
            // C^(-1/2)·yW = B·D⁻¹·Bᵀ·yW
            var bt = [Double](repeating: 0, count: n)
            for j in 0..<n {
                var s = 0.0
                for i in 0..<n { s += b[i * n + j] * yW[i] }
                bt[j] = s / d[j]
            }
            let sigmaFactor = (cSigma * (2 - cSigma) * muEff).squareRoot()
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += b[i * n + j] * bt[j] }
                pSigma[i] = (1 - cSigma) * pSigma[i] + sigmaFactor * s
            }
            let normPSigma = pSigma.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let threshold = (1.4 + 2 / (Double(n) + 1)) * chiN
            let hSigma: Double =
                normPSigma / (1 - pow(1 - cSigma, 2 * Double(generation))).squareRoot() < threshold ? 1 : 0
            let cFactor = (cC * (2 - cC) * muEff).squareRoot()
            for i in 0..<n { pC[i] = (1 - cC) * pC[i] + hSigma * cFactor * yW[i] }
            let decay = 1 - c1 - cMu + (1 - hSigma) * c1 * cC * (2 - cC)
            for i in 0..<n {
                for j in 0...i {
                    var rankMu = 0.0
                    for (w, y) in zip(weights, ys) { rankMu += w * y[i] * y[j] }
                    let value = decay * c[i * n + j] + c1 * pC[i] * pC[j] + cMu * rankMu
                    c[i * n + j] = value
                    c[j * n + i] = value
                }
            }
            sigma *= exp(min(1, (cSigma / dSigma) * (normPSigma / chiN - 1)))
            let (values, vectors) = SymmetricEigen.decompose(c, size: n)
            b = vectors
            d = values.map { max($0, 1e-20).squareRoot() }
        }
    }
}
