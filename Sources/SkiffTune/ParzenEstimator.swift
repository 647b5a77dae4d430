import Foundation

/// A mixture of one kernel per observation plus one prior kernel, over one or more ``TPEDimension``s.
///
/// Numeric axes use truncated normal kernels; categorical axes use a categorical kernel that puts weight 1 on
/// the observed category plus `priorWeight / kernels` on every category, normalised (Optuna 5's rule). Bandwidths
/// follow Optuna 5, which uses one rule for univariate and multivariate TPE: per observation, the larger distance to
/// its sorted neighbours among the observations, with the bounds as outer neighbours and the outermost
/// observations using their inner gap only; clipped to `[range / min(100, n + 2), range]` ("magic clip"). The prior
/// kernel is centred with bandwidth = range.
/// Mixture weights are 1 for the 25 newest observations and ramp linearly from 1/n up to 1 for older ones,
/// then the prior weight is appended and all are normalised.
///
/// Building costs O(n·d) (O(n log n) per axis univariately); one density evaluation costs O(n·d), with
/// `exp` skipped for kernels more than 30 nats below the largest term (each changes the sum by less than
/// 1e-13 relative).
struct ParzenEstimator {
    private let dimensions: [TPEDimension]
    private let kernelCount: Int
    private let numericAxes: [Int]
    private let categoricalAxes: [Int]
    /// Axis-major, so density loops run over contiguous kernels: `mus[j * kernelCount + kernel]`.
    private var mus: [Double]
    private var sigmas: [Double]
    private var inverseSigmas: [Double]
    /// Per kernel: log weight − Σ log σ − Σ log Z (normalising constants of the truncated normals).
    private var constants: [Double]
    /// Per categorical axis, kernel-major log probabilities: `[kernel * count + category]`.
    private var logProbabilities: [[Double]]
    private var cumulativeWeights: [Double]

    /// - Parameters:
    ///   - observations: Row-major coordinates, one row per observation (oldest first), one column per dimension.
    ///   - dimensions: The axes.
    ///   - priorWeight: Weight of the prior kernel before normalisation.
    ///   - weights: One weight per observation; `nil` for Optuna's default ramp (``observationWeights(count:)``).
    init(
        observations: [Double], dimensions: [TPEDimension], priorWeight: Double,
        weights observationWeights: [Double]? = nil
    ) {
        let width = dimensions.count
        let n = width == 0 ? 0 : observations.count / width
        let kernels = n + 1
        self.dimensions = dimensions
        kernelCount = kernels
        numericAxes = dimensions.indices.filter { !dimensions[$0].isCategorical }
        categoricalAxes = dimensions.indices.filter { dimensions[$0].isCategorical }

        var weights = observationWeights ?? Self.observationWeights(count: n)
        weights.append(priorWeight)
        let total = weights.reduce(0, +)
        var cumulative = 0.0
        cumulativeWeights = weights.map {
            cumulative += $0 / total
            return cumulative
        }
        constants = weights.map { Foundation.log($0 / total) }

        let numericCount = numericAxes.count
        mus = [Double](repeating: 0, count: kernels * numericCount)
        sigmas = [Double](repeating: 0, count: kernels * numericCount)
        inverseSigmas = [Double](repeating: 0, count: kernels * numericCount)
        for (j, axis) in numericAxes.enumerated() {
            let dimension = dimensions[axis]
            let low = dimension.low
            let high = dimension.high
            let range = high - low
            let column = (0..<n).map { observations[$0 * width + axis] }
            let axisSigmas = Self.neighbourBandwidths(column, low: low, high: high)
            let minimum = range / min(100, 1 + Double(kernels))
            var previousSigma = Double.nan
            var logSigma = 0.0
            for i in 0..<kernels {
                let mu = i < n ? column[i] : 0.5 * (low + high)
                let sigma = i < n ? min(max(axisSigmas[i], minimum), range) : range
                let index = j * kernels + i
                mus[index] = mu
                sigmas[index] = sigma
                inverseSigmas[index] = 1 / sigma
                if sigma != previousSigma {
                    logSigma = Foundation.log(sigma)
                    previousSigma = sigma
                }
                constants[i] -= logSigma + Self.logTruncatedMass(mu: mu, sigma: sigma, low: low, high: high)
            }
        }
        logProbabilities = categoricalAxes.map { axis in
            let count = dimensions[axis].categoryCount
            var table = [Double](repeating: 0, count: kernels * count)
            let base = priorWeight / Double(kernels)
            for i in 0..<kernels {
                let observed = i < n ? Int(observations[i * width + axis]) : -1
                let denominator = base * Double(count) + (observed >= 0 ? 1 : 0)
                for c in 0..<count {
                    let p = (base + (c == observed ? 1 : 0)) / denominator
                    table[i * count + c] = Foundation.log(p)
                }
            }
            return table
        }
    }

    /// Optuna's default observation weights: flat for up to 25 observations, else a linear ramp from 1/n for the
    /// oldest `n − 25` followed by 25 ones.
    static func observationWeights(count n: Int) -> [Double] {
        guard n >= 25 else { return [Double](repeating: 1, count: n) }
        let rampCount = n - 25
        var weights: [Double] = []
        weights.reserveCapacity(n)
        for k in 0..<rampCount {
            let start = 1 / Double(n)
            weights.append(rampCount == 1 ? start : start + (1 - start) * Double(k) / Double(rampCount - 1))
        }
        weights.append(contentsOf: repeatElement(1, count: 25))
        return weights
    }

