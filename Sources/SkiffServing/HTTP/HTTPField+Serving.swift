import HTTPTypes

/// The headers the model server reads and writes besides the standard ones.
extension HTTPField.Name {
    /// The request's id: the client's, or one generated; echoed in the response.
    static let xRequestID = Self("X-Request-ID")!
    /// The model version that computed an answer.
    static let skiffModelVersion = Self("X-Skiff-Model-Version")!
    /// The route that answered: `primary` or `canary`.
    static let skiffRoute = Self("X-Skiff-Route")!
    /// A client deadline in milliseconds, shorter than the server's request timeout.
    static let skiffTimeout = Self("X-Skiff-Timeout-Ms")!
}
