import HTTPTypes
import SkiffRouting

/// An MLflow-style API call as its route declares it: the fields it reads (from the query string of a GET,
/// from the JSON body otherwise, or from the path where the path names them) and the object it answers.
/// The same fields bound what the handler may read (`RequestParameters.declare`), so the document and the
/// handler cannot disagree about a field's name.
struct APICall: Sendable {
    var id: String
    var summary: String
    var description: String?
    var fields: [Property]
    var answer: Schema
    var links: [Operation.Link]
    var errors: [Int]

    /// - Parameters:
    ///   - id: the operation id under the first prefix; other prefixes append a suffix (`…Ajax`).
    ///   - errors: the error statuses the call can answer, each with the `Error` body.
    init(
        _ id: String, _ summary: String, description: String? = nil, fields: [Property] = [],
        answer: Schema = .object([]), links: [Operation.Link] = [], errors: [Int] = [400, 404]
    ) {
        self.id = id
        self.summary = summary
        self.description = description
        self.fields = fields
        self.answer = answer
        self.links = links
        self.errors = errors
    }

    /// The operation id suffix under the `index`th prefix.
    static func idSuffix(_ prefix: String, _ index: Int) -> String {
        if index == 0 { return "" }
        return prefix.hasPrefix("/ajax-api") ? "Ajax" : "V\(index)"
    }

    /// The operation at `path` (with its prefix).
    func operation(_ method: HTTPRequest.Method, _ path: String, idSuffix: String, tag: String) -> Operation {
        var probe = Operation(method, path, id: "", summary: "", responses: [])
        let pathNames = Set(probe.pathParameterNames)
        let inPath = fields.filter { pathNames.contains($0.name) }
        let rest = fields.filter { !pathNames.contains($0.name) }
        var parameters = inPath.map { Operation.Parameter($0.name, in: .path, $0.schema) }
        var body: [Operation.Content] = []
        // GETs read the query string; every other method a JSON body, DELETE included, as MLflow's clients send it.
        if method == .get || method == .head {
            parameters += rest.map { Operation.Parameter($0.name, in: .query, $0.schema, required: $0.isRequired) }
        } else {
            // The JSON Content-Type is required on writes (MLflow's CSRF rule), so the body is documented as required.
            body = [.json(.object(rest))]
        }
        let links = self.links.map { link in
            var copy = link
            copy.operationID += idSuffix
            return copy
        }
        let ok = Operation.Answer(200, "OK", [.json(answer)], links: links)
        probe = Operation(
            method, path, id: id + idSuffix, summary: summary, description: description, tags: [tag],
            parameters: parameters, body: body,
            responses: [ok] + errors.map { Operation.Answer($0, Self.errorMeaning($0), [.json(.ref("Error"))]) })
        return probe
    }

    static func errorMeaning(_ status: Int) -> String {
        switch status {
        case 400: "A bad request: malformed JSON, a missing or invalid field, or an entity that already exists."
        case 404: "The entity the request names does not exist."
        case 403: "The request is not permitted."
        case 501: "Not implemented by this server."
        case 503: "The store is temporarily unavailable; retry."
        default: "An error."
        }
    }
}
