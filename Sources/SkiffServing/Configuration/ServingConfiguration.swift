import SkiffClient

/// What `skiff serve` serves and how: the model routes, batching, rollouts, timeouts and logs.
public struct ServingConfiguration: Sendable {
    /// One served model: its route name, the primary model, an optional canary and shadows.
    public struct Route: Sendable {
        /// The route's name (`/v2/models/{name}`); derived from the model reference when nil.
        public var name: String?
        /// The primary model: a file, `models:/name/N`, `models:/name@alias` or `runs:/id/path`.
        public var model: String
        /// A canary taking `weight` percent of the requests.
        public var canary: Canary?
        /// Models that get a copy of every request; their answers are compared and logged, never returned.
        public var shadows: [String]
        /// The request header whose value pins a caller to the primary or the canary.
        public var stickyHeader: String?

        /// Creates a route.
        public init(
            name: String? = nil, model: String, canary: Canary? = nil, shadows: [String] = [],
            stickyHeader: String? = nil
        ) {
            self.name = name
            self.model = model
            self.canary = canary
            self.shadows = shadows
            self.stickyHeader = stickyHeader
        }

        /// The route's name: the configured one, or the registered model's name, or the run artifact's or file's
        /// stem.
        public var resolvedName: String {
            if let name { return name }
            let path: String
            switch (try? ModelReference(parsing: model))?.kind {
            case .registryVersion(let name, _)?, .registryAlias(let name, _)?: return name
            case .run(_, let artifact)?: path = artifact
            case .file(let file)?: path = file
            case nil: path = model
            }
            let last = path.split(separator: "/").last.map(String.init) ?? path
            return String(last.split(separator: ".").first ?? Substring(last))
        }
    }

    /// A canary model and its share of traffic.
    public struct Canary: Sendable {
        public var model: String
        /// Percent of requests, 0–100.
        public var weight: Double

        /// Creates a canary.
        public init(model: String, weight: Double) {
            self.model = model
            self.weight = weight
        }
    }

    public var host = "127.0.0.1"
    public var port = 8080
    public var routes: [Route] = []
    public var batching = BatchLimits()
    /// The longest a request may take, queueing included; clients may ask for less with `X-Skiff-Timeout-Ms`.
    public var requestTimeout: Duration = .seconds(60)
    /// The Skiff server that resolves registry references.
    public var trackingURI: String?
    /// How often registry aliases are checked for a new version.
    public var pollInterval: Duration = .seconds(10)
    /// Where predictions are logged as NDJSON segments; nil turns the log off.
    public var predictionLogDirectory: String?
    public var predictionLogSegmentBytes = 64 << 20
    public var predictionLogBufferRecords = 10_000
    public var maxBodyBytes = 64 << 20
    /// Threads for large batches; nil means one per processor.
    public var threads: Int?
    /// Writes one access-log line per request.
    public var accessLog = true

    /// Creates a configuration with the defaults.
    public init() {}

    /// Checks the configuration before anything is loaded.
    /// - Throws: `ServingError` `configuration` with a message a person can act on.
    public func validate() throws(ServingError) {
        func fail(_ message: String) -> ServingError { ServingError(.configuration, message) }
        guard !routes.isEmpty else { throw fail("Nothing to serve: give a MODEL or a --config file with models.") }
        guard (0...65535).contains(port) else { throw fail("The port must be between 0 and 65535, got \(port).") }
        guard batching.maxRows >= 1 else { throw fail("max batch size must be at least 1.") }
        guard batching.maxQueued >= 1 else { throw fail("max queue must be at least 1.") }
        guard batching.maxDelay <= .seconds(10) else { throw fail("max batch delay must be at most 10 s.") }
        guard requestTimeout > .zero else { throw fail("The request timeout must be positive.") }
        guard pollInterval >= .milliseconds(100) else { throw fail("The poll interval must be at least 100 ms.") }
        guard maxBodyBytes >= 1024 else { throw fail("The body size limit must be at least 1024 bytes.") }
        guard predictionLogSegmentBytes >= 4096 else { throw fail("Log segments must be at least 4096 bytes.") }
        guard predictionLogBufferRecords >= 1 else { throw fail("The prediction log buffer must hold a record.") }
        if let threads, threads < 1 { throw fail("threads must be at least 1.") }
        var seen = Set<String>()
        for route in routes {
            let name = route.resolvedName
            guard !name.isEmpty, name.utf8.count <= 128,
                name.unicodeScalars.allSatisfy({
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                        || "-_.".unicodeScalars.contains($0)
                })
            else {
                throw fail("Model name '\(name.prefix(130))' must be 1–128 letters, digits, '-', '_' or '.'.")
            }
            guard seen.insert(name).inserted else {
                throw fail("Two models are named '\(name)': give each a distinct name.")
            }
            if let canary = route.canary, !(0...100).contains(canary.weight) {
                throw fail("The canary weight of '\(name)' must be between 0 and 100, got \(canary.weight).")
            }
            if let header = route.stickyHeader,
                header.isEmpty || !header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") })
            {
                throw fail("The sticky header of '\(name)' must be a header name, got '\(header.prefix(100))'.")
            }
        }
    }
}
