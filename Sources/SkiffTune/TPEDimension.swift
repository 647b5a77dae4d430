import Foundation

/// How the TPE sampler sees one parameter: a real axis (log-transformed for log scales, widened by half a step
/// for discrete values) or a set of category indices.
struct TPEDimension: Sendable {
    let parameter: Parameter
    /// Number of categories, or 0 for a numeric axis.
    let categoryCount: Int
    /// Truncation bounds of the numeric axis in the transformed space.
    let low: Double
    let high: Double

    init(_ parameter: Parameter) {
        self.parameter = parameter
        switch parameter.distribution {
        case .float(let low, let high, let step, let log):
            categoryCount = 0
            if let step {
                let last = low + Double(parameter.distribution.floatGridCount! - 1) * step
                self.low = low - step / 2
                self.high = last + step / 2
            } else if log {
                self.low = Foundation.log(low)
                self.high = Foundation.log(high)
            } else {
                self.low = low
                self.high = high
            }
        case .int(let low, let high, let step, let log):
            categoryCount = 0
            if log {
                self.low = Foundation.log(Double(low) - 0.5)
                self.high = Foundation.log(Double(high) + 0.5)
            } else {
                let last = low + (high - low) / step * step
                self.low = Double(low) - Double(step) / 2
                self.high = Double(last) + Double(step) / 2
            }
        case .categorical(let choices):
            categoryCount = choices.count
            low = 0
            high = 0
        }
    }

    var isCategorical: Bool { categoryCount > 0 }

    /// The internal coordinate of a value, or `nil` when the value does not belong to the distribution.
    func encode(_ value: ParameterValue) -> Double? {
        guard parameter.distribution.contains(value) else { return nil }
        switch parameter.distribution {
        case .float(_, _, _, let log):
            guard let x = value.doubleValue else { return nil }
            return log ? Foundation.log(x) : x
        case .int(_, _, _, let log):
            guard let x = value.doubleValue else { return nil }
            return log ? Foundation.log(x) : x
        case .categorical(let choices):
            return choices.firstIndex(of: value).map(Double.init)
        }
    }

    /// The value nearest to an internal coordinate: snapped onto the grid and clamped into the bounds.
    func decode(_ x: Double) -> ParameterValue {
        switch parameter.distribution {
        case .float(let low, let high, let step, let log):
            if let step {
                let count = parameter.distribution.floatGridCount!
                let k = min(max(Int(((x - low) / step).rounded()), 0), count - 1)
                return .float(min(low + Double(k) * step, high))
            }
            let value = log ? exp(x) : x
            return .float(min(max(value, low), high))
        case .int(let low, let high, let step, let log):
            if log {
                return .int(min(max(Int(exp(x).rounded()), low), high))
            }
            let count = (high - low) / step + 1
            let k = min(max(Int(((x - Double(low)) / Double(step)).rounded()), 0), count - 1)
            return .int(low + k * step)
        case .categorical(let choices):
            return choices[min(max(Int(x), 0), choices.count - 1)]
        }
    }
}
