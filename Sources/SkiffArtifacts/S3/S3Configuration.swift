import Foundation
import SkiffCore

/// Where an S3-compatible artifact store lives and how to sign for it.
///
/// Built from `--artifacts s3://bucket/prefix`, an optional endpoint (`--s3-endpoint`, or the variables the AWS
/// tools and MLflow read), the region and the credentials from the usual `AWS_*` variables or the shared
/// credentials file. Nothing secret is ever part of a message.
public struct S3Configuration: Sendable {
    public var bucket: String
    /// The key prefix under which artifacts live: no leading or trailing `/`, possibly empty.
    public var prefix: String
    public var scheme: String
    public var host: String
    public var port: Int
    /// `https://host/bucket/key` (MinIO, Ceph, moto, R2…) rather than `https://bucket.host/key` (AWS).
    public var pathStyle: Bool
    public var region: String
    var credentials: SigV4.Credentials
    /// Upload part size; S3 needs ≥ 5 MiB for every part but the last.
    public var partSize: Int = 8 * 1024 * 1024
    /// Keys per listing page (S3's maximum is 1,000).
    var listPageSize = 1000

    /// The endpoint as a person would write it, for messages.
    public var endpointDescription: String { "\(scheme)://\(host)\(port == defaultPort ? "" : ":\(port)")" }
    var defaultPort: Int { scheme == "https" ? 443 : 80 }

    /// Whether `uri` names an S3 location.
    public static func isS3(_ uri: String) -> Bool { uri.hasPrefix("s3://") }

    /// Reads an `s3://bucket/prefix` location with its endpoint, region and credentials.
    /// - Parameters:
    ///   - endpoint: `--s3-endpoint`; when nil, `SKIFF_S3_ENDPOINT`, `MLFLOW_S3_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`
    ///     and `AWS_ENDPOINT_URL` are tried, then AWS itself.
    /// - Throws: `invalidParameterValue` naming what is wrong or missing.
    public static func resolve(
        uri: String, endpoint: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SkiffError) -> S3Configuration {
        guard isS3(uri) else { throw .invalid("An S3 location starts with s3://, got '\(uri.prefix(60))'.") }
        let rest = uri.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        try validateBucket(bucket)
        let prefix = rest.dropFirst(bucket.count).split(separator: "/", omittingEmptySubsequences: true)
        for part in prefix where part == "." || part == ".." || part.contains("\\") {
            throw .invalid("The S3 prefix in '\(uri)' must not contain '.' or '..' segments.")
        }
        let region =
            nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) ?? "us-east-1"
        guard region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), !region.isEmpty else {
            throw .invalid("AWS_REGION must look like us-east-1, got '\(region.prefix(40))'.")
        }
        let credentials = try Self.credentials(environment)
        let endpointText =
            nonEmpty(endpoint) ?? nonEmpty(environment["SKIFF_S3_ENDPOINT"])
            ?? nonEmpty(environment["MLFLOW_S3_ENDPOINT_URL"]) ?? nonEmpty(environment["AWS_ENDPOINT_URL_S3"])
            ?? nonEmpty(environment["AWS_ENDPOINT_URL"])
        var config: S3Configuration
        if let endpointText {
            let (scheme, host, port) = try parseEndpoint(endpointText)
            config = S3Configuration(
                bucket: bucket, prefix: prefix.joined(separator: "/"), scheme: scheme, host: host, port: port,
                pathStyle: true, region: region, credentials: credentials)
        } else {
            // AWS: virtual-hosted addressing, except for dotted names that would break the TLS wildcard.
            config = S3Configuration(
                bucket: bucket, prefix: prefix.joined(separator: "/"), scheme: "https",
                host: "s3.\(region).amazonaws.com", port: 443, pathStyle: bucket.contains("."), region: region,
                credentials: credentials)
        }
        if let text = environment["SKIFF_S3_PART_SIZE_MB"] {
            guard let mb = Int(text), (5...512).contains(mb) else {
                throw .invalid("SKIFF_S3_PART_SIZE_MB must be between 5 and 512, got '\(text.prefix(20))'.")
            }
            config.partSize = mb * 1024 * 1024
        }
        return config
    }

    /// S3's bucket naming rules (the DNS-compatible ones every S3 implementation accepts).
    static func validateBucket(_ bucket: String) throws(SkiffError) {
        let allowed = bucket.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
        guard (3...63).contains(bucket.utf8.count), allowed, let first = bucket.utf8.first, let last = bucket.utf8.last,
            first != UInt8(ascii: "-"), first != UInt8(ascii: "."), last != UInt8(ascii: "-"),
            last != UInt8(ascii: "."), !bucket.contains("..")
        else {
            throw .invalid(
                "'\(bucket.prefix(70))' is not a valid S3 bucket name (3-63 lowercase letters, digits, '-' and '.').")
        }
    }

    static func parseEndpoint(_ text: String) throws(SkiffError) -> (String, String, Int) {
        let bad = SkiffError.invalid(
            "--s3-endpoint must look like http://host:port or https://host, got '\(text.prefix(60))'.")
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil, components.query == nil,
            components.path.isEmpty || components.path == "/"
        else { throw bad }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw bad }
        return (scheme, host, port)
    }

    /// Access keys from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), or else from the
    /// shared credentials file's `AWS_PROFILE` (default `default`) section.
    static func credentials(_ environment: [String: String]) throws(SkiffError) -> SigV4.Credentials {
        if let id = nonEmpty(environment["AWS_ACCESS_KEY_ID"]),
            let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        {
            return .init(
                accessKeyID: id, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]))
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let file = nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? home + "/.aws/credentials"
        let profile = nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        if let text = try? String(contentsOfFile: file, encoding: .utf8) {
            let section = iniSection(text, profile)
            if let id = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] {
                return .init(accessKeyID: id, secretAccessKey: secret, sessionToken: section["aws_session_token"])
            }
        }
        throw .invalid(
            "S3 artifacts need credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a [\(profile)] "
                + "section in \(file).")
    }

    static func iniSection(_ text: String, _ name: String) -> [String: String] {
        var inSection = false
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasPrefix("[") {
                inSection = line == "[\(name)]"
                continue
            }
            guard inSection, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            values[key] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
