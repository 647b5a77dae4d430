/// A served model's route: the primary slot, an optional canary taking a share of traffic, and shadow slots that
/// get a copy of every request.
final class ModelRoute: Sendable {
    /// Which slot answered a request.
    enum Role: String, Sendable {
        case primary
        case canary
        case shadow
    }

    /// A canary: a slot and the percentage of requests it answers.
    struct Canary: Sendable {
        var slot: ModelSlot
        /// 0–100; fractional percentages are honoured to 0.01 %.
        var weight: Double
    }

    /// The route's name, as in `/v2/models/{name}` and `/models/{name}/invocations`.
    let name: String
    let primary: ModelSlot
    let canary: Canary?
    let shadows: [ModelSlot]
    /// The request header whose value pins a caller to the primary or the canary.
    let stickyHeader: String?

    init(name: String, primary: ModelSlot, canary: Canary?, shadows: [ModelSlot], stickyHeader: String?) {
        self.name = name
        self.primary = primary
        self.canary = canary
        self.shadows = shadows
        self.stickyHeader = stickyHeader
    }

    /// Every slot of the route, primary first.
    var slots: [ModelSlot] { [primary] + (canary.map { [$0.slot] } ?? []) + shadows }

    /// Picks the slot that answers a request.
    /// - Parameter key: The sticky key, when the request carries one: the same key always gets the same slot
    ///   (for a fixed weight). Without one the choice is random.
    func choose(key: String?) -> (slot: ModelSlot, role: Role) {
        guard let canary, canary.weight > 0 else { return (primary, .primary) }
        let bucket: UInt64 =
            if let key { Self.fnv1a(key) % 10_000 } else { UInt64.random(in: 0..<10_000) }
        return Double(bucket) < canary.weight * 100 ? (canary.slot, .canary) : (primary, .primary)
    }

    /// FNV-1a, 64-bit: stable across processes and restarts, unlike `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