    /// Per point: the larger gap to its sorted neighbours, with the bounds as the outer neighbours; with two or more
    /// points the smallest and largest use only their inner gap (Optuna's default of not considering endpoints).
    static func neighbourBandwidths(_ values: [Double], low: Double, high: Double) -> [Double] {
        let m = values.count
        guard m > 0 else { return [] }
        var pairs = values.enumerated().map { (value: $0.element, index: $0.offset) }
        pairs.sort { $0.value < $1.value }
        var padded = [Double](repeating: 0, count: m + 2)
        padded[0] = low
        for k in 0..<m { padded[k + 1] = pairs[k].value }
        padded[m + 1] = high
        var sorted = [Double](repeating: 0, count: m)
        for k in 0..<m {
            sorted[k] = max(padded[k + 1] - padded[k], padded[k + 2] - padded[k + 1])
        }
        if padded.count >= 4 {
            sorted[0] = padded[2] - padded[1]
            sorted[m - 1] = padded[m] - padded[m - 1]
        }
        var result = [Double](repeating: 0, count: m)
        for rank in 0..<m {
            result[pairs[rank].index] = sorted[rank]
        }
        return result
    }

    /// log(Φ((high − μ)/σ) − Φ((low − μ)/σ)) computed as log(1 − lower tail − upper tail); a tail beyond 7σ is
    /// taken as 0 (it is below 1.3e-12).
    static func logTruncatedMass(mu: Double, sigma: Double, low: Double, high: Double) -> Double {
        let upper = (high - mu) / sigma
        let lower = (low - mu) / sigma
        let lowerTail = lower > -7 ? 0.5 * erfc(-lower / 2.0.squareRoot()) : 0
        let upperTail = upper < 7 ? 0.5 * erfc(upper / 2.0.squareRoot()) : 0
        let tails = lowerTail + upperTail
        if tails == 0 { return 0 }
        return tails < 1 ? log1p(-tails) : Foundation.log(Double.leastNormalMagnitude)
    }

    static func normalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// Draws one point: picks a kernel by weight, then a value per axis from it (truncated normals by rejection,
    /// falling back to the kernel mean clamped into range after 100 misses).
    func sample(using generator: inout SeededGenerator) -> [Double] {
        let u = generator.unit()
        var lo = 0
        var hi = kernelCount - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulativeWeights[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        let kernel = lo
        var point = [Double](repeating: 0, count: dimensions.count)
        for (j, axis) in numericAxes.enumerated() {
            let mu = mus[j * kernelCount + kernel]
            let sigma = sigmas[j * kernelCount + kernel]
            let low = dimensions[axis].low
            let high = dimensions[axis].high
            var value = min(max(mu, low), high)
            for _ in 0..<100 {
                let draw = mu + sigma * generator.normal()
                if draw >= low && draw <= high {
                    value = draw
                    break
                }
            }
            point[axis] = value
        }
        for (j, axis) in categoricalAxes.enumerated() {
            let count = dimensions[axis].categoryCount
            var u = generator.unit()
            var chosen = count - 1
            for c in 0..<count {
                u -= exp(logProbabilities[j][kernel * count + c])
                if u < 0 {
                    chosen = c
                    break
                }
            }
            point[axis] = Double(chosen)
        }
        return point
    }

    /// The log density (log probability for categorical axes) of a point, up to a constant shared by all
    /// estimators over the same dimensions.
    func logDensity(_ point: [Double], scratch: inout [Double]) -> Double {
        let numericCount = numericAxes.count
        let kernels = kernelCount
        if scratch.count < kernels { scratch = [Double](repeating: 0, count: kernels) }
        let numeric = numericAxes.map { point[$0] }
        var maximum = -Double.infinity
        mus.withUnsafeBufferPointer { mus in
            inverseSigmas.withUnsafeBufferPointer { inverse in
                constants.withUnsafeBufferPointer { constants in
                    scratch.withUnsafeMutableBufferPointer { terms in
                        for i in 0..<kernels {
                            terms[i] = constants[i]
                        }
                        for j in 0..<numericCount {
                            let x = numeric[j]
                            let base = j * kernels
                            for i in 0..<kernels {
                                let z = (x - mus[base + i]) * inverse[base + i]
                                terms[i] -= 0.5 * z * z
                            }
                        }
                        for (j, axis) in categoricalAxes.enumerated() {
                            let count = dimensions[axis].categoryCount
                            let category = Int(point[axis])
                            logProbabilities[j].withUnsafeBufferPointer { table in
                                for i in 0..<kernels {
                                    terms[i] += table[i * count + category]
                                }
                            }
                        }
                        for i in 0..<kernels where terms[i] > maximum {
                            maximum = terms[i]
                        }
                    }
                }
            }
        }
        guard maximum > -Double.infinity else { return -Double.infinity }
        var sum = 0.0
        let cutoff = maximum - 30
        scratch.withUnsafeBufferPointer { terms in
            for i in 0..<kernels where terms[i] > cutoff {
                sum += exp(terms[i] - maximum)
            }
        }
        return maximum + Foundation.log(sum)
    }
}
