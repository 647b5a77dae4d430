/// The pruners a study can be configured with by name (`median`, `asha`, `hyperband`, `none`).
public enum PrunerKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// ``MedianPruner`` with Optuna 5's defaults.
    case median
    /// ``SuccessiveHalvingPruner`` with Optuna 5's defaults.
    case asha
    /// ``HyperbandPruner`` with Optuna 5's defaults.
    case hyperband
    /// Never prunes.
    case none

    /// A new pruner of this kind with Optuna 5's defaults, or `nil` for ``none``.
    public func makePruner() -> (any Pruner)? {
        switch self {
        case .median: try! MedianPruner()
        case .asha: try! SuccessiveHalvingPruner()
        case .hyperband: try! HyperbandPruner()
        case .none: nil
        }
    }
}
