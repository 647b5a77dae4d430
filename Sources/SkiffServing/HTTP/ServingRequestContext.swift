import Hummingbird

/// The per-request context of the model server: Hummingbird's core values plus the request id that the access
/// log, the prediction log and the response header share.
struct ServingRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's `X-Request-ID` when it is sane, else one generated for the request.
    var requestID = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
