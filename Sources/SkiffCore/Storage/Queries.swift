/// A `search_runs` request after parsing and validation.
public struct RunQuery: Sendable {
    public var experimentIDs: [String]
    public var filter: [FilterClause]
    public var viewType: ViewType
    public var maxResults: Int
    public var orderBy: [OrderTerm]
    public var offset: Int

    /// Creates a run query.
    public init(
        experimentIDs: [String], filter: [FilterClause] = [], viewType: ViewType = .activeOnly,
        maxResults: Int = 1000, orderBy: [OrderTerm] = [], offset: Int = 0
    ) {
        self.experimentIDs = experimentIDs
        self.filter = filter
        self.viewType = viewType
        self.maxResults = maxResults
        self.orderBy = orderBy
        self.offset = offset
    }
}

/// A `search_experiments` request after parsing and validation.
public struct ExperimentQuery: Sendable {
    public var filter: [FilterClause]
    public var viewType: ViewType
    public var maxResults: Int
    public var orderBy: [OrderTerm]
    public var offset: Int

    /// Creates an experiment query.
    public init(
        filter: [FilterClause] = [], viewType: ViewType = .activeOnly, maxResults: Int = 1000,
        orderBy: [OrderTerm] = [], offset: Int = 0
    ) {
        self.filter = filter
        self.viewType = viewType
        self.maxResults = maxResults
        self.orderBy = orderBy
        self.offset = offset
    }
}

/// The fields a run is created with; the service fills ids, names and times.
public struct NewRun: Sendable {
    public var runID: String
    public var experimentID: String
    public var runName: String
    public var userID: String
    public var startTime: Int64
    public var tags: [Tag]

    /// Creates the values of a new run.
    public init(runID: String, experimentID: String, runName: String, userID: String, startTime: Int64, tags: [Tag]) {
        self.runID = runID
        self.experimentID = experimentID
        self.runName = runName
        self.userID = userID
        self.startTime = startTime
        self.tags = tags
    }
}

/// Changes to a run's attributes; nil fields stay as they are.
public struct RunUpdate: Sendable {
    public var status: RunStatus?
    public var endTime: Int64?
    public var runName: String?

    /// Creates an update.
    public init(status: RunStatus? = nil, endTime: Int64? = nil, runName: String? = nil) {
        self.status = status
        self.endTime = endTime
        self.runName = runName
    }
}
