import GraphQL
import Hummingbird
import Logging
import OrderedCollections
import SkiffCore
import SkiffJSON
import SkiffRouting

/// `POST /graphql` (and `GET` with query parameters), as MLflow's server answers it: `{"data": …,
/// "errors": [messages] | null}` with status 200 for any GraphQL-level failure, including parse errors
/// (where MLflow answers 500). A request that is not a GraphQL request at all (no `query`, wrong
/// content type) gets the MLflow error JSON with a 400.
struct GraphQLRoutes {
    let schema: GraphQLSchema

    func register(_ api: APIResponder) {
        let schema = self.schema
        let logger = api.logger
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            do {
                let q = try await APIResponder.parameters(of: request)
                let query = try q.requiredString("query")
                let variables = try Self.variables(try q.json("variables"))
                let operationName = try q.string("operationName")
                let result = await Self.run(schema, query, variables, operationName, logger)
                return APIResponder.json(Self.encode(result).bytes)
            } catch {
                return APIResponder.errorResponse(error, logger: logger)
            }
        }
        // Limits on the query text (256 KiB, nesting) are GraphQL errors in a 200 answer, as every query problem is.
        let query = Schema.nonEmptyString()
        let answers: [Operation.Answer] = [
            .init(
                200, "The result; GraphQL-level failures are messages in `errors`",
                [
                    .json(
                        .object([
                            .optional("data", .anyOf([.map(.anything), .null])),
                            .optional("errors", .anyOf([.array(.anything), .null])),
                        ]))
                ]),
            .init(400, "Not a GraphQL request: no query, a malformed body or variables", [.json(.ref("Error"))]),
        ]
        api.router.on(
            Operation(
                .post, "/graphql", id: "graphql", summary: "Run a GraphQL query or mutation (MLflow's schema)",
                tags: ["GraphQL"],
                body: [
                    .json(
                        .object([
                            .required("query", query), .optional("variables", .anyOf([.map(.anything), .null])),
                            .optional("operationName", .anyOf([.string(), .null])),
                        ]))
                ], responses: answers),
            recordingIn: api.routes, use: handler)
        api.router.on(
            Operation(
                .get, "/graphql", id: "graphqlByQuery", summary: "Run a GraphQL query given in the query string",
                tags: ["GraphQL"],
                parameters: [
                    .init("query", in: .query, query, required: true), .init("operationName", in: .query, .string()),
                ], responses: answers),
            recordingIn: api.routes, use: handler)
    }

    /// Checks, parses, validates and executes one operation; every failure is a message in `errors`.
    static func run(
        _ schema: GraphQLSchema, _ query: String, _ variables: [String: Map], _ operationName: String?,
        _ logger: Logger
    ) async -> GraphQLResult {
        if let problem = GraphQLQueryLimits.textProblem(query) {
            return GraphQLResult(errors: [GraphQLError(message: problem)])
        }
        do {
            let document = try parse(source: Source(body: query, name: "GraphQL request"))
            if let problem = GraphQLQueryLimits.documentProblem(document) {
                return GraphQLResult(errors: [GraphQLError(message: problem)])
            }
            let problems = validate(schema: schema, ast: document)
            guard problems.isEmpty else { return GraphQLResult(errors: problems) }
            return try await execute(
                schema: schema, documentAST: document, rootValue: (), context: (), variableValues: variables,
                operationName: operationName)
        } catch let error as GraphQLError {
            return GraphQLResult(errors: [error])
        } catch {
            logger.error("graphql request failed", metadata: ["error": "\(error)"])
            return GraphQLResult(errors: [GraphQLError(message: "An internal error occurred.")])
        }
    }

    /// The `variables` member: a JSON object, or a JSON string holding one (a GET's query parameter).
    static func variables(_ json: JSON?) throws(SkiffError) -> [String: Map] {
        var value = json ?? .null
        if case .string(let text) = value {
            do {
                value = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw .invalid("Invalid value for parameter 'variables': it must be a JSON object.")
            }
        }
        switch value {
        case .null: return [:]
        case .object(let object):
            var variables: [String: Map] = [:]
            for (key, member) in object.members { variables[key] = map(member) }
            return variables
        default: throw .invalid("Invalid value for parameter 'variables': it must be a JSON object.")
        }
    }

    static func map(_ json: JSON) -> Map {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let text):
            if let int = Int(text) { return .number(Number(int)) }
            return .number(Number(Double(text) ?? .nan))
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(map))
        case .object(let object):
            var members: OrderedDictionary<String, Map> = [:]
            for (key, value) in object.members { members[key] = map(value) }
            return .dictionary(members)
        }
    }

    /// MLflow's response shape: `errors` is a list of messages, or null.
    static func encode(_ result: GraphQLResult) -> JSONWriter {
        var w = JSONWriter()
        w.beginObject()
        w.key("data")
        if let data = result.data { write(data, to: &w) } else { w.null() }
        w.key("errors")
        if result.errors.isEmpty {
            w.null()
        } else {
            w.beginArray()
            for error in result.errors { w.string(error.message) }
            w.endArray()
        }
        w.endObject()
        return w
    }

    static func write(_ map: Map, to w: inout JSONWriter) {
        switch map {
        case .undefined, .null: w.null()
        case .bool(let b): w.bool(b)
        case .number(let n):
            switch n.storageType {
            case .bool: w.bool(n.boolValue)
            case .int: w.int(n.int64Value)
            case .double, .unknown: w.double(n.doubleValue)
            }
        case .string(let s): w.string(s)
        case .array(let items):
            w.beginArray()
            for item in items { write(item, to: &w) }
            w.endArray()
        case .dictionary(let members):
            w.beginObject()
            for (key, value) in members {
                w.key(key)
                write(value, to: &w)
            }
            w.endObject()
        }
    }
}
