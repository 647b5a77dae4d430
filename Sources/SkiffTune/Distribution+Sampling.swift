import Foundation

extension Distribution {
    /// Draws one value without a model: uniform on the range (on `log` of it for log scales), uniform over the
    /// grid for stepped values, uniform over the choices for categoricals.
    func sample(using generator: inout SeededGenerator) -> ParameterValue {
        switch self {
        case .float(let low, let high, let step, let log):
            if let step {
                let k = Int(generator.unit() * Double(floatGridCount!))
                return .float(min(low + Double(k) * step, high))
            }
            if log {
                let value = exp(Foundation.log(low) + generator.unit() * (Foundation.log(high) - Foundation.log(low)))
                return .float(min(max(value, low), high))
            }
            return .float(min(low + generator.unit() * (high - low), high))
        case .int(let low, let high, let step, let log):
            if log {
                let a = Foundation.log(Double(low) - 0.5)
                let b = Foundation.log(Double(high) + 0.5)
                let value = Int(exp(a + generator.unit() * (b - a)).rounded())
                return .int(min(max(value, low), high))
            }
            let count = (high - low) / step + 1
            return .int(low + Int(generator.next() % UInt64(count)) * step)
        case .categorical(let choices):
            return choices[Int(generator.next() % UInt64(choices.count))]
        }
    }
}
