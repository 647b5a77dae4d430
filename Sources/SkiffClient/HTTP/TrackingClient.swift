import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small client for the MLflow REST API and artifact proxy of a Skiff (or MLflow) tracking server.
///
/// Every request has a timeout; idempotent reads are retried a bounded number of times on connection failures and
/// 502/503/504 answers. Error messages name the server by scheme, host and port only (never user info).
package struct TrackingClient: Sendable {
    /// The server's base URL, without a trailing slash.
    package let baseURL: URL
    /// The server as users should see it in messages: scheme, host and port.
    package let displayName: String
    /// The timeout of one request, in seconds.
    package let timeout: TimeInterval
    /// How many times an idempotent request is tried in all.
    package let attempts: Int

    /// Creates a client.
    /// - Parameters:
    ///   - trackingURI: The server, such as `http://127.0.0.1:5000`.
    ///   - timeout: The timeout of one request, in seconds.
    ///   - attempts: How many times an idempotent request is tried in all (at least 1).
    /// - Throws: `invalidTrackingURI` when the URI is not an `http(s)://host[:port][/path]` URL.
    package init(trackingURI: String, timeout: TimeInterval = 30, attempts: Int = 3) throws(ClientError) {
        var text = trackingURI.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil, let url = components.url
        else {
            throw ClientError(
                .invalidTrackingURI,
                "The tracking URI must be an http:// or https:// URL of a Skiff server, such as http://127.0.0.1:5000.")
        }
        baseURL = url
        displayName = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        self.timeout = timeout
        self.attempts = max(1, attempts)
    }

    /// A decoded JSON object from a server answer.
    package typealias JSONObject = [String: Any]

    /// An HTTP answer: status and body.
    package struct Answer: Sendable {
        /// The HTTP status code.
        package var status: Int
        /// The body bytes.
        package var body: Data

        /// The MLflow `error_code` of an error body, when there is one.
        package var errorCode: String? {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["error_code"] as? String
        }

        /// The body as a JSON object, or nil when it is not one.
        package var object: JSONObject? {
            if body.isEmpty { return [:] }
            return (try? JSONSerialization.jsonObject(with: body)) as? JSONObject
        }
    }

    // MARK: - Requests

    /// Sends a GET to an API path, retrying connection failures and 502/503/504.
    /// - Parameters:
    ///   - path: A path below the base URL, such as `/api/2.0/mlflow/model-versions/get`.
    ///   - query: Query parameters, percent-encoded here.
    package func get(_ path: String, query: [(String, String)] = []) async throws(ClientError) -> Answer {
        try await send(request(path, query: query, method: "GET"), idempotent: true)
    }

    /// Sends a JSON body with a method such as POST or PATCH; not retried.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: A path below the base URL.
    ///   - body: The JSON body.
    package func send(_ method: String, _ path: String, json body: JSONObject) async throws(ClientError) -> Answer {
        var request = request(path, query: [], method: method)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        do {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        } catch {
            throw ClientError(.io, "Skiff could not encode a request to the tracking server.", detail: "\(error)")
        }
        return try await send(request, idempotent: false)
    }

    /// Sends a request and requires a 2xx JSON object answer.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - path: A path below the base URL.
    ///   - body: The JSON body.
    ///   - what: What the request does, for error messages ("create a run").
    package func call(_ method: String, _ path: String, json body: JSONObject, what: String) async throws(ClientError)
        -> JSONObject
    {
        let answer = try await send(method, path, json: body)
        return try expectObject(answer, what: what)
    }

    /// Requires a 2xx answer with a JSON object body.
    /// - Parameters:
    ///   - answer: The answer.
    ///   - what: What the request did, for error messages.
    package func expectObject(_ answer: Answer, what: String) throws(ClientError) -> JSONObject {
        guard (200..<300).contains(answer.status) else { throw failure(answer, what: what) }
        guard let object = answer.object else {
            throw ClientError(
                .serverError, "The tracking server at \(displayName) sent an unreadable answer to \(what).")
        }
        return object
    }

    /// The error for a non-2xx answer: `notFound` for 404 / RESOURCE_DOES_NOT_EXIST, `serverError` otherwise.
    /// - Parameters:
    ///   - answer: The answer.
    ///   - what: What the request did, for error messages.
    package func failure(_ answer: Answer, what: String) -> ClientError {
        let message = (answer.object?["message"] as? String).map { String($0.prefix(300)) }
        let detail =
            "HTTP \(answer.status)" + (answer.errorCode.map { " \($0)" } ?? "") + (message.map { ": \($0)" } ?? "")
        if answer.status == 404 || answer.errorCode == "RESOURCE_DOES_NOT_EXIST" {
            return ClientError(
                .notFound, "The tracking server at \(displayName) could not \(what): not found.", detail: detail)
        }
        if (400..<500).contains(answer.status) {
            let reason = message.map { ": \($0)" } ?? "."
            return ClientError(
                .serverError, "The tracking server at \(displayName) refused to \(what)\(reason)", detail: detail)
        }
        return ClientError(
            .serverError, "The tracking server at \(displayName) failed to \(what) (HTTP \(answer.status)).",
            detail: detail)
    }

    // MARK: - Artifacts

    /// The URL path of a file behind the artifact proxy.
    /// - Parameter artifactPath: A path relative to the proxy root, `/`-separated.
    package static func artifactRoute(_ artifactPath: String) -> String {
        "/api/2.0/mlflow-artifacts/artifacts/"
            + artifactPath.split(separator: "/").map { Self.percentEncoded(String($0)) }.joined(separator: "/")
    }

    /// Downloads a file from the artifact proxy into a local file (replacing it).
    /// - Parameters:
    ///   - artifactPath: The file's path relative to the proxy root.
    ///   - destination: The local file to write.
    /// - Returns: false when the server has no such file (404); true when the file was written.
    package func download(_ artifactPath: String, to destination: String) async throws(ClientError) -> Bool {
        let request = request(Self.artifactRoute(artifactPath), query: [], method: "GET")
        var lastError: ClientError?
        for attempt in 0..<attempts {
            if attempt > 0 { await pause(attempt) }
            let temporary: URL
            let response: URLResponse
            do {
                (temporary, response) = try await URLSession.shared.download(for: request)
            } catch {
                lastError = unreachable(error)
                continue
            }
            defer { try? FileManager.default.removeItem(at: temporary) }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            if [502, 503, 504].contains(status) {
                lastError = ClientError(
                    .serverError, "The tracking server at \(displayName) is unavailable (HTTP \(status)).")
                continue
            }
            if status == 404 { return false }
            guard (200..<300).contains(status) else {
                let body = (try? Data(contentsOf: temporary)) ?? Data()
                throw failure(Answer(status: status, body: body.prefix(64 * 1024)), what: "download a model file")
            }
            do {
                try? FileManager.default.removeItem(atPath: destination)
                try FileManager.default.moveItem(at: temporary, to: URL(fileURLWithPath: destination))
            } catch {
                throw ClientError(
                    .io, "Skiff could not write a downloaded model file to its cache.", detail: "\(error)")
            }
            return true
        }
        throw lastError ?? ClientError(.unreachable, "The tracking server at \(displayName) did not answer.")
    }

    /// Uploads bytes to the artifact proxy.
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - artifactPath: The destination path relative to the proxy root.
    package func upload(_ bytes: Data, to artifactPath: String) async throws(ClientError) {
        var request = request(Self.artifactRoute(artifactPath), query: [], method: "PUT")
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let answer: Answer
        do {
            let (body, response) = try await URLSession.shared.upload(for: request, from: bytes)
            answer = Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: body)
        } catch {
            throw unreachable(error)
        }
        guard (200..<300).contains(answer.status) else { throw failure(answer, what: "store a model file") }
    }

    // MARK: - Plumbing

    private func request(_ path: String, query: [(String, String)], method: String) -> URLRequest {
        var text = baseURL.absoluteString + path
        if !query.isEmpty {
            text +=
                "?" + query.map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        }
        var request = URLRequest(
            url: URL(string: text)!, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        return request
    }

    private func send(_ request: URLRequest, idempotent: Bool) async throws(ClientError) -> Answer {
        let tries = idempotent ? attempts : 1
        var lastError: ClientError?
        for attempt in 0..<tries {
            if attempt > 0 { await pause(attempt) }
            do {
                let (body, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if idempotent, [502, 503, 504].contains(status), attempt + 1 < tries {
                    lastError = ClientError(
                        .serverError, "The tracking server at \(displayName) is unavailable (HTTP \(status)).")
                    continue
                }
                return Answer(status: status, body: body)
            } catch {
                lastError = unreachable(error)
            }
        }
        throw lastError ?? ClientError(.unreachable, "The tracking server at \(displayName) did not answer.")
    }

    /// Waits a little longer before each retry: 0.2 s, 0.4 s, 0.8 s…, at most 2 s.
    private func pause(_ attempt: Int) async {
        let milliseconds = min(2000, 200 << min(attempt - 1, 4))
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }

    private func unreachable(_ error: any Error) -> ClientError {
        let timedOut = (error as? URLError)?.code == .timedOut
        return ClientError(
            .unreachable,
            timedOut
                ? "The tracking server at \(displayName) did not answer within \(Int(timeout)) seconds."
                : "Cannot reach the tracking server at \(displayName): is `skiff server` running there?",
            detail: "\(error)")
    }

    /// Percent-encodes everything but unreserved characters, so names with `+`, `&`, `#` or spaces survive.
    package static func percentEncoded(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
