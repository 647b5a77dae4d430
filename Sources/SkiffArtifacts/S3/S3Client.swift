import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SkiffCore

/// Signed S3 REST calls over async-http-client: the handful of operations the artifact store needs.
///
/// Every failure becomes a `SkiffError` whose message names the operation, the S3 error code and the endpoint,
/// never a credential or a signature.
struct S3Client: Sendable {
    let configuration: S3Configuration
    let http: HTTPClient
    let signer: SigV4
    /// Small requests (listings, deletes, completes) must finish in this time.
    static let shortTimeout = TimeAmount.seconds(60)
    /// Objects stream for as long as bytes keep moving (the client's read timeout); this bounds the whole transfer.
    static let transferTimeout = TimeAmount.hours(6)
    /// The most an error or listing document may hold before it is refused.
    static let documentLimit = 16 * 1024 * 1024

    init(configuration: S3Configuration, http: HTTPClient) {
        self.configuration = configuration
        self.http = http
        self.signer = SigV4(credentials: configuration.credentials, region: configuration.region)
    }

    /// A response with its body still streaming.
    struct Streaming {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: HTTPClientResponse.Body
    }

    /// A response whose body was read whole (bounded by `documentLimit`).
    struct Complete {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// The wire path for an object key (or the bucket when `key` is nil).
    func path(_ key: String?) -> String {
        let encodedKey = key.map { SigV4.encode($0, keepSlash: true) } ?? ""
        return configuration.pathStyle ? "/\(configuration.bucket)/\(encodedKey)" : "/\(encodedKey)"
    }

    var hostHeader: String {
        let host = configuration.pathStyle ? configuration.host : "\(configuration.bucket).\(configuration.host)"
        return configuration.port == configuration.defaultPort ? host : "\(host):\(configuration.port)"
    }

    /// Sends one signed request and returns as soon as the head arrives.
    func stream(
        _ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: ByteBuffer? = nil, timeout: TimeAmount = shortTimeout, operation: String
    ) async throws -> Streaming {
        let path = self.path(key)
        let payloadHash = body.map { buffer in buffer.withUnsafeReadableBytes { SigV4.sha256Hex($0) } }
        let signed = signer.sign(
            method: method.rawValue, path: path, query: query, headers: [("host", hostHeader)] + headers,
            payloadHash: payloadHash ?? SigV4.emptyPayloadHash, date: Date())
        let queryText = query.map { SigV4.encode($0.0) + "=" + SigV4.encode($0.1) }.joined(separator: "&")
        var request = HTTPClientRequest(
            url: "\(configuration.scheme)://\(hostHeader)\(path)\(queryText.isEmpty ? "" : "?" + queryText)")
        request.method = method
        for (name, value) in signed { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(body)
        } else if method == .PUT || method == .POST {
            request.headers.add(name: "content-length", value: "0")
        }
        do {
            let response = try await http.execute(request, timeout: timeout)
            return Streaming(status: response.status, headers: response.headers, body: response.body)
        } catch {
            throw unreachable(operation, error)
        }
    }

    /// Sends one signed request and reads the whole (small) answer. A dropped connection or a 5xx (S3's
    /// `SlowDown` and `InternalError`) is retried twice with backoff: the body is in memory, so a retry is exact.
    func send(
        _ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: ByteBuffer? = nil, timeout: TimeAmount = shortTimeout, attempts: Int = 3, operation: String
    ) async throws -> Complete {
        for attempt in 1...attempts {
            let last = attempt == attempts
            do {
                let response = try await stream(
                    method, key: key, query: query, headers: headers, body: body, timeout: timeout,
                    operation: operation)
                let collected: ByteBuffer
                do {
                    collected = try await response.body.collect(upTo: Self.documentLimit)
                } catch {
                    throw unreachable(operation, error)
                }
                if [500, 502, 503, 504].contains(response.status.code) && !last {
                    try await Task.sleep(for: .milliseconds(200 << (2 * (attempt - 1))))
                    continue
                }
                return Complete(status: response.status, headers: response.headers, body: Array(buffer: collected))
            } catch let error as SkiffError where !last {
                _ = error
                try await Task.sleep(for: .milliseconds(200 << (2 * (attempt - 1))))
            }
        }
        throw SkiffError(.internalError, "S3 \(operation) kept failing.")
    }

    /// The error for a non-2xx answer, from S3's `<Error><Code>…` document when there is one.
    func failure(_ operation: String, status: HTTPResponseStatus, body: [UInt8]) -> SkiffError {
        let document = try? S3XML.parse(body)
        let code = document?.value("Code") ?? "HTTP \(status.code)"
        let message = document?.value("Message").map { ": \($0.prefix(200))" } ?? ""
        let where_ = "bucket '\(configuration.bucket)' at \(configuration.endpointDescription)"
        switch code {
        case "NoSuchBucket":
            return SkiffError(
                .internalError,
                "The S3 bucket '\(configuration.bucket)' does not exist at \(configuration.endpointDescription).")
        case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken":
            return SkiffError(
                .internalError, "The S3 store refused the credentials for \(operation) (\(code)) on \(where_).")
        case "KeyTooLongError":
            return SkiffError.invalid("The artifact path is too long for S3 (1024 bytes with the prefix).")
        default:
            return SkiffError(.internalError, "S3 \(operation) failed with \(code) on \(where_)\(message).")
        }
    }

    /// The error for a transport failure, naming the endpoint.
    func unreachable(_ operation: String, _ error: any Error) -> SkiffError {
        SkiffError(
            .internalError, "S3 \(operation) could not reach \(configuration.endpointDescription).",
            detail: "\(error)")
    }

    /// Reads a whole error body so the answer can be explained, then returns the error.
    func failure(_ operation: String, _ response: Streaming) async -> SkiffError {
        let body = (try? await response.body.collect(upTo: Self.documentLimit)).map { Array(buffer: $0) } ?? []
        return failure(operation, status: response.status, body: body)
    }

    /// Parses a 2xx XML answer.
    func document(_ operation: String, _ response: Complete) throws(SkiffError) -> S3XML {
        guard (200..<300).contains(response.status.code) else {
            throw failure(operation, status: response.status, body: response.body)
        }
        guard let document = try? S3XML.parse(response.body) else {
            throw SkiffError(.internalError, "S3 \(operation) answered with a malformed document.")
        }
        // CompleteMultipartUpload and CopyObject may fail after a 200 head; the body says so.
        if document.name == "Error" { throw failure(operation, status: .internalServerError, body: response.body) }
        return document
    }

    static func md5Base64(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { Data(Insecure.MD5.hash(data: $0)).base64EncodedString() }
    }
}
