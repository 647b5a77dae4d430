import Foundation
import NIOSSL
import PostgresNIO
import SkiffCore

/// Parses `postgres://user:password@host:port/database?sslmode=…` into a postgres-nio client configuration.
///
/// `sslmode` follows libpq's names: `disable`, `prefer` (the default: TLS when the server offers it), `require`.
/// A `search_path` query item selects a schema (used by tests to isolate each other in one database).
public enum PostgresURL {
    /// The client configuration for a URL.
    /// - Throws: `SkiffError` `invalidParameterValue` naming what is wrong; the password never appears.
    public static func configuration(_ url: String) throws(SkiffError) -> PostgresClient.Configuration {
        try parse(url).client
    }

    /// The parts of a URL, for the pool's configuration and a one-off start-up probe.
    struct Parsed {
        var client: PostgresClient.Configuration
        var host: String
        var port: Int
        var requireTLS: Bool
        var preferTLS: Bool

        /// One connection's configuration (used to check reachability and credentials before the pool starts).
        func connection() throws -> PostgresConnection.Configuration {
            var tls = PostgresConnection.Configuration.TLS.disable
            if requireTLS || preferTLS {
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                tls = requireTLS ? .require(context) : .prefer(context)
            }
            var configuration = PostgresConnection.Configuration(
                host: host, port: port, username: client.username, password: client.password,
                database: client.database, tls: tls)
            configuration.options.connectTimeout = .seconds(10)
            return configuration
        }
    }

    static func parse(_ url: String) throws(SkiffError) -> Parsed {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"),
            let components = URLComponents(string: url), let host = components.host, !host.isEmpty
        else {
            throw .invalid("--db must look like postgres://user:password@host:5432/database.")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .invalid("The PostgreSQL URL names no user: postgres://user:password@host/database.")
        }
        var database = components.path
        while database.hasPrefix("/") { database.removeFirst() }
        guard !database.isEmpty else {
            throw .invalid("The PostgreSQL URL names no database: postgres://user:password@host/database.")
        }
        let port = components.port ?? 5432
        var tls = PostgresClient.Configuration.TLS.prefer(.makeClientConfiguration())
        var (requireTLS, preferTLS) = (false, true)
        var searchPath: String?
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"):
                tls = .disable
                (requireTLS, preferTLS) = (false, false)
            case ("sslmode", "prefer"), ("sslmode", "allow"):
                tls = .prefer(.makeClientConfiguration())
                (requireTLS, preferTLS) = (false, true)
            case ("sslmode", "require"), ("sslmode", "verify-ca"), ("sslmode", "verify-full"):
                tls = .require(.makeClientConfiguration())
                (requireTLS, preferTLS) = (true, false)
            case ("sslmode", let other):
                throw .invalid("Unknown sslmode '\(other)' in the PostgreSQL URL: use disable, prefer or require.")
            case ("search_path", let path):
                guard !path.isEmpty,
                    path.utf8.allSatisfy({ $0 == 95 || (48...57).contains($0) || (97...122).contains($0) })
                else { throw .invalid("search_path must be a lower-case schema name.") }
                searchPath = path
            default:
                continue
            }
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding ?? components.password,
            database: database.removingPercentEncoding ?? database, tls: tls)
        if let searchPath { configuration.options.additionalStartupParameters = [("search_path", searchPath)] }
        return Parsed(client: configuration, host: host, port: port, requireTLS: requireTLS, preferTLS: preferTLS)
    }
}
