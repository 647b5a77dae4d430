import ArgumentParser
import CSkiffMalloc
import Foundation
import Logging
import SkiffCore
import SkiffServer

/// `skiff server`: the MLflow-compatible tracking server, on embedded SQLite and a local artifact folder by
/// default, or on PostgreSQL and an S3-compatible bucket for a team.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the tracking server (MLflow-compatible REST API and artifact proxy).",
        discussion: """
            Every flag can also be set through its SKIFF_* environment variable (a flag wins).

            Example:
              skiff server --port 5000 --data-dir ./skiff-data
              MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python train.py

            Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT), 64 for a bad flag, 1 when the \
            server cannot start (port in use, unreadable data directory).
            """
    )

    @Option(help: "Address to listen on (SKIFF_HOST).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (SKIFF_PORT).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Folder for the SQLite file and artifacts (SKIFF_DATA_DIR).")
    var dataDirectory: String?

    @Option(help: "SQLite database file (SKIFF_DB); default <data-dir>/skiff.db.")
    var db: String?

    @Option(
        help:
            "Artifact directory or s3://bucket/prefix (SKIFF_ARTIFACTS); default <data-dir>/artifacts. S3 reads AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or AWS_PROFILE."
    )
    var artifacts: String?

    @Option(
        name: .customLong("default-artifact-root"),
        help:
            "Artifact root of new experiments, as MLflow's flag (SKIFF_DEFAULT_ARTIFACT_ROOT): a directory or an object-store URI the clients write to themselves; default mlflow-artifacts:, this server's proxy."
    )
    var defaultArtifactRoot: String?

    @Option(
        name: .customLong("s3-endpoint"),
        help:
            "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (SKIFF_S3_ENDPOINT, MLFLOW_S3_ENDPOINT_URL or AWS_ENDPOINT_URL_S3); default AWS."
    )
    var s3Endpoint: String?

    @Option(
        name: .customLong("allowed-hosts"),
        help:
            "Comma-separated host names accepted in the Host header besides loopback and IP literals; '*' for any (SKIFF_ALLOWED_HOSTS)."
    )
    var allowedHosts: String?

    @Flag(
        name: .customLong("webhook-allow-private"),
        help:
            "Let webhooks target loopback and private addresses (SKIFF_WEBHOOK_ALLOW_PRIVATE=1); off guards against SSRF."
    )
    var webhookAllowPrivate = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (SKIFF_LOG_LEVEL).")
    var logLevel: String?

    var resolved: TrackingServer.Configuration {
        get throws {
            let env = ProcessInfo.processInfo.environment
            var config = TrackingServer.Configuration()
            config.host = host ?? env["SKIFF_HOST"] ?? config.host
            if let port {
                config.port = port
            } else if let text = env["SKIFF_PORT"] {
                guard let value = Int(text) else {
                    throw ValidationError("SKIFF_PORT must be a number, got '\(text)'.")
                }
                config.port = value
            }
            config.dataDirectory = dataDirectory ?? env["SKIFF_DATA_DIR"] ?? config.dataDirectory
            config.database = db ?? env["SKIFF_DB"]
            config.artifactRoot = artifacts ?? env["SKIFF_ARTIFACTS"]
            config.s3Endpoint = s3Endpoint
            config.defaultArtifactRoot = defaultArtifactRoot ?? env["SKIFF_DEFAULT_ARTIFACT_ROOT"]
            let hosts = allowedHosts ?? env["SKIFF_ALLOWED_HOSTS"] ?? ""
            config.allowedHosts = hosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            config.webhooksAllowPrivate =
                webhookAllowPrivate
                || ["1", "true", "yes"].contains(env["SKIFF_WEBHOOK_ALLOW_PRIVATE"]?.lowercased() ?? "")
            return config
        }
    }

    func validate() throws {
        do {
            try resolved.validate()
        } catch let error as SkiffError {
            throw ValidationError(error.message)
        }
        if let level = logLevel ?? ProcessInfo.processInfo.environment["SKIFF_LOG_LEVEL"],
            Logger.Level(rawValue: level) == nil
        {
            throw ValidationError("Unknown log level '\(level)'. Use trace, debug, info, notice, warning or error.")
        }
    }

    func run() async throws {
        let config = try resolved
        // Artifact streams allocate large buffers (256 KiB download chunks, S3 upload parts) on whichever thread
        // runs the request and free them on an event loop. glibc's adaptive threshold would serve them from
        // per-thread arenas that keep the freed memory; a fixed threshold at the chunk size maps each one and
        // returns it on free, so RSS stays flat however much streams.
        _ = skiff_set_mmap_threshold(256 << 10)
        var logger = Logger(label: "skiff")
        let level = logLevel ?? ProcessInfo.processInfo.environment["SKIFF_LOG_LEVEL"] ?? "info"
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        let server = TrackingServer(configuration: config, logger: logger)
        do {
            try await server.run { port in
                FileHandle.standardError.write(
                    Data(
                        "skiff server listening on http://\(config.host):\(port) (data: \(config.dataDirectory))\n".utf8
                    ))
            }
        } catch let error as SkiffError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            logger.debug("start-up failed", metadata: ["error": "\(error.debugDescription)"])
            throw ExitCode.failure
        } catch {
            FileHandle.standardError.write(Data("error: the server could not start: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
