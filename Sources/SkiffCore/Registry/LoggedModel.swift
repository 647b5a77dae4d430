/// A model logged from a run (MLflow 3's LoggedModel): its artifacts, params, metrics and tags.
public struct LoggedModel: Sendable, Equatable {
    /// `m-` followed by 32 lowercase hex characters.
    public var id: String
    public var experimentID: String
    public var name: String
    public var artifactURI: String
    public var status: LoggedModelStatus
    public var statusMessage: String?
    /// Milliseconds since the Unix epoch.
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var modelType: String?
    public var sourceRunID: String?
    public var userID: String?
    public var tags: [Tag]
    public var params: [Param]
    /// The metric values logged with this model's id.
    public var metrics: [Metric]

    /// Creates a logged model value.
    public init(
        id: String, experimentID: String, name: String, artifactURI: String, status: LoggedModelStatus,
        statusMessage: String? = nil, creationTime: Int64, lastUpdatedTime: Int64, modelType: String? = nil,
        sourceRunID: String? = nil, userID: String? = nil, tags: [Tag] = [], params: [Param] = [],
        metrics: [Metric] = []
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.artifactURI = artifactURI
        self.status = status
        self.statusMessage = statusMessage
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.userID = userID
        self.tags = tags
        self.params = params
        self.metrics = metrics
    }
}

/// The upload state of a logged model, with MLflow's names and proto numbers.
public enum LoggedModelStatus: String, Sendable, Equatable, CaseIterable {
    case unspecified = "LOGGED_MODEL_STATUS_UNSPECIFIED"
    case pending = "LOGGED_MODEL_PENDING"
    case ready = "LOGGED_MODEL_READY"
    case uploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"

    /// Parses a status by name or proto number.
    public init?(wireValue: String) {
        switch wireValue.uppercased() {
        case "LOGGED_MODEL_STATUS_UNSPECIFIED", "0": self = .unspecified
        case "LOGGED_MODEL_PENDING", "1": self = .pending
        case "LOGGED_MODEL_READY", "2": self = .ready
        case "LOGGED_MODEL_UPLOAD_FAILED", "3": self = .uploadFailed
        default: return nil
        }
    }
}
