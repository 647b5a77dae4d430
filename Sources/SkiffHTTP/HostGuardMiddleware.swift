import Hummingbird
import Logging
import SkiffCore
import SkiffJSON

/// Refuses DNS-rebinding and cross-site requests (MLflow CVE-2025-14279 and CVE-2023-43472).
///
/// A request's `Host` must be a loopback name, an IP literal (rebinding needs a DNS name) or one of the
/// configured allowed hosts (`*` allows all). A state-changing request that carries an `Origin` must come
/// from the same host or from loopback. Refusals are 403 with MLflow's error JSON.
struct HostGuardMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let allowedHosts: Set<String>

    init(allowedHosts: [String] = []) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let host = Self.hostName(request.head.authority ?? "")
        if !allowedHosts.contains("*"), !host.isEmpty, !Self.isSafe(host), !allowedHosts.contains(host) {
            return refuse("Invalid Host header: '\(host.prefix(100))' is not an allowed host.", context)
        }
        if request.method != .get, request.method != .head, request.method != .options,
            let origin = request.headers[.origin], !origin.isEmpty
        {
            let originHost = Self.hostName(Self.stripScheme(origin))
            if originHost != host, !Self.isLoopback(originHost), !allowedHosts.contains(originHost),
                !allowedHosts.contains("*")
            {
                return refuse("Cross-origin request blocked.", context)
            }
        }
        return try await next(request, context)
    }

    private func refuse(_ message: String, _ context: Context) -> Response {
        var response = APIResponder.errorResponse(SkiffError(.permissionDenied, message), logger: context.logger)
        response.status = .forbidden
        return response
    }

    /// The host part of `host[:port]`, `[v6]:port`, lower-cased.
    static func hostName(_ value: String) -> String {
        var text = Substring(value.lowercased())
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        if text.hasPrefix("[") {
            if let end = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<end]) }
            return String(text)
        }
        if let colon = text.lastIndex(of: ":"), text.filter({ $0 == ":" }).count == 1 {
            return String(text[..<colon])
        }
        return String(text)
    }

    static func stripScheme(_ origin: String) -> String {
        guard let range = origin.range(of: "://") else { return origin }
        return String(origin[range.upperBound...])
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host.hasPrefix("127.")
    }

    /// Loopback names and IP literals cannot be rebound to another address by DNS.
    static func isSafe(_ host: String) -> Bool {
        if isLoopback(host) { return true }
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
