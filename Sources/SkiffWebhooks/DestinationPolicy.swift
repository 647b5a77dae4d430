import Foundation
import SkiffCore

#if canImport(Glibc)
    import Glibc
#endif

/// Decides whether the server may send a request to a URL: the SSRF guard of webhooks (CVE-2026-2393).
///
/// Every address the host resolves to must be public: loopback, private (RFC 1918, ULA), link-local (the cloud
/// metadata service lives at 169.254.169.254), carrier-grade NAT, unspecified and multicast ranges are refused,
/// unless the operator allows private destinations explicitly (tests with a loopback receiver need that).
public struct DestinationPolicy: Sendable {
    public var allowPrivate: Bool

    /// Creates a policy.
    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// - Throws: `invalidParameterValue` naming the refused destination.
    public func check(_ urlText: String) throws(SkiffError) {
        guard let url = URLComponents(string: urlText), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw .invalid("Invalid webhook URL '\(urlText.prefix(200))': it must be an http(s) URL with a host.")
        }
        guard url.user == nil, url.password == nil else {
            throw .invalid("Webhook URLs must not carry credentials.")
        }
        if allowPrivate { return }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let addresses = Self.resolve(bare)
        guard !addresses.isEmpty else { throw .invalid("Webhook host '\(host)' does not resolve.") }
        for address in addresses where Self.isPrivate(address) {
            throw .invalid(
                "Webhook URL '\(urlText.prefix(200))' resolves to a private, loopback or link-local address, "
                    + "which is not allowed.")
        }
    }

    /// The IPv4 (4 bytes) and IPv6 (16 bytes) addresses of a host name or literal.
    static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [[UInt8]] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node {
            if info.pointee.ai_family == AF_INET, let sa = info.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    withUnsafeBytes(of: sin.pointee.sin_addr) { out.append(Array($0)) }
                }
            } else if info.pointee.ai_family == AF_INET6, let sa = info.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    withUnsafeBytes(of: sin.pointee.sin6_addr) { out.append(Array($0)) }
                }
            }
            node = info.pointee.ai_next
        }
        return out
    }

    /// Whether an address is one a server must not be steered to.
    static func isPrivate(_ a: [UInt8]) -> Bool {
        if a.count == 4 {
            switch (a[0], a[1]) {
            case (0, _), (10, _), (127, _): return true
            case (169, 254), (192, 168): return true
            case (172, 16...31): return true
            case (100, 64...127): return true
            case (192, 0) where a[2] == 0: return true
            case (224...255, _): return true
            default: return false
            }
        }
        guard a.count == 16 else { return true }
        if a[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
        if a[0..<10].allSatisfy({ $0 == 0 }), a[10] == 0xFF, a[11] == 0xFF { return isPrivate(Array(a[12..<16])) }
        if a[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if a[0] == 0xFE, a[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if a[0] == 0xFF { return true }  // multicast
        return false
    }
}
