/// The verdict of one drift test on one column.
public struct ColumnDrift: Sendable, Equatable, Codable {
    /// The test that ran.
    public var method: DriftMethod
    /// The p-value for hypothesis tests, the distance otherwise. NaN when the test could not be computed.
    public var statistic: Double
    /// The threshold the statistic was compared with.
    public var threshold: Double
    /// Whether the column drifted, by the method's comparison direction.
    public var drifted: Bool

    /// Builds a verdict, deciding `drifted` from the method's comparison direction.
    public init(method: DriftMethod, statistic: Double, threshold: Double) {
        self.method = method
        self.statistic = statistic
        self.threshold = threshold
        self.drifted = method.isDrift(statistic: statistic, threshold: threshold)
    }
}
