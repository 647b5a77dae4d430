import Testing

@testable import SkiffInference

/// The blocked SIMD matrix product agrees with the textbook triple loop for every column remainder and layout.
@Suite("Matrix multiply")
struct MatrixMultiplyTests {
    @Test(
        "blocked product matches the naive product",
        arguments: [(1, 1, 1), (3, 5, 7), (10, 20, 64), (9, 20, 70), (130, 33, 41), (2, 0, 3)])
    func matchesNaive(shape: (Int, Int, Int)) {
        let (n, k, m) = shape
        var generator = ModelFuzzTests.SeededGenerator(state: UInt64(n * 1_000_000 + k * 1_000 + m))
        let a = (0..<n * k).map { _ in Float.random(in: -1...1, using: &generator) }
        let b = (0..<k * m).map { _ in Float.random(in: -1...1, using: &generator) }
        for transposeA in [false, true] {
            // With transposeA the same numbers are read as a k × n matrix.
            let product = MatrixOperators.multiply(
                a, b, n: n, k: k, m: m, transposeA: transposeA, transposeB: false, pool: ComputePool(threadCount: 2))
            for i in 0..<n {
                for j in 0..<m {
                    var expected: Float = 0
                    for p in 0..<k { expected += (transposeA ? a[p * n + i] : a[i * k + p]) * b[p * m + j] }
                    #expect(abs(product[i * m + j] - expected) <= 1e-5 * max(1, abs(expected)))
                }
            }
        }
    }
}
