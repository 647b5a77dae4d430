/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations.
enum SymmetricEigen {
    /// Eigenvalues and eigenvectors of a symmetric matrix.
    ///
    /// Sweeps until the off-diagonal mass falls below 1e-22 of the total or after 100 sweeps; accurate to about
    /// 1e-12 relative for well-scaled matrices. O(n³) per sweep. NaN input gives NaN output.
    /// - Parameters:
    ///   - matrix: Row-major `size × size` symmetric matrix.
    ///   - size: n.
    /// - Returns: The eigenvalues and the row-major matrix whose column k is the k-th unit eigenvector.
    static func decompose(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let total = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) { off += a[i * n + j] * a[i * n + j] }
            }
            if off <= 1e-22 * total || off == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where a[p * n + q] != 0 {
                    let apq = a[p * n + q]
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let cs = 1 / (t * t + 1).squareRoot()
                    let sn = t * cs
                    for k in 0..<n {
                        let akp = a[k * n + p]
                        let akq = a[k * n + q]
                        a[k * n + p] = cs * akp - sn * akq
                        a[k * n + q] = sn * akp + cs * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k]
                        let aqk = a[q * n + k]
                        a[p * n + k] = cs * apk - sn * aqk
                        a[q * n + k] = sn * apk + cs * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p]
                        let vkq = v[k * n + q]
                        v[k * n + p] = cs * vkp - sn * vkq
                        v[k * n + q] = sn * vkp + cs * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}
