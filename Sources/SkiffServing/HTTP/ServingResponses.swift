import Hummingbird
import NIOCore
import SkiffJSON

/// Response helpers shared by the model server's routes.
enum ServingResponses {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A scoring answer, with the version and route that computed it in `X-Skiff-Model-Version` and
    /// `X-Skiff-Route`.
    static func answer(_ bytes: [UInt8], _ answer: ScoringService.Answer) -> Response {
        var response = json(bytes)
        response.headers[.skiffModelVersion] = answer.deployment.version
        response.headers[.skiffRoute] = answer.role.rawValue
        return response
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain") -> Response
    {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// MLflow's scoring error: `{"error_code": …, "message": …}`.
    static func mlflowError(_ error: ServingError) -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("error_code", errorCode(error.code))
        writer.field("message", error.message)
        writer.endObject()
        return withRetry(json(writer.bytes, status: .init(code: error.code.httpStatus)), error)
    }

    /// The Open Inference Protocol's error: `{"error": …}`.
    static func openInferenceError(_ error: ServingError) -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("error", error.message)
        writer.endObject()
        return withRetry(json(writer.bytes, status: .init(code: error.code.httpStatus)), error)
    }

    private static func withRetry(_ response: Response, _ error: ServingError) -> Response {
        var response = response
        if asksForRetry(error.code) { response.headers[.retryAfter] = "1" }
        return response
    }

    /// Whether an error's answer carries `Retry-After`: the failures that pass by themselves.
    static func asksForRetry(_ code: ServingError.Code) -> Bool {
        code == .overloaded || code == .unavailable
    }

    /// The `error_code` of MLflow's scoring error for a code.
    static func errorCode(_ code: ServingError.Code) -> String {
        switch code {
        case .badRequest, .unsupportedMediaType, .payloadTooLarge: "BAD_REQUEST"
        case .notFound: "RESOURCE_DOES_NOT_EXIST"
        case .overloaded: "RESOURCE_EXHAUSTED"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .unavailable, .modelLoad: "TEMPORARILY_UNAVAILABLE"
        default: "INTERNAL_ERROR"
        }
    }

    /// Reads a request body up to `limit` bytes.
    /// - Throws: `ServingError` `payloadTooLarge` (413) when larger.
    static func body(_ request: Request, limit: Int) async throws(ServingError) -> [UInt8] {
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            throw ServingError(.payloadTooLarge, "The request body is larger than the limit of \(limit) bytes.")
        }
    }
}
