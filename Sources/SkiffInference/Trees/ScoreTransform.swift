import Foundation

/// The link function that turns a boosted ensemble's margins into what the library's `predict` returns.
enum ScoreTransform: Sendable, Equatable {
    /// Margins as they are (regression with squared error, ranking, `--raw`).
    case identity
    /// `1 / (1 + exp(-k·s))` per output (binary logistic; LightGBM `sigmoid:k`, one-vs-all multiclass).
    case sigmoid(Double)
    /// Row-wise softmax over the outputs (multiclass probabilities).
    case softmax
    /// The index of the largest margin, as a number (XGBoost `multi:softmax`).
    case argmax
    /// `exp(s)` (Poisson, gamma, Tweedie, Cox).
    case exponential
    /// `s > 0 ? 1 : 0` (XGBoost `binary:hinge`).
    case hinge

    /// The number of values each row gets, given the ensemble's output count.
    func outputCount(targets: Int) -> Int {
        self == .argmax ? 1 : targets
    }

    /// Applies the transform to one row of margins.
    /// - Parameters:
    ///   - margins: The row's margins.
    ///   - output: Where the row's `outputCount(targets:)` values go.
    func apply(_ margins: UnsafeMutableBufferPointer<Double>, into output: UnsafeMutablePointer<Double>) {
        switch self {
        case .identity:
            for index in margins.indices { output[index] = margins[index] }
        case .sigmoid(let k):
            for index in margins.indices { output[index] = 1 / (1 + exp(-k * margins[index])) }
        case .softmax:
            var largest = -Double.infinity
            for value in margins { largest = max(largest, value) }
            var sum = 0.0
            for index in margins.indices {
                let value = exp(margins[index] - largest)
                output[index] = value
                sum += value
            }
            for index in margins.indices { output[index] /= sum }
        case .argmax:
            var best = 0
            for index in margins.indices where margins[index] > margins[best] { best = index }
            output[0] = Double(best)
        case .exponential:
            for index in margins.indices { output[index] = exp(margins[index]) }
        case .hinge:
            for index in margins.indices { output[index] = margins[index] > 0 ? 1 : 0 }
        }
    }
}
