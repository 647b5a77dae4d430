import GraphQL
import Hummingbird
import SkiffCore
import SkiffJSON

/// The schema of MLflow's `/graphql` endpoint, which its web UI queries: the same type and field names,
/// each root field answered by the REST handler of the same call.
///
/// An object's value is the protobuf-JSON message that handler returns. protobuf-JSON leaves default values
/// out, and MLflow's resolvers read protobuf messages, so a field missing from the JSON reads as its
/// protobuf default (`""`, `"0"`, `0`, `false`, `[]`, the first enum value, an empty message). Float
/// fields read NaN as null and ±infinity as ±`Double.greatestFiniteMagnitude`, as GraphQL floats must be
/// finite (MLflow's SQL stores return infinite metrics that way too).
enum MLflowGraphQLSchema {
    /// How one field reads from the JSON: its GraphQL type and its protobuf default.
    indirect enum Wire: Sendable {
        case string
        /// An int64, sent as a decimal string so JavaScript does not round it (MLflow's `LongString`).
        case long
        case int
        case float
        case boolean
        case enumeration(GraphQLEnumType)
        case object(GraphQLObjectType)
        case list(Wire)
    }

    /// Builds the schema; `api` answers the root fields.
    static func make(_ api: APIResponder.HandlerTable) throws -> GraphQLSchema {
        let types = try Types()
        let runExtension = try runExtension(types)
        let searchRuns = try object(
            "MlflowSearchRunsResponse",
            [("runs", .list(.object(runExtension))), ("next_page_token", .string)], types)
        let searchRunsInput = try input(
            "MlflowSearchRunsInput",
            [
                ("experiment_ids", GraphQLList(GraphQLString)), ("filter", GraphQLString),
                ("run_view_type", types.viewType), ("max_results", GraphQLInt),
                ("order_by", GraphQLList(GraphQLString)), ("page_token", GraphQLString),
            ])
        let searchRunsField = root(
            searchRuns, searchRunsInput, api, .post, "runs/search", maxResults: GraphQLQueryLimits.maxRunsPerSearch
        ) { page in
            try await withRelations(page, "runs", api)
        }
        let echo = try echoField("Test", types)

        let query = try GraphQLObjectType(
            name: "Query",
            fields: [
                "mlflowGetExperiment": root(
                    try object(
                        "MlflowGetExperimentResponse", [("experiment", .object(types.experiment))], types),
                    try input("MlflowGetExperimentInput", [("experiment_id", GraphQLString)]),
                    api, .get, "experiments/get"),
                "mlflowGetMetricHistoryBulkInterval": root(
                    try object(
                        "MlflowGetMetricHistoryBulkIntervalResponse",
                        [("metrics", .list(.object(types.metricWithRunID)))], types),
                    try input(
                        "MlflowGetMetricHistoryBulkIntervalInput",
                        [
                            ("run_ids", GraphQLList(GraphQLString)), ("metric_key", GraphQLString),
                            ("start_step", GraphQLInt), ("end_step", GraphQLInt), ("max_results", GraphQLInt),
                        ]),
                    api, .get, "metrics/get-history-bulk-interval"),
                "mlflowGetRun": root(
                    try object("MlflowGetRunResponse", [("run", .object(runExtension))], types),
                    try input("MlflowGetRunInput", [("run_id", GraphQLString), ("run_uuid", GraphQLString)]),
                    api, .get, "runs/get"
                ) { response in try await withRelations(response, "run", api) },
                "mlflowListArtifacts": root(
                    try object(
                        "MlflowListArtifactsResponse",
                        [
                            ("root_uri", .string), ("files", .list(.object(types.fileInfo))),
                            ("next_page_token", .string),
                        ],
                        types),
                    try input(
                        "MlflowListArtifactsInput",
                        [
                            ("run_id", GraphQLString), ("run_uuid", GraphQLString), ("path", GraphQLString),
                            ("page_token", GraphQLString),
                        ]),
                    api, .get, "artifacts/list"),
                "mlflowSearchModelVersions": root(
                    try object(
                        "MlflowSearchModelVersionsResponse",
                        [("model_versions", .list(.object(types.modelVersion))), ("next_page_token", .string)], types),
                    try input(
                        "MlflowSearchModelVersionsInput",
                        [
                            ("filter", GraphQLString), ("max_results", types.longString),
                            ("order_by", GraphQLList(GraphQLString)), ("page_token", GraphQLString),
                        ]),
                    api, .get, "model-versions/search"),
                "test": echo,
                "mlflowSearchRuns": searchRunsField,
            ])
        let mutation = try GraphQLObjectType(
            name: "Mutation",
            fields: [
                "mlflowSearchDatasets": root(
                    try object(
                        "MlflowSearchDatasetsResponse",
                        [("dataset_summaries", .list(.object(types.datasetSummary)))], types),
                    try input("MlflowSearchDatasetsInput", [("experiment_ids", GraphQLList(GraphQLString))]),
                    api, .post, "experiments/search-datasets"),
                "mlflowSearchRuns": searchRunsField,
                "testMutation": try echoField("TestMutation", types),
            ])
        // MLflow's UI tags its operations with `@component(name: …)`.
        let component = try GraphQLDirective(
            name: "component", locations: [.query, .mutation],
            args: ["name": GraphQLArgument(type: GraphQLNonNull(GraphQLString))])
        return try GraphQLSchema(
            query: query, mutation: mutation,
            directives: [
                GraphQLIncludeDirective, GraphQLSkipDirective, GraphQLDeprecatedDirective,
                GraphQLSpecifiedByDirective, GraphQLOneOfDirective, component,
            ])
    }

