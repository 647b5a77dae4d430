import Foundation

/// A HyperLogLog distinct-count sketch (Flajolet et al. 2007) with 2ᵖ one-byte registers.
///
/// Standard error ≈ 1.04 / √(2ᵖ): 1.6 % at the default p = 12 (4 KiB). Small cardinalities use linear
/// counting. Values are hashed with a 64-bit mix (SplitMix64 finaliser over the Double's bits, FNV-1a for
/// strings), so no large-range correction is needed. Merging takes the register-wise maximum and is exact:
/// merge(A, B) equals the sketch of A ∪ B. `add` is O(1); `estimate` is O(2ᵖ).
public struct HyperLogLog: Sendable, Codable, Equatable {
    /// log₂ of the register count.
    public let precision: Int
    var registers: [UInt8]

    /// An empty sketch. - Parameter precision: 4...18, default 12.
    public init(precision: Int = 12) {
        self.precision = Swift.min(Swift.max(precision, 4), 18)
        self.registers = [UInt8](repeating: 0, count: 1 << self.precision)
    }

    /// Adds a number; NaN is ignored and 0.0 / −0.0 count as one value.
    public mutating func add(_ x: Double) {
        guard !x.isNaN else { return }
        let bits = x == 0 ? 0 : x.bitPattern
        addHash(Self.mix(bits))
    }

    /// Adds a string.
    public mutating func add(_ s: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        addHash(Self.mix(h))
    }

    mutating func addHash(_ hash: UInt64) {
        let index = Int(hash >> UInt64(64 - precision))
        let rest = hash << UInt64(precision)
        let rank = UInt8(Swift.min(rest.leadingZeroBitCount, 64 - precision) + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Merges another sketch (register-wise maximum). - Throws: `.incompatibleSketches` on a precision mismatch.
    public mutating func merge(_ other: HyperLogLog) throws(StatsError) {
        guard other.precision == precision else {
            throw StatsError(.incompatibleSketches, "HyperLogLog precisions \(precision) and \(other.precision) differ")
        }
        for i in registers.indices where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
    }

    /// The estimated number of distinct values added.
    public var estimate: Double {
        let m = Double(registers.count)
        var sum = 0.0
        var zeros = 0
        for r in registers {
            sum += pow(2, -Double(r))
            if r == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m && zeros > 0 {
            return m * log(m / Double(zeros))
        }
        return raw
    }

    enum CodingKeys: String, CodingKey { case precision, registers }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        precision = try c.decode(Int.self, forKey: .precision)
        let encoded = try c.decode(String.self, forKey: .registers)
        guard let data = Data(base64Encoded: encoded), data.count == 1 << precision else {
            throw DecodingError.dataCorruptedError(
                forKey: .registers, in: c, debugDescription: "register array has the wrong size")
        }
        registers = [UInt8](data)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(precision, forKey: .precision)
        try c.encode(Data(registers).base64EncodedString(), forKey: .registers)
    }
}
