import ArgumentParser
import Foundation
import Logging
import SkiffClient
import SkiffCore
import SkiffServing

/// `skiff serve`: serves models natively over MLflow's scoring protocol and KServe's Open Inference Protocol.
///
/// Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT); 1 when a model cannot be loaded or the server cannot
/// start; 64 for invalid command-line usage.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over MLflow's scoring protocol and the Open Inference Protocol (KServe v2).",
        discussion: """
            MODEL is a model file (.onnx, XGBoost .json/.ubj, LightGBM .txt), a registry reference \
            models:/name/3 or models:/name@alias, or runs:/<run id>/path, resolved against --tracking-uri \
            (a Skiff server). --config serving.yaml serves several models, each with its own routes; flags \
            given on the command line override the file.

            Routes: POST /invocations (the first model) and /models/<name>/invocations; GET /ping, /health, \
            /version, /metrics; GET /v2, /v2/health/live, /v2/health/ready, /v2/models/<name>[/versions/<v>], \
            .../ready and POST .../infer.

            Examples:
              skiff serve churn.onnx --port 8080
              skiff serve models:/churn@champion --tracking-uri http://127.0.0.1:5000 \\
                  --canary models:/churn/4 --canary-weight 10 --shadow models:/churn/5
              skiff serve --config serving.yaml
            """
    )

    @Argument(help: "The model to serve (file, models:/name/N, models:/name@alias, runs:/id/path).")
    var model: String?

    @Option(help: "A serving.yaml file describing several models, their canaries and shadows.")
    var config: String?

    @Option(help: "The route name of MODEL (default: the registered model name or the file's stem).")
    var name: String?

    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (default 8080).")
    var port: Int?

    @Option(
        name: .customLong("tracking-uri"),
        help: "The Skiff server that resolves registry references (default: MLFLOW_TRACKING_URI).")
    var trackingURI: String?

    @Option(name: .customLong("max-batch-size"), help: "Most rows per engine call (default 256).")
    var maxBatchSize: Int?

    @Option(
        name: .customLong("max-batch-delay"),
        help: "How long a request may wait for others to batch with: 500us, 2ms (default 0: batch what is queued).")
    var maxBatchDelay: String?

    @Option(name: .customLong("max-queue"), help: "Requests that may wait per model before 429 (default 1024).")
    var maxQueue: Int?

    @Option(name: .customLong("request-timeout"), help: "Longest time a request may take, e.g. 30s (default 60s).")
    var requestTimeout: String?

    @Option(help: "A canary model for MODEL.")
    var canary: String?

    @Option(name: .customLong("canary-weight"), help: "Percent of requests the canary answers (default 10).")
    var canaryWeight: Double?

    @Option(help: "A shadow model for MODEL: gets a copy of each request; its answer is compared, never returned.")
    var shadow: [String] = []

    @Option(name: .customLong("sticky-header"), help: "Request header that pins a caller to primary or canary.")
    var stickyHeader: String?

    @Option(name: .customLong("poll-interval"), help: "How often registry aliases are checked (default 10s).")
    var pollInterval: String?

    @Option(name: .customLong("log-predictions"), help: "Directory for the NDJSON prediction log.")
    var logPredictions: String?

    @Option(name: .customLong("log-segment-bytes"), help: "Size at which a prediction log segment rotates.")
    var logSegmentBytes: Int?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (default 64 MiB).")
    var maxBodyBytes: Int?

    @Option(help: "Threads for large batches (default: one per processor).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "Write one access-log line per request.")
    var accessLog = true

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.")
    var logLevel: String?

    func validate() throws {
        if model != nil && config != nil { throw ValidationError("Give either MODEL or --config, not both.") }
        if model == nil && config == nil { throw ValidationError("Give a MODEL to serve, or --config serving.yaml.") }
        if config != nil, canary != nil || !shadow.isEmpty || name != nil || stickyHeader != nil {
            throw ValidationError("--canary, --shadow, --name and --sticky-header go with MODEL; use the config file.")
        }
        if canaryWeight != nil && canary == nil { throw ValidationError("--canary-weight needs --canary.") }
        for (flag, value) in [
            ("--max-batch-delay", maxBatchDelay), ("--request-timeout", requestTimeout),
            ("--poll-interval", pollInterval),
        ] {
            if let value, DurationText.parse(value) == nil {
                throw ValidationError("\(flag) must be a duration such as 500us, 2ms or 10s, got '\(value)'.")
            }
        }
        if let level = logLevel, Logger.Level(rawValue: level) == nil {
            throw ValidationError("Unknown log level '\(level)'. Use trace, debug, info, notice, warning or error.")
        }
        _ = try resolved()
    }

    /// The configuration: the file's, or one route for MODEL, with the flags applied.
    func resolved() throws -> ServingConfiguration {
        var configuration: ServingConfiguration
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw ValidationError("Cannot read the config file '\(config)'.")
            }
            do {
                configuration = try ServingConfiguration.load(yaml: String(decoding: data, as: UTF8.self))
            } catch {
                throw ValidationError(error.message)
            }
        } else {
            configuration = ServingConfiguration()
            configuration.routes = [
                .init(
                    name: name, model: model ?? "",
                    canary: canary.map { .init(model: $0, weight: canaryWeight ?? 10) }, shadows: shadow,
                    stickyHeader: stickyHeader)
            ]
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let trackingURI { configuration.trackingURI = trackingURI }
        if let maxBatchSize { configuration.batching.maxRows = maxBatchSize }
        if let delay = maxBatchDelay.flatMap(DurationText.parse) { configuration.batching.maxDelay = delay }
        if let maxQueue { configuration.batching.maxQueued = maxQueue }
        if let timeout = requestTimeout.flatMap(DurationText.parse) { configuration.requestTimeout = timeout }
        if let interval = pollInterval.flatMap(DurationText.parse) { configuration.pollInterval = interval }
        if let logPredictions { configuration.predictionLogDirectory = logPredictions }
        if let logSegmentBytes { configuration.predictionLogSegmentBytes = logSegmentBytes }
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        if let threads { configuration.threads = threads }
        if !accessLog { configuration.accessLog = false }
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.message)
        }
        return configuration
    }

    func run() async throws {
        let configuration = try resolved()
        var logger = Logger(label: "skiff-serve")
        logger.logLevel = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .info
        let environment = ProcessInfo.processInfo.environment
        let resolver = RegistryModelResolver(
            trackingURI: configuration.trackingURI ?? environment["MLFLOW_TRACKING_URI"],
            cacheDirectory: ModelFetcher.defaultCacheDirectory(environment: environment))
        let server = ModelServer(
            configuration: configuration, resolver: resolver, version: SkiffVersion.string, logger: logger)
        do {
            try await server.run { port in
                FileHandle.standardError.write(
                    Data("skiff serve listening on http://\(configuration.host):\(port)\n".utf8))
            }
        } catch let error as ServingError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        } catch {
            FileHandle.standardError.write(Data("error: the model server could not start: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
