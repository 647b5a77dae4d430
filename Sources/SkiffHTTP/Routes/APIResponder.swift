import Foundation
import Hummingbird
import Logging
import NIOCore
import SkiffCore
import SkiffJSON
import SkiffRouting
import Synchronization

/// Registers JSON API endpoints with MLflow's conventions: parameters from the query string or the JSON
/// body, the JSON content-type rule on writes (MLflow's CSRF defence), and every failure turned into
/// `{"error_code", "message"}` with the right status — a client mistake is never a 5xx.
struct APIResponder {
    typealias Handler = @Sendable (RequestParameters) async throws -> JSONWriter

    let router: Router<BasicRequestContext>
    let logger: Logger
    /// Every handler by method and path, for callers that answer an API call without HTTP (GraphQL).
    let handlers = HandlerTable()
    /// Every route, for 405 answers and the OpenAPI document.
    let routes: RouteTable
    /// The document tag of the calls added through this responder.
    var tag = "MLflow"
    /// Larger JSON bodies are refused (dataset profiles, the largest legitimate field, are ≤ 16 MB).
    static let maxJSONBody = 64 * 1024 * 1024

    /// A responder whose calls are listed under `tag` in the document.
    func tagged(_ tag: String) -> APIResponder {
        var copy = self
        copy.tag = tag
        return copy
    }

    /// Registers `handler` for `method` at `path` under each prefix (e.g. `/api/2.0/mlflow`), described by `call`.
    func add(
        _ method: HTTPRequest.Method, _ path: String, prefixes: [String], _ call: APICall,
        _ handler: @escaping Handler
    ) {
        let logger = self.logger
        handlers.record(method, path, handler)
        let shape = call.fields
        for (index, prefix) in prefixes.enumerated() {
            let operation = call.operation(
                method, prefix + "/" + path, idSuffix: APICall.idSuffix(prefix, index), tag: tag)
            router.on(operation, recordingIn: routes) { request, context in
                do {
                    var parameters = try await Self.parameters(of: request)
                    parameters.declare(shape)
                    for (name, value) in context.parameters {
                        parameters.setPathParameter(String(name), PathDecoding.decodeOnce(String(value)))
                    }
                    let writer = try await handler(parameters)
                    return Self.json(writer.bytes)
                } catch {
                    return Self.errorResponse(error, logger: logger)
                }
            }
        }
    }

    /// Reads the request's parameters: the query string of a GET that has one, else the JSON body.
    static func parameters(of request: Request) async throws -> RequestParameters {
        if request.method == .get || request.method == .head, let query = request.uri.query, !query.isEmpty {
            return RequestParameters(query: RequestParameters.parseQuery(query))
        }
        if request.method == .post || request.method == .put || request.method == .patch {
            let contentType = request.headers[.contentType] ?? ""
            let mediaType = contentType.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard mediaType == "application/json" else {
                throw SkiffError.invalid("Bad Request. Content-Type must be one of ['application/json'].")
            }
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxJSONBody)
        } catch {
            throw SkiffError.invalid("The request body is larger than \(maxJSONBody / 1024 / 1024) MB.")
        }
        guard buffer.readableBytes > 0 else { return RequestParameters(body: JSONObject()) }
        let bytes = Array(buffer.readableBytesView)
        var value: JSON
        do {
            value = try JSONParser.parse(bytes)
            // Legacy clients double-encode: a JSON string holding the JSON object.
            if case .string(let inner) = value { value = try JSONParser.parse(Array(inner.utf8)) }
        } catch {
            throw SkiffError(
                .badRequest, "Malformed JSON in the request body at byte \(error.position): \(error.reason).")
        }
        guard case .object(let object) = value else {
            throw SkiffError(.badRequest, "The request body must be a JSON object.")
        }
        return RequestParameters(body: object)
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The MLflow error JSON for any error; unexpected errors are logged and reported without detail.
    static func errorResponse(_ error: any Error, logger: Logger) -> Response {
        let skiff: SkiffError
        if let e = error as? SkiffError {
            skiff = e
        } else {
            skiff = SkiffError(.internalError, "An internal error occurred.", detail: "\(error)")
        }
        let status = Self.status(for: skiff.code)
        if status.code >= 500 {
            logger.error("request failed", metadata: ["error": "\(skiff.debugDescription)"])
        } else if let detail = skiff.detail {
            logger.debug("request refused", metadata: ["error": "\(detail)"])
        }
        var w = JSONWriter()
        w.beginObject()
        w.field("error_code", skiff.code.description)
        w.field("message", skiff.message)
        w.endObject()
        return json(w.bytes, status: status)
    }

    /// MLflow's `ERROR_CODE_TO_HTTP_STATUS`, including its quirk that "already exists" is a 400.
    static func status(for code: SkiffError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidParameterValue, .badRequest, .resourceAlreadyExists: .badRequest
        case .resourceDoesNotExist: .notFound
        case .permissionDenied: .forbidden
        case .notImplemented: .notImplemented
        case .temporarilyUnavailable: .serviceUnavailable
        default: .internalServerError
        }
    }
}

extension APIResponder {
    /// The handlers registered so far, keyed by method and path (without prefix).
    final class HandlerTable: Sendable {
        private let table = Mutex<[String: Handler]>([:])

        func record(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
            table.withLock { $0["\(method.rawValue) \(path)"] = handler }
        }

        /// Calls the handler of `method` `path` with `body` as its JSON parameters.
        /// - Throws: what the handler throws; `internalError` when no handler is registered there.
        func call(_ method: HTTPRequest.Method, _ path: String, body: JSONObject) async throws -> JSON {
            guard let handler = table.withLock({ $0["\(method.rawValue) \(path)"] }) else {
                throw SkiffError(.internalError, "An internal error occurred.", detail: "no handler for \(path)")
            }
            let writer = try await handler(RequestParameters(body: body))
            return try JSONParser.parse(writer.bytes)
        }
    }
}

extension JSONWriter {
    /// `{}`.
    static var empty: JSONWriter {
        var w = JSONWriter(capacity: 2)
        w.beginObject()
        w.endObject()
        return w
    }
}
