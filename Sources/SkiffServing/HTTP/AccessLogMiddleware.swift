import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id, echoed in `X-Request-ID`, and, when enabled, writes one structured access-log line
/// per request: method, path, status, duration and request id, as logger metadata.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServingRequestContext
    let logger: Logger
    let enabled: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.requestID = Self.requestID(request.headers[.xRequestID])
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.xRequestID] = context.requestID
        guard enabled else { return response }
        let elapsed = started.duration(to: .now).components
        logger.info(
            "access",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                "duration_ms":
                    "\(String(format: "%.3f", Double(elapsed.seconds) * 1e3 + Double(elapsed.attoseconds) * 1e-15))",
                "request_id": "\(context.requestID)",
            ])
        return response
    }

    /// The client's id when it is 1–128 printable ASCII characters, else a new UUID.
    static func requestID(_ header: String?) -> String {
        if let header, !header.isEmpty, header.utf8.count <= 128,
            header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        {
            return header
        }
        return UUID().uuidString.lowercased()
    }
}
