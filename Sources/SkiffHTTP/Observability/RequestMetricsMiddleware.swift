import Hummingbird

/// Counts every request by its matched route pattern, method and status, and times it until its response is ready
/// (a streamed artifact download is timed to its first byte).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            // The router has set the matched pattern by now; a raw path would make unbounded series.
            metrics.request(
                route: context.endpointPath ?? "unmatched", method: method, status: Int(response.status.code),
                duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            metrics.request(
                route: context.endpointPath ?? "unmatched", method: method, status: status,
                duration: ContinuousClock.now - start)
            throw error
        }
    }
}
