import Foundation

/// The synthetic objectives of the quality benchmark (minimisation), the same as `scripts/bench/tune_functions.py`.
enum BenchmarkFunction: String, CaseIterable {
    case branin
    case hartmann6
    case rosenbrock10
    case styblinskiTang10 = "styblinski_tang10"

    var bounds: [(Double, Double)] {
        switch self {
        case .branin: [(-5, 10), (0, 15)]
        case .hartmann6: Array(repeating: (0, 1), count: 6)
        case .rosenbrock10: Array(repeating: (-5, 10), count: 10)
        case .styblinskiTang10: Array(repeating: (-5, 5), count: 10)
        }
    }

    var spaceYAML: String {
        bounds.enumerated().map { "x\($0.offset): {type: float, low: \($0.element.0), high: \($0.element.1)}" }
            .joined(separator: "\n")
    }

    func callAsFunction(_ x: [Double]) -> Double {
        switch self {
        case .branin:
            let b = 5.1 / (4 * Double.pi * Double.pi)
            let c = 5 / Double.pi
            let t = 1 / (8 * Double.pi)
            let a = x[1] - b * x[0] * x[0] + c * x[0] - 6
            return a * a + 10 * (1 - t) * cos(x[0]) + 10
        case .hartmann6:
            let alpha = [1.0, 1.2, 3.0, 3.2]
            let a: [[Double]] = [
                [10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
                [17, 8, 0.05, 10, 0.1, 14],
            ]
            let p: [[Double]] = [
                [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
                [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
            ]
            var total = 0.0
            for i in 0..<4 {
                var inner = 0.0
                for j in 0..<6 { inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]) }
                total += alpha[i] * exp(-inner)
            }
            return -total
        case .rosenbrock10:
            var total = 0.0
            for i in 0..<(x.count - 1) {
                total += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2)
            }
            return total
        case .styblinskiTang10:
            return x.reduce(0) { $0 + $1 * $1 * $1 * $1 - 16 * $1 * $1 + 5 * $1 } / 2
        }
    }
}