    /// MLflow's `test` field, which echoes `inputString` (clients use it to check the endpoint).
    static func echoField(_ name: String, _ types: Types) throws -> GraphQLField {
        let type = try Types.plain(name, [("output", .string)], types.longString)
        return GraphQLField(
            type: type, description: "Simple echoing field",
            args: ["inputString": GraphQLArgument(type: GraphQLString)],
            resolve: { _, args, _, _ in
                var echo = JSONObject()
                if let text = args["inputString"].string { echo.members = [("output", .string(text))] }
                return echo
            })
    }

    /// The message types shared by several responses.
    struct Types {
        let longString: GraphQLScalarType
        let viewType: GraphQLEnumType
        let apiError: GraphQLObjectType
        let experiment: GraphQLObjectType
        let metric: GraphQLObjectType
        let metricWithRunID: GraphQLObjectType
        let modelVersion: GraphQLObjectType
        let fileInfo: GraphQLObjectType
        let datasetSummary: GraphQLObjectType
        let run: OrderedFields

        typealias OrderedFields = [(String, Wire)]

        init() throws {
            longString = try GraphQLScalarType(
                name: "LongString",
                description: "Long converted to string to prevent truncation to max integer in JavaScript",
                serialize: { value in .string("\(value)") },
                parseValue: { value in
                    if case .number = value { return value }
                    if let text = value.string, let n = Int(text) { return .number(Number(n)) }
                    throw GraphQLError(message: "LongString cannot represent value: \(value)")
                },
                parseLiteral: { ast in
                    if let int = ast as? IntValue, let n = Int(int.value) { return .number(Number(n)) }
                    if let text = ast as? StringValue, let n = Int(text.value) { return .number(Number(n)) }
                    throw GraphQLError(message: "LongString cannot represent a non-integer value.")
                })
            let runStatus = try Self.enumeration(
                "MlflowRunStatus", ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"])
            viewType = try Self.enumeration("MlflowViewType", ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"])
            let modelVersionStatus = try Self.enumeration(
                "MlflowModelVersionStatus", ["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"])
            let connectionState = try Self.enumeration(
                "MlflowDeploymentJobConnectionState",
                [
                    "DEPLOYMENT_JOB_CONNECTION_STATE_UNSPECIFIED", "NOT_SET_UP", "CONNECTED", "NOT_FOUND",
                    "REQUIRED_PARAMETERS_CHANGED",
                ])
            let jobRunState = try Self.enumeration(
                "MlflowModelVersionDeploymentJobStateDeploymentJobRunState",
                [
                    "DEPLOYMENT_JOB_RUN_STATE_UNSPECIFIED", "NO_VALID_DEPLOYMENT_JOB_FOUND", "RUNNING", "SUCCEEDED",
                    "FAILED", "PENDING", "APPROVAL",
                ])
            let errorDetail = try Self.plain("ErrorDetail", [("field", .string), ("message", .string)], longString)
            apiError = try Self.plain(
                "ApiError",
                [
                    ("code", .string), ("message", .string), ("help_url", .string), ("trace_id", .string),
                    ("error_details", .list(.object(errorDetail))),
                ], longString)
            let keyValue: OrderedFields = [("key", .string), ("value", .string)]
            experiment = try Self.plain(
                "MlflowExperiment",
                [
                    ("experiment_id", .string), ("name", .string), ("artifact_location", .string),
                    ("lifecycle_stage", .string), ("last_update_time", .long), ("creation_time", .long),
                    ("tags", .list(.object(try Self.plain("MlflowExperimentTag", keyValue, longString)))),
                    ("effective_trace_archival_retention", .string), ("workspace", .string),
                ], longString)
            metric = try Self.plain(
                "MlflowMetricExtension",
                [
                    ("key", .string), ("value", .float), ("timestamp", .long), ("step", .long),
                    ("dataset_name", .string), ("dataset_digest", .string), ("model_id", .string),
                    ("run_id", .string),
                ], longString)
            metricWithRunID = try Self.plain(
                "MlflowMetricWithRunId",
                [("key", .string), ("value", .float), ("timestamp", .long), ("step", .long), ("run_id", .string)],
                longString)
            let keyValueTag = try Self.plain("MlflowModelVersionTag", keyValue, longString)
            modelVersion = try Self.plain(
                "MlflowModelVersion",
                [
                    ("name", .string), ("version", .string), ("creation_timestamp", .long),
                    ("last_updated_timestamp", .long), ("user_id", .string), ("current_stage", .string),
                    ("description", .string), ("source", .string), ("run_id", .string),
                    ("status", .enumeration(modelVersionStatus)), ("status_message", .string),
                    ("tags", .list(.object(keyValueTag))), ("run_link", .string), ("aliases", .list(.string)),
                    ("model_id", .string),
                    (
                        "model_params",
                        .list(
                            .object(
                                try Self.plain("MlflowModelParam", [("name", .string), ("value", .string)], longString))
                        )
                    ),
                    (
                        "model_metrics",
                        .list(
                            .object(
                                try Self.plain(
                                    "MlflowModelMetric",
                                    [
                                        ("key", .string), ("value", .float), ("timestamp", .long), ("step", .long),
                                        ("dataset_name", .string), ("dataset_digest", .string), ("model_id", .string),
                                        ("run_id", .string),
                                    ], longString)))
                    ),
                    (
                        "deployment_job_state",
                        .object(
                            try Self.plain(
                                "MlflowModelVersionDeploymentJobState",
                                [
                                    ("job_id", .string), ("run_id", .string),
                                    ("job_state", .enumeration(connectionState)),
                                    ("run_state", .enumeration(jobRunState)), ("current_task_name", .string),
                                ], longString))
                    ),
                ], longString)
            fileInfo = try Self.plain(
                "MlflowFileInfo", [("path", .string), ("is_dir", .boolean), ("file_size", .long)], longString)
            datasetSummary = try Self.plain(
                "MlflowDatasetSummary",
                [("experiment_id", .string), ("name", .string), ("digest", .string), ("context", .string)], longString)
            let dataset = try Self.plain(
                "MlflowDataset",
                [
                    ("name", .string), ("digest", .string), ("source_type", .string), ("source", .string),
                    ("schema", .string), ("profile", .string),
                ], longString)
            let inputs = try Self.plain(
                "MlflowRunInputs",
                [
                    (
                        "dataset_inputs",
                        .list(
                            .object(
                                try Self.plain(
                                    "MlflowDatasetInput",
                                    [
                                        (
                                            "tags",
                                            .list(.object(try Self.plain("MlflowInputTag", keyValue, longString)))
                                        ),
                                        ("dataset", .object(dataset)),
                                    ], longString)))
                    ),
                    (
                        "model_inputs",
                        .list(.object(try Self.plain("MlflowModelInput", [("model_id", .string)], longString)))
                    ),
                ], longString)
            let outputs = try Self.plain(
                "MlflowRunOutputs",
                [
                    (
                        "model_outputs",
                        .list(
                            .object(
                                try Self.plain(
                                    "MlflowModelOutput", [("model_id", .string), ("step", .long)], longString)))
                    )
                ],
                longString)
            let info = try Self.plain(
                "MlflowRunInfo",
                [
                    ("run_id", .string), ("run_uuid", .string), ("run_name", .string), ("experiment_id", .string),
                    ("user_id", .string), ("status", .enumeration(runStatus)), ("start_time", .long),
                    ("end_time", .long), ("artifact_uri", .string), ("lifecycle_stage", .string),
                ], longString)
            let data = try Self.plain(
                "MlflowRunData",
                [
                    ("metrics", .list(.object(metric))),
                    ("params", .list(.object(try Self.plain("MlflowParam", keyValue, longString)))),
                    ("tags", .list(.object(try Self.plain("MlflowRunTag", keyValue, longString)))),
                ], longString)
            run = [
                ("info", .object(info)), ("data", .object(data)), ("inputs", .object(inputs)),
                ("outputs", .object(outputs)),
            ]
        }

        static func enumeration(_ name: String, _ values: [String]) throws -> GraphQLEnumType {
            var map: GraphQLEnumValueMap = [:]
            for value in values { map[value] = GraphQLEnumValue(value: .string(value)) }
            return try GraphQLEnumType(name: name, values: map)
        }

        static func plain(_ name: String, _ fields: OrderedFields, _ long: GraphQLScalarType) throws
            -> GraphQLObjectType
        {
            try GraphQLObjectType(name: name, fields: MLflowGraphQLSchema.fieldMap(fields, long))
        }
    }

    /// A response message: its fields plus `apiError`, which stays null (failures are reported in the
    /// response's `errors`, as MLflow does).
    static func object(_ name: String, _ fields: Types.OrderedFields, _ types: Types) throws -> GraphQLObjectType {
        var map = fieldMap(fields, types.longString)
        map["apiError"] = GraphQLField(type: types.apiError, resolve: { _, _, _, _ in nil })
        return try GraphQLObjectType(name: name, fields: map)
    }

    static func input(_ name: String, _ fields: [(String, GraphQLInputType)]) throws -> GraphQLInputObjectType {
        var map: InputObjectFieldMap = [:]
        for (snake, type) in fields { map[camelCase(snake)] = InputObjectField(type: type) }
        return try GraphQLInputObjectType(name: name, fields: map)
    }

    /// A root field whose `input` is handed, as JSON, to the REST handler of `method` `path`.
    static func root(
        _ type: GraphQLObjectType, _ input: GraphQLInputObjectType, _ api: APIResponder.HandlerTable,
        _ method: HTTPRequest.Method, _ path: String, maxResults: Int? = nil,
        then finish: @escaping @Sendable (JSONObject) async throws -> JSONObject = { $0 }
    ) -> GraphQLField {
        GraphQLField(
            type: type, args: ["input": GraphQLArgument(type: input)],
            resolve: { _, args, _, _ in
                let body: JSONObject
                if case .object(let object) = json(args["input"]) { body = object } else { body = JSONObject() }
                if let maxResults, case .number(let text)? = body["maxResults"] ?? body["max_results"],
                    let asked = Double(text), asked > Double(maxResults)
                {
                    throw GraphQLError(
                        message: "GraphQL searches return at most \(maxResults) results per page; "
                            + "page with nextPageToken for more.")
                }
                return try await finish(try await call(api, method, path, body))
            })
    }

    /// MLflow's run type in responses: the run message plus its experiment and the model versions registered
    /// from it, which `withRelations` attached to the run's JSON.
    static func runExtension(_ types: Types) throws -> GraphQLObjectType {
        var map = fieldMap(types.run, types.longString)
        map["experiment"] = GraphQLField(
            type: types.experiment,
            resolve: { source, _, _, _ in
                guard case .object(let experiment)? = (source as? JSONObject)?[experimentKey] else {
                    return JSONObject()
                }
                return experiment
            })
        map["modelVersions"] = GraphQLField(
            type: GraphQLList(GraphQLNonNull(types.modelVersion)),
            resolve: { source, _, _, _ in
                guard case .array(let versions)? = (source as? JSONObject)?[modelVersionsKey] else {
                    return [] as [(any Sendable)?]
                }
                return versions.map { value in
                    if case .object(let o) = value { return o as (any Sendable)? }
                    return nil
                }
            })
        return try GraphQLObjectType(name: "MlflowRunExtension", fields: map)
    }

    /// Where `withRelations` puts a run's experiment and model versions: names no REST message uses.
    static let experimentKey = "skiff.experiment"
    static let modelVersionsKey = "skiff.model_versions"

    /// Adds to each run under `member` (a list of runs or one run) its experiment and the model versions
    /// registered from it. MLflow's resolvers fetch both once per run; here each distinct experiment is fetched
    /// once and the versions of the whole page come from one search.
    static func withRelations(_ response: JSONObject, _ member: String, _ api: APIResponder.HandlerTable)
        async throws -> JSONObject
    {
        var runs: [JSONObject]
        switch response[member] {
        case .array(let items)?: runs = items.compactMap { if case .object(let o) = $0 { o } else { nil } }
        case .object(let run)?: runs = [run]
        default: return response
        }
        func info(_ run: JSONObject, _ key: String) -> String? {
            guard case .object(let info)? = run["info"], case .string(let value)? = info[key] else { return nil }
            return value
        }
        var experiments: [String: JSON] = [:]
        for id in Set(runs.compactMap { info($0, "experiment_id") }) {
            var body = JSONObject()
            body.members = [("experiment_id", .string(id))]
            experiments[id] = try await call(api, .get, "experiments/get", body)["experiment"]
        }
        // Run ids are hex; anything else could not be quoted safely and gets no versions.
        let ids = runs.compactMap { info($0, "run_id") }.filter { $0.allSatisfy(\.isHexDigit) }
        var versions: [String: [JSON]] = [:]
        if !ids.isEmpty {
            var body = JSONObject()
            let list = ids.map { "'\($0)'" }.joined(separator: ", ")
            body.members = [("filter", .string("run_id IN (\(list))")), ("max_results", .number("200000"))]
            if case .array(let found)? = try await call(api, .get, "model-versions/search", body)["model_versions"] {
                for version in found {
                    if case .object(let o) = version, case .string(let runID)? = o["run_id"] {
                        versions[runID, default: []].append(version)
                    }
                }
            }
        }
        for index in runs.indices {
            if let id = info(runs[index], "experiment_id"), let experiment = experiments[id] {
                runs[index].members.append((experimentKey, experiment))
            }
            let id = info(runs[index], "run_id") ?? ""
            runs[index].members.append((modelVersionsKey, .array(versions[id] ?? [])))
        }
        var result = response
        let value: JSON =
            response[member].map { if case .array = $0 { true } else { false } } == true
            ? .array(runs.map { .object($0) }) : .object(runs[0])
        result.members = result.members.map { $0.key == member ? (member, value) : $0 }
        return result
    }

    /// Calls a REST handler; its `SkiffError` becomes the GraphQL error message, other errors a generic one.
    static func call(
        _ api: APIResponder.HandlerTable, _ method: HTTPRequest.Method, _ path: String, _ body: JSONObject
    ) async throws -> JSONObject {
        do {
            guard case .object(let object) = try await api.call(method, path, body: body) else { return JSONObject() }
            return object
        } catch let error as SkiffError {
            throw GraphQLError(message: error.message)
        } catch {
            throw GraphQLError(message: "An internal error occurred.")
        }
    }

    static func fieldMap(_ fields: Types.OrderedFields, _ long: GraphQLScalarType) -> GraphQLFieldMap {
        var map: GraphQLFieldMap = [:]
        for (snake, wire) in fields {
            map[camelCase(snake)] = GraphQLField(
                type: outputType(wire, long),
                resolve: { source, _, _, _ in value((source as? JSONObject)?[snake], as: wire) })
        }
        return map
    }

    static func outputType(_ wire: Wire, _ long: GraphQLScalarType) -> GraphQLOutputType {
        switch wire {
        case .string: GraphQLString
        case .long: long
        case .int: GraphQLInt
        case .float: GraphQLFloat
        case .boolean: GraphQLBoolean
        case .enumeration(let type): type
        case .object(let type): type
        // MLflow's lists hold non-null objects and nullable scalars.
        case .list(.object(let type)): GraphQLList(GraphQLNonNull(type))
        case .list(let item): GraphQLList(outputType(item, long))
        }
    }

    /// The GraphQL value of a JSON field, or the protobuf default when the field is missing.
    static func value(_ json: JSON?, as wire: Wire) -> (any Sendable)? {
        switch (wire, json) {
        case (_, nil), (_, .null?): return defaultValue(wire)
        case (.string, .string(let s)?), (.long, .string(let s)?), (.enumeration, .string(let s)?): return s
        case (.string, .number(let n)?), (.long, .number(let n)?): return n
        case (.string, .bool(let b)?): return b ? "true" : "false"
        case (.int, .number(let n)?), (.int, .string(let n)?): return Int(n) ?? Double(n).flatMap { Int(exactly: $0) }
        case (.float, .number(let n)?): return finite(Double(n))
        case (.float, .string(let s)?):
            switch s {
            case "Infinity": return Double.greatestFiniteMagnitude
            case "-Infinity": return -Double.greatestFiniteMagnitude
            default: return finite(Double(s))
            }
        case (.boolean, .bool(let b)?): return b
        case (.object, .object(let o)?): return o
        case (.list(let item), .array(let items)?): return items.map { value($0, as: item) }
        default: return defaultValue(wire)
        }
    }

    static func finite(_ value: Double?) -> Double? {
        guard let value, !value.isNaN else { return nil }
        return value.isInfinite ? (value > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude) : value
    }

    static func defaultValue(_ wire: Wire) -> (any Sendable)? {
        switch wire {
        case .string: ""
        case .long: "0"
        case .int: 0
        case .float: 0.0
        case .boolean: false
        case .enumeration(let type): type.values.first?.name
        case .object: JSONObject()
        case .list: [] as [(any Sendable)?]
        }
    }

    /// GraphQL arguments as the JSON a REST handler reads (camelCase keys are accepted there).
    static func json(_ map: Map) -> JSON {
        switch map {
        case .undefined, .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n.stringValue)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(json))
        case .dictionary(let members):
            var object = JSONObject()
            for (key, value) in members {
                if case .undefined = value { continue }
                object.members.append((key, json(value)))
            }
            return .object(object)
        }
    }

    /// graphene's field naming: `run_uuid` → `runUuid`.
    static func camelCase(_ snake: String) -> String {
        let parts = snake.split(separator: "_", omittingEmptySubsequences: false)
        guard let first = parts.first else { return snake }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
