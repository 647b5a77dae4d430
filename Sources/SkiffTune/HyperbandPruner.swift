/// Hyperband: several successive-halving brackets with different first rungs (Optuna's `HyperbandPruner`).
///
/// There are `⌊log_η(maxResource / minResource)⌋ + 1` brackets; bracket `i` is a ``SuccessiveHalvingPruner``
/// with `minEarlyStoppingRate = i` whose trials compete only with each other. Bracket `i` gets a budget of
/// `⌈B · η^(B−1−i) / (B−i)⌉` (B brackets) and a trial goes to the bracket in which
/// `crc32("<study name>_<trial number>") mod (sum of budgets)` falls, so every worker assigns the same bracket.
public struct HyperbandPruner: Pruner {
    /// Tuning knobs; the defaults are Optuna 5's.
    public struct Configuration: Sendable, Hashable {
        /// Steps to the first rung of bracket 0 (1).
        public var minResource: Int
        /// The largest step a trial runs to; `nil` ("auto") uses one more than the last step of the
        /// lowest-numbered complete trial and prunes nothing until a trial has completed.
        public var maxResource: Int?
        /// η (3).
        public var reductionFactor: Int
        /// Passed to every bracket (0).
        public var bootstrapCount: Int

        /// Creates a configuration; every argument defaults to Optuna 5's value.
        public init(minResource: Int = 1, maxResource: Int? = nil, reductionFactor: Int = 3, bootstrapCount: Int = 0) {
            self.minResource = minResource
            self.maxResource = maxResource
            self.reductionFactor = reductionFactor
            self.bootstrapCount = bootstrapCount
        }
    }

    /// The knobs in use.
    public let configuration: Configuration

    /// Creates a pruner.
    /// - Parameter configuration: The knobs; Optuna 5's defaults when omitted.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidConfiguration``) for a minimum resource below 1, a maximum
    ///   below the minimum, a reduction factor below 2 or a negative bootstrap count.
    public init(configuration: Configuration = Configuration()) throws {
        guard configuration.minResource >= 1,
            (configuration.maxResource ?? configuration.minResource) >= configuration.minResource,
            configuration.reductionFactor >= 2, configuration.bootstrapCount >= 0
        else {
            throw TuneError(
                .invalidConfiguration,
                "hyperband: minResource must be >= 1, maxResource >= minResource, reductionFactor >= 2"
            )
        }
        self.configuration = configuration
    }

    /// Applies successive halving within the trial's bracket.
    public func shouldPrune(trial: Trial, step: Int, history: Study) -> Bool {
        guard let budgets = budgets(history) else { return false }
        let bracket = Self.bracket(of: trial.number, study: history.name, budgets: budgets)
        let competitors = history.trials.filter {
            Self.bracket(of: $0.number, study: history.name, budgets: budgets) == bracket
        }
        let halving = try! SuccessiveHalvingPruner(
            configuration: .init(
                minResource: configuration.minResource,
                reductionFactor: configuration.reductionFactor,
                minEarlyStoppingRate: bracket,
                bootstrapCount: configuration.bootstrapCount
            )
        )
        return halving.shouldPrune(trial: trial, step: step, history: history, competitors: competitors)
    }

    /// The bracket budgets, or `nil` while the maximum resource is still unknown.
    func budgets(_ history: Study) -> [Int]? {
        let maxResource: Int
        if let configured = configuration.maxResource {
            maxResource = configured
        } else {
            let first = history.trials.filter { $0.state == .complete && $0.lastStep != nil }.min {
                $0.number < $1.number
            }
            guard let last = first?.lastStep else { return nil }
            maxResource = last == .max ? .max : last + 1
        }
        // Steps come from clients and may be as large as Int.max: every product saturates instead of trapping,
        // and a budget is capped so the budgets' sum fits the 32-bit hash the brackets are drawn with.
        let eta = configuration.reductionFactor
        var count = 1
        var reach = Self.saturatingProduct(configuration.minResource, eta)
        while reach <= maxResource, reach != .max {
            count += 1
            reach = Self.saturatingProduct(reach, eta)
        }
        return (0..<count).map { index in
            let s = count - 1 - index
            var power = 1
            for _ in 0..<s { power = Self.saturatingProduct(power, eta) }
            let (numerator, overflow) = Self.saturatingProduct(count, power).addingReportingOverflow(s)
            return min((overflow ? .max : numerator) / (s + 1), Self.maxBudget)
        }
    }

    /// The largest bracket budget: 64 of them still sum below 2^32.
    static let maxBudget = 1 << 25

    static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }

    /// The bracket a trial belongs to.
    static func bracket(of number: Int, study: String, budgets: [Int]) -> Int {
        let total = budgets.reduce(0, +)
        var remainder = Int(crc32(Array("\(study)_\(number)".utf8)) % UInt32(total))
        for (index, budget) in budgets.enumerated() {
            if remainder < budget { return index }
            remainder -= budget
        }
        return budgets.count - 1
    }

    /// CRC-32 (IEEE 802.3, as zlib and Python's `binascii.crc32`).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return ~crc
    }
}
