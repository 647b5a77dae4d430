import HTTPTypes
import Hummingbird
import SkiffJSON
import SkiffRouting

/// MLflow's scoring protocol: `POST /invocations` (the first model) and `POST /models/{name}/invocations`, with
/// JSON (`dataframe_split`, `dataframe_records`, `instances`, `inputs`) or CSV bodies, answering
/// `{"predictions": [...]}`.
struct ScoringRoutes {
    let scoring: ScoringService
    let maxBodyBytes: Int

    func register(_ router: Router<ServingRequestContext>, _ routes: RouteTable) {
        let models = scoring.order.compactMap { scoring.routes[$0] }
        let first = Array(models.prefix(1))
        router.on(
            Operation(
                .post, "/invocations", id: "invocations",
                summary: "Score rows on the first model" + (first.first.map { " ('\($0.name)')" } ?? ""),
                tags: [ServingSchemas.Tag.mlflow],
                parameters: [ServingSchemas.requestID, ServingSchemas.timeout] + ServingSchemas.stickyHeaders(first),
                body: ServingSchemas.scoringBody, responses: answers(Self.errors)),
            recordingIn: routes
        ) { request, context in
            await invoke(request, context, route: nil)
        }
        router.on(
            Operation(
                .post, "/models/:name/invocations", id: "modelInvocations", summary: "Score rows on a named model",
                tags: [ServingSchemas.Tag.mlflow],
                parameters: [
                    ServingSchemas.modelName(scoring.order), ServingSchemas.requestID, ServingSchemas.timeout,
                ] + ServingSchemas.stickyHeaders(models),
                body: ServingSchemas.scoringBody, responses: answers([.notFound] + Self.errors)),
            recordingIn: routes
        ) { request, context in
            await invoke(request, context, route: context.parameters.get("name") ?? "")
        }
    }

    /// The errors a scoring request can get once its route is found, from decoding and from the model.
    static let errors: [ServingError.Code] = [
        .badRequest, .payloadTooLarge, .unsupportedMediaType, .overloaded, .internalError, .deadlineExceeded,
    ]

    private func answers(_ errors: [ServingError.Code]) -> [Operation.Answer] {
        [
            ServingSchemas.answer(
                200, "One prediction per row.", [.json(ServingSchemas.predictions)],
                headers: ServingSchemas.scoringHeaders)
        ] + ServingSchemas.mlflowErrors(errors, maxBodyBytes: maxBodyBytes)
    }

    private func invoke(_ request: Request, _ context: ServingRequestContext, route name: String?) async -> Response {
        do {
            let route = try scoring.route(name)
            let payload = try await decode(request)
            let answer = try await scoring.score(
                payload, on: route, stickyKey: Self.stickyKey(request, route),
                timeout: Self.timeout(request), requestID: context.requestID, proto: "mlflow")
            var writer = JSONWriter(capacity: 64 + payload.rowCount * 16)
            writer.beginObject()
            writer.key("predictions")
            PredictionEncoding.writeMLflowPredictions(answer.outputs, rows: payload.rowCount, into: &writer)
            writer.endObject()
            return ServingResponses.answer(writer.bytes, answer)
        } catch {
            return ServingResponses.mlflowError(error)
        }
    }

    private func decode(_ request: Request) async throws(ServingError) -> ScoringPayload {
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let mediaType = parts.first ?? ""
        for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
            guard parameter == "charset=utf-8" || parameter == "charset=\"utf-8\"" else {
                throw ServingError(.unsupportedMediaType, "Only the UTF-8 charset is supported.")
            }
        }
        switch mediaType {
        case "application/json":
            return try ScoringPayload.decodeMLflow(try await ServingResponses.body(request, limit: maxBodyBytes))
        case "text/csv":
            return try ScoringPayload.decodeCSV(try await ServingResponses.body(request, limit: maxBodyBytes))
        default:
            throw ServingError(
                .unsupportedMediaType,
                "Content-Type must be application/json or text/csv, got '\(contentType.prefix(100))'.")
        }
    }

    /// The value of the route's sticky header, when the route has one and the request carries it.
    static func stickyKey(_ request: Request, _ route: ModelRoute) -> String? {
        guard let header = route.stickyHeader, let name = HTTPField.Name(header) else { return nil }
        return request.headers[name]
    }

    /// A client deadline from `X-Skiff-Timeout-Ms`, when present and sane.
    static func timeout(_ request: Request) -> Duration? {
        guard let text = request.headers[.skiffTimeout], let milliseconds = Int(text), milliseconds > 0 else {
            return nil
        }
        return .milliseconds(milliseconds)
    }
}
