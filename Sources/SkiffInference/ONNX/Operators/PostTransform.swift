import Foundation

/// The `post_transform` of ai.onnx.ml linear and tree operators.
enum PostTransform: Sendable {
    case none, logistic, softmax, softmaxZero

    init(_ name: String, _ attributes: NodeAttributes) throws {
        switch name {
        case "NONE": self = .none
        case "LOGISTIC": self = .logistic
        case "SOFTMAX": self = .softmax
        case "SOFTMAX_ZERO": self = .softmaxZero
        default: throw attributes.unsupported("post_transform '\(name)'")
        }
    }

    static func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Transforms one row of scores in place.
    func apply(_ row: inout ArraySlice<Double>) {
        switch self {
        case .none: return
        case .logistic:
            for index in row.indices { row[index] = Self.logistic(row[index]) }
        case .softmax, .softmaxZero:
            let largest = row.max() ?? 0
            var sum = 0.0
            for index in row.indices {
                if self == .softmaxZero && row[index] == 0 { continue }
                row[index] = exp(row[index] - largest)
                sum += row[index]
            }
            for index in row.indices where !(self == .softmaxZero && row[index] == 0) { row[index] /= sum }
        }
    }
}
