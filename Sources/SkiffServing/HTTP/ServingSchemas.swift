import SkiffJSON
import SkiffRouting

/// What the model server's routes declare in its OpenAPI document besides their own bodies: the headers every
/// route reads and writes, the answers both protocols share, and the component schemas. The routes build their
/// `Operation`s from these, so the document says what the handlers do.
enum ServingSchemas {
    /// The tags that group the document's operations.
    enum Tag {
        static let mlflow = "MLflow scoring"
        static let openInference = "Open Inference Protocol"
        static let server = "Server"
    }

    /// Every component schema the operations refer to.
    static let components: [(String, Schema)] = mlflowComponents + openInferenceComponents

    /// `X-Request-ID`, which the access log reads on every route. Any value is accepted: one that is not an id
    /// is replaced, not refused.
    static let requestID = Operation.Parameter(
        "X-Request-ID", in: .header, .string(),
        description:
            "The request's id, echoed in the answer and written to the access and prediction logs; a value that is "
            + "not 1–128 printable ASCII characters is replaced by a generated UUID.")

    /// `X-Skiff-Timeout-Ms`, read by the scoring routes. Any value is accepted: one that is not a positive integer
    /// is ignored, not refused.
    static let timeout = Operation.Parameter(
        "X-Skiff-Timeout-Ms", in: .header, .string(),
        description:
            "A deadline in milliseconds, as a positive decimal integer: a request still queued when it passes is "
            + "answered 504. It takes effect only when shorter than the server's request timeout; any other value "
            + "is ignored.")

    /// The header names a route's own parameters may not reuse: the shared ones, and those OpenAPI describes
    /// elsewhere (it ignores header parameters named `Accept`, `Content-Type` or `Authorization`).
    private static let reservedHeaders: Set<String> = [
        "x-request-id", "x-skiff-timeout-ms", "accept", "content-type", "authorization",
    ]

    /// The sticky headers of `routes`, one parameter per header name. Configured per model, they are known once
    /// the server is configured, so the document (rendered then) lists them.
    static func stickyHeaders(_ routes: [ModelRoute]) -> [Operation.Parameter] {
        var order: [String] = []
        var byName: [String: (header: String, models: [String])] = [:]
        for route in routes {
            guard let header = route.stickyHeader, !reservedHeaders.contains(header.lowercased()) else { continue }
            let key = header.lowercased()
            if byName[key] == nil {
                order.append(key)
                byName[key] = (header, [])
            }
            byName[key]!.models.append(route.name)
        }
        return order.map { key in
            let (header, models) = byName[key]!
            return Operation.Parameter(
                header, in: .header, .string(),
                description:
                    "Pins the caller to the primary or the canary of "
                    + models.map { "'\($0)'" }.joined(separator: ", ")
                    + ": one value always gets the same one. Without it the split is random.")
        }
    }

    /// The `name` path parameter: the served models' names, each of which answers; any other name is a 404.
    static func modelName(_ names: [String]) -> Operation.Parameter {
        Operation.Parameter("name", in: .path, .oneOf(names), description: "A served model's name.")
    }

    /// The response header every answer carries.
    static let requestIDHeader = (
        "X-Request-ID",
        Schema.string(minLength: 1, maxLength: 128, pattern: "^[!-~]+$").described(
            "The request's id: the client's, or a generated UUID.")
    )

    /// The headers of a scoring answer, which say what computed it.
    static let scoringHeaders: [(String, Schema)] = [
        ("X-Skiff-Model-Version", Schema.string().described("The model version that computed the answer.")),
        (
            "X-Skiff-Route",
            Schema.oneOf([ModelRoute.Role.primary.rawValue, ModelRoute.Role.canary.rawValue]).described(
                "The slot that answered; shadows never answer.")
        ),
    ]

    /// An answer, with the `X-Request-ID` header every answer carries.
    static func answer(
        _ status: Int, _ description: String, _ content: [Operation.Content], headers: [(String, Schema)] = [],
        links: [Operation.Link] = []
    ) -> Operation.Answer {
        Operation.Answer(status, description, content, headers: [requestIDHeader] + headers, links: links)
    }

    /// A `text/plain` answer.
    static func text(_ description: String, _ schema: Schema = .string()) -> Operation.Answer {
        answer(200, description, [Operation.Content("text/plain", schema)])
    }

    /// The error answers for `codes` in MLflow's form, `{"error_code", "message"}`, one per status.
    static func mlflowErrors(_ codes: [ServingError.Code], maxBodyBytes: Int) -> [Operation.Answer] {
        errors(codes, maxBodyBytes: maxBodyBytes) { codes in
            .object(
                [
                    .required("error_code", .oneOf(unique(codes.map(ServingResponses.errorCode)))),
                    .required("message", .string()),
                ], additionalProperties: false)
        }
    }

    /// The error answers for `codes` in the Open Inference Protocol's form, `{"error"}`, one per status.
    static func openInferenceErrors(_ codes: [ServingError.Code], maxBodyBytes: Int) -> [Operation.Answer] {
        errors(codes, maxBodyBytes: maxBodyBytes) { _ in .ref("OpenInferenceError") }
    }

    private static func errors(
        _ codes: [ServingError.Code], maxBodyBytes: Int, body: ([ServingError.Code]) -> Schema
    ) -> [Operation.Answer] {
        let statuses = unique(codes.map(\.httpStatus)).sorted()
        return statuses.map { status in
            let group = codes.filter { $0.httpStatus == status }
            let headers: [(String, Schema)] =
                group.contains(where: ServingResponses.asksForRetry)
                ? [("Retry-After", Schema.string(pattern: "^[0-9]+$").described("Seconds to wait before retrying."))]
                : []
            return answer(
                status, group.map { meaning($0, maxBodyBytes: maxBodyBytes) }.joined(separator: " "),
                [.json(body(group))], headers: headers)
        }
    }

    private static func meaning(_ code: ServingError.Code, maxBodyBytes: Int) -> String {
        switch code {
        case .badRequest:
            "The body does not follow the protocol (the message names the key or element at fault), or its rows "
                + "do not fit the model's inputs."
        case .unsupportedMediaType:
            "Content-Type is neither application/json nor text/csv, or names a charset other than UTF-8."
        case .payloadTooLarge: "The body is larger than \(maxBodyBytes) bytes."
        case .notFound: "No model by that name (or, with a version in the path, that version is not loaded)."
        case .overloaded: "The model's queue is full; retry shortly."
        case .deadlineExceeded: "The request's deadline passed before the model ran it."
        case .unavailable: "The server is not ready or is shutting down; retry shortly."
        case .internalError: "The model failed in a way the request did not cause."
        default: "An error."
        }
    }

    private static func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }

    /// A scalar of an answer: a number, a string (text outputs, and `NaN`, `Infinity` and `-Infinity`, which
    /// JSON has no numbers for) or a boolean.
    static let answerScalar = Schema.anyOf([.double, .string(), .boolean])
}
