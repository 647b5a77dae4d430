/// A run: one execution of training code, with its parameters, metrics, tags, inputs and outputs.
public struct Run: Sendable, Equatable {
    public var info: RunInfo
    /// The latest value of each metric key.
    public var metrics: [Metric]
    public var params: [Param]
    public var tags: [Tag]
    public var datasetInputs: [DatasetInput]
    /// Ids of logged models the run consumed.
    public var modelInputs: [String]
    public var modelOutputs: [ModelOutput]

    /// Creates a run value.
    public init(
        info: RunInfo, metrics: [Metric] = [], params: [Param] = [], tags: [Tag] = [],
        datasetInputs: [DatasetInput] = [], modelInputs: [String] = [], modelOutputs: [ModelOutput] = []
    ) {
        self.info = info
        self.metrics = metrics
        self.params = params
        self.tags = tags
        self.datasetInputs = datasetInputs
        self.modelInputs = modelInputs
        self.modelOutputs = modelOutputs
    }
}

/// The scalar attributes of a run.
public struct RunInfo: Sendable, Equatable {
    /// 32 lowercase hex characters.
    public var runID: String
    public var experimentID: String
    public var runName: String
    public var userID: String
    public var status: RunStatus
    /// Milliseconds since the Unix epoch.
    public var startTime: Int64
    /// Milliseconds since the Unix epoch; nil while the run has not ended.
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    /// Creates run attributes.
    public init(
        runID: String, experimentID: String, runName: String, userID: String, status: RunStatus,
        startTime: Int64, endTime: Int64?, artifactURI: String, lifecycleStage: LifecycleStage
    ) {
        self.runID = runID
        self.experimentID = experimentID
        self.runName = runName
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// The state of a run, with MLflow's names and proto numbers.
public enum RunStatus: String, Sendable, Equatable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// Parses a status by name (any case) or proto number (RUNNING=1 … KILLED=5).
    public init?(wireValue: String) {
        switch wireValue.uppercased() {
        case "RUNNING", "1": self = .running
        case "SCHEDULED", "2": self = .scheduled
        case "FINISHED", "3": self = .finished
        case "FAILED", "4": self = .failed
        case "KILLED", "5": self = .killed
        default: return nil
        }
    }
}

/// One recorded value of a metric.
public struct Metric: Sendable, Equatable {
    public var key: String
    /// May be NaN or ±infinity.
    public var value: Double
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    public var step: Int64
    /// The logged model this value belongs to, if any.
    public var modelID: String?
    public var datasetName: String?
    public var datasetDigest: String?
    /// Set only where a result mixes runs (bulk history).
    public var runID: String?

    /// Creates a metric value.
    public init(
        key: String, value: Double, timestamp: Int64, step: Int64, modelID: String? = nil,
        datasetName: String? = nil, datasetDigest: String? = nil, runID: String? = nil
    ) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.modelID = modelID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
        self.runID = runID
    }

    public static func == (lhs: Metric, rhs: Metric) -> Bool {
        lhs.key == rhs.key && lhs.timestamp == rhs.timestamp && lhs.step == rhs.step
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN)) && lhs.modelID == rhs.modelID
            && lhs.datasetName == rhs.datasetName && lhs.datasetDigest == rhs.datasetDigest && lhs.runID == rhs.runID
    }
}

/// A dataset a run consumed, with the tags of that use (e.g. `mlflow.data.context`).
public struct DatasetInput: Sendable, Equatable {
    public var dataset: Dataset
    public var tags: [Tag]

    /// Creates a dataset input.
    public init(dataset: Dataset, tags: [Tag]) {
        self.dataset = dataset
        self.tags = tags
    }
}

/// A dataset as MLflow describes it: identified by name and digest within an experiment.
public struct Dataset: Sendable, Equatable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?

    /// Creates a dataset description.
    public init(name: String, digest: String, sourceType: String, source: String, schema: String?, profile: String?) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
    }
}

/// One dataset as some run of an experiment used it, in one context (`mlflow.data.context`: training,
/// evaluation…), for MLflow's `experiments/search-datasets`.
public struct DatasetSummary: Sendable, Equatable, Hashable {
    public var experimentID: String
    public var name: String
    public var digest: String
    /// Nil when the input carried no context tag.
    public var context: String?
    /// The input tag that names the context.
    public static let contextTag = "mlflow.data.context"

    /// Creates a dataset summary.
    public init(experimentID: String, name: String, digest: String, context: String?) {
        self.experimentID = experimentID
        self.name = name
        self.digest = digest
        self.context = context
    }
}

/// A logged model a run produced, at a step.
public struct ModelOutput: Sendable, Equatable {
    public var modelID: String
    public var step: Int64

    /// Creates a model output.
    public init(modelID: String, step: Int64) {
        self.modelID = modelID
        self.step = step
    }
}
