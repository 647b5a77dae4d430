import HTTPTypes
import Synchronization

/// The methods each route answers, recorded as routes are registered, so that a request for a known path with
/// another method gets 405 Method Not Allowed with an `Allow` header instead of 404.
///
/// Patterns use the router's syntax: literal segments, `:name` or `*` for one segment, `**` for one or more.
public final class MethodTable: Sendable {
    private struct Entry {
        var segments: [Substring]
        var methods: Set<HTTPRequest.Method>
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Creates an empty table.
    public init() {}

    /// Records that `method` is served at `pattern`.
    public func record(_ method: HTTPRequest.Method, _ pattern: String) {
        entries.withLock { entries in
            _ = entries[pattern, default: Entry(segments: Self.segments(pattern), methods: [])].methods.insert(method)
        }
    }

    /// The methods served at `path` (percent-encoded, without the query), sorted by name; empty for an unknown path.
    public func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = Self.segments(path)
        var found: Set<HTTPRequest.Method> = []
        entries.withLock { entries in
            for entry in entries.values where Self.matches(entry.segments, parts) { found.formUnion(entry.methods) }
        }
        return found.sorted { $0.rawValue < $1.rawValue }
    }

    static func segments(_ path: some StringProtocol) -> [Substring] {
        Substring(path).split(separator: "/")
    }

    static func matches(_ pattern: [Substring], _ parts: [Substring]) -> Bool {
        var i = 0
        for (index, segment) in pattern.enumerated() {
            if segment == "**" { return index == pattern.count - 1 ? parts.count > i : false }
            guard i < parts.count else { return false }
            if segment != "*", !segment.hasPrefix(":"), segment != parts[i] { return false }
            i += 1
        }
        return i == parts.count
    }
}
