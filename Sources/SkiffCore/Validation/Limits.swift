/// MLflow's validation limits, which Skiff enforces with the same numbers so clients behave the same.
public enum Limits {
    public static let maxEntityKeyLength = 250
    public static let maxParamValueLength = 6000
    public static let maxRunTagValueLength = 8000
    public static let maxExperimentTagValueLength = 20000
    public static let maxExperimentNameLength = 500
    public static let maxArtifactLocationLength = 2048
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsPerBatch = 100
    public static let maxTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    public static let maxDatasetsPerBatch = 1000
    public static let maxDatasetNameLength = 500
    public static let maxDatasetDigestLength = 36
    public static let maxDatasetSourceLength = 65535
    public static let maxDatasetSchemaLength = 1_048_575
    public static let maxDatasetProfileLength = 16_777_215
    public static let maxInputTagKeyLength = 255
    public static let maxInputTagValueLength = 500
    public static let maxRunsPerSearch = 50000
    public static let maxExperimentsPerSearch = 50000
    public static let maxHistoryPage = 25000
    public static let maxBulkIntervalRunIDs = 100
    public static let maxExperimentsPerDatasetSearch = 20
    public static let maxDatasetSummaries = 1000
    /// Skiff's own bounds on a search filter (MLflow has none): longer filters are refused with a 400 before any
    /// query is built, so no backend meets an expression deeper than it can plan.
    public static let maxFilterClauses = 200
    public static let maxFilterLength = 100_000
    /// Values in one `IN (...)` list.
    public static let maxFilterListValues = 10_000
}
