import HTTPTypes
import Hummingbird

/// Turns the router's 404 for a path that a `RouteTable` knows under other methods into 405 Method Not
/// Allowed with `Allow` (RFC 9110 §15.5.6). Add it to the router before any route.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable
    let body: @Sendable (_ method: HTTPRequest.Method, _ allowed: [HTTPRequest.Method]) -> Response

    /// - Parameters:
    ///   - table: every route, filled as routes are registered.
    ///   - body: the response for a refused method, in the server's error format; its status is set to 405
    ///     and its `Allow` header to the allowed methods.
    public init(
        table: RouteTable,
        body: @escaping @Sendable (_ method: HTTPRequest.Method, _ allowed: [HTTPRequest.Method]) -> Response
    ) {
        self.table = table
        self.body = body
    }

    /// Passes the request on, and answers 405 where the router found the path under other methods only.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let refusal = refusal(request) else { throw error }
            return refusal
        }
        // A middleware inside this one may have turned the router's error into a response already. Either way, a
        // 404 for a method the path does not serve cannot come from a handler: the router found none to call.
        guard response.status == .notFound, let refusal = refusal(request) else { return response }
        return refusal
    }

    private func refusal(_ request: Request) -> Response? {
        let allowed = table.methods(for: request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return nil }
        var response = body(request.method, allowed)
        response.status = .methodNotAllowed
        response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return response
    }
}

extension Router {
    /// Registers `handler` for `operation` and records the operation in `table`.
    @discardableResult
    public func on<Output: ResponseGenerator>(
        _ operation: Operation, recordingIn table: RouteTable,
        use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> Self {
        table.record(operation)
        return on(RouterPath(operation.path), method: operation.method, use: handler)
    }
}
