/// A `search_registered_models` request after parsing.
public struct RegisteredModelQuery: Sendable {
    public var filter: [FilterClause]
    public var maxResults: Int
    public var orderBy: [OrderTerm]
    public var offset: Int

    /// Creates a query.
    public init(filter: [FilterClause] = [], maxResults: Int = 100, orderBy: [OrderTerm] = [], offset: Int = 0) {
        self.filter = filter
        self.maxResults = maxResults
        self.orderBy = orderBy
        self.offset = offset
    }
}

/// A `search_model_versions` request after parsing.
public struct ModelVersionQuery: Sendable {
    public var filter: [FilterClause]
    public var maxResults: Int
    public var orderBy: [OrderTerm]
    public var offset: Int

    /// Creates a query.
    public init(filter: [FilterClause] = [], maxResults: Int = 10000, orderBy: [OrderTerm] = [], offset: Int = 0) {
        self.filter = filter
        self.maxResults = maxResults
        self.orderBy = orderBy
        self.offset = offset
    }
}

/// A `search_logged_models` request after parsing.
public struct LoggedModelQuery: Sendable {
    public var experimentIDs: [String]
    public var filter: [FilterClause]
    public var maxResults: Int
    public var orderBy: [OrderTerm]
    public var offset: Int
    /// When not empty, metric filters count only metrics on these datasets, and without a metric filter only
    /// models with a metric on one of them match (MLflow's `datasets` argument).
    public var datasets: [DatasetKey]

    /// Creates a query.
    public init(
        experimentIDs: [String], filter: [FilterClause] = [], maxResults: Int = 100, orderBy: [OrderTerm] = [],
        offset: Int = 0, datasets: [DatasetKey] = []
    ) {
        self.datasets = datasets
        self.experimentIDs = experimentIDs
        self.filter = filter
        self.maxResults = maxResults
        self.orderBy = orderBy
        self.offset = offset
    }
}

/// The fields a logged model is created with; the service fills the id and times.
public struct NewLoggedModel: Sendable {
    public var id: String
    public var experimentID: String
    public var name: String
    public var modelType: String?
    public var sourceRunID: String?
    public var userID: String?
    public var params: [Param]
    public var tags: [Tag]
    public var time: Int64

    /// Creates the values of a new logged model.
    public init(
        id: String, experimentID: String, name: String, modelType: String?, sourceRunID: String?, userID: String?,
        params: [Param], tags: [Tag], time: Int64
    ) {
        self.id = id
        self.experimentID = experimentID
        self.name = name
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.userID = userID
        self.params = params
        self.tags = tags
        self.time = time
    }
}

/// The fields a model version is created with, after source validation.
public struct NewModelVersion: Sendable {
    public var name: String
    public var source: String
    public var storageLocation: String
    public var runID: String?
    public var runLink: String?
    public var modelID: String?
    public var description: String?
    public var userID: String?
    public var tags: [Tag]
    public var time: Int64

    /// Creates the values of a new model version.
    public init(
        name: String, source: String, storageLocation: String, runID: String?, runLink: String?, modelID: String?,
        description: String?, userID: String?, tags: [Tag], time: Int64
    ) {
        self.name = name
        self.source = source
        self.storageLocation = storageLocation
        self.runID = runID
        self.runLink = runLink
        self.modelID = modelID
        self.description = description
        self.userID = userID
        self.tags = tags
        self.time = time
    }
}
