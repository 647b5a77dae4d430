import HTTPTypes

/// One route as a client sees it: method, path, what it accepts and what it answers. The router registers
/// the handler and the OpenAPI document describes the route from the same value, so the two cannot drift.
public struct Operation: Sendable {
    /// Where a parameter travels.
    public enum Location: String, Sendable {
        case path, query, header
    }

    /// A path, query or header parameter.
    public struct Parameter: Sendable {
        public var name: String
        public var location: Location
        public var schema: Schema
        public var isRequired: Bool
        public var description: String?

        public init(
            _ name: String, in location: Location, _ schema: Schema, required: Bool = false,
            description: String? = nil
        ) {
            self.name = name
            self.location = location
            self.schema = schema
            self.isRequired = required || location == .path
            self.description = description
        }
    }

    /// A body in one media type.
    public struct Content: Sendable {
        public var mediaType: String
        public var schema: Schema

        public init(_ mediaType: String, _ schema: Schema) {
            self.mediaType = mediaType
            self.schema = schema
        }

        /// A JSON body.
        public static func json(_ schema: Schema) -> Content { Content("application/json", schema) }
    }

    /// A link from this operation's response to another operation, for clients and stateful fuzzers that chain
    /// calls (a created id into the calls that use it). Expressions use OpenAPI's runtime expression syntax.
    public struct Link: Sendable {
        public var name: String
        public var operationID: String
        public var parameters: [(String, String)]
        public var requestBody: [(String, String)]

        /// - Parameters:
        ///   - parameters: path or query parameter name → expression, e.g. `$response.body#/experiment_id`.
        ///   - requestBody: JSON body field → expression, for operations that take their input as a body.
        public init(
            _ name: String, to operationID: String, parameters: [(String, String)] = [],
            requestBody: [(String, String)] = []
        ) {
            self.name = name
            self.operationID = operationID
            self.parameters = parameters
            self.requestBody = requestBody
        }
    }

    /// A response for one status code.
    public struct Answer: Sendable {
        public var status: Int
        public var description: String
        public var content: [Content]
        public var headers: [(String, Schema)]
        public var links: [Link]

        public init(
            _ status: Int, _ description: String, _ content: [Content] = [], headers: [(String, Schema)] = [],
            links: [Link] = []
        ) {
            self.status = status
            self.description = description
            self.content = content
            self.headers = headers
            self.links = links
        }
    }

    public var method: HTTPRequest.Method
    /// The path in the router's syntax: literal segments, `:name` for one segment, `**` for the rest.
    public var path: String
    /// Unique across the server; it names the operation in the document and in links.
    public var id: String
    public var summary: String
    public var description: String?
    public var tags: [String]
    public var parameters: [Parameter]
    public var body: [Content]
    public var isBodyRequired: Bool
    public var responses: [Answer]

    public init(
        _ method: HTTPRequest.Method, _ path: String, id: String, summary: String, description: String? = nil,
        tags: [String] = [], parameters: [Parameter] = [], body: [Content] = [], bodyRequired: Bool = true,
        responses: [Answer]
    ) {
        self.method = method
        self.path = path
        self.id = id
        self.summary = summary
        self.description = description
        self.tags = tags
        self.parameters = parameters
        self.body = body
        self.isBodyRequired = bodyRequired
        self.responses = responses
    }

    /// The name `**` gets in the document; a declared path parameter of this name describes it.
    public static let restParameterName = "path"

    /// The path in OpenAPI's template syntax: `:name` → `{name}`, `**` → `{path}`.
    public var templatePath: String {
        "/"
            + path.split(separator: "/").map { segment -> String in
                if segment == "**" { return "{\(Self.restParameterName)}" }
                if segment.hasPrefix(":") { return "{\(segment.dropFirst())}" }
                return String(segment)
            }.joined(separator: "/")
    }

    /// The names of the path's parameters, in order.
    public var pathParameterNames: [String] {
        path.split(separator: "/").compactMap { segment in
            if segment == "**" { return Self.restParameterName }
            return segment.hasPrefix(":") ? String(segment.dropFirst()) : nil
        }
    }

    /// Every parameter, with a plain string for each path parameter the operation does not describe itself.
    var allParameters: [Parameter] {
        let declared = Set(parameters.filter { $0.location == .path }.map(\.name))
        let implicit = pathParameterNames.filter { !declared.contains($0) }.map {
            Parameter($0, in: .path, .nonEmptyString())
        }
        return implicit + parameters
    }
}
