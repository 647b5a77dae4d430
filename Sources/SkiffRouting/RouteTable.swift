import HTTPTypes
import Synchronization

/// Every operation a server serves, recorded as its routes are registered. It answers which methods a path
/// serves (for 405 Method Not Allowed with `Allow`) and renders the OpenAPI document, so the router, the 405
/// answers and the document all come from one list.
public final class RouteTable: Sendable {
    private struct Route {
        var segments: [Substring]
        var operations: [Operation]
    }

    private let routes = Mutex<(order: [String], byPath: [String: Route])>(([], [:]))

    /// Creates an empty table.
    public init() {}

    /// Records `operation`. Two operations with one method and path, or one id, are a programming error.
    public func record(_ operation: Operation) {
        routes.withLock { routes in
            precondition(
                !routes.byPath.values.contains { $0.operations.contains { $0.id == operation.id } },
                "operation id \(operation.id) is registered twice")
            if routes.byPath[operation.path] == nil {
                routes.order.append(operation.path)
                routes.byPath[operation.path] = Route(segments: Self.segments(operation.path), operations: [])
            }
            precondition(
                !routes.byPath[operation.path]!.operations.contains { $0.method == operation.method },
                "\(operation.method) \(operation.path) is registered twice")
            routes.byPath[operation.path]!.operations.append(operation)
        }
    }

    /// Every recorded operation, in registration order.
    public var operations: [Operation] {
        routes.withLock { routes in routes.order.flatMap { routes.byPath[$0]!.operations } }
    }

    /// The methods served at `path` (percent-encoded, without the query), sorted by name; empty for an unknown path.
    public func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = Self.segments(path)
        var found: Set<HTTPRequest.Method> = []
        var best: [Bool] = []
        routes.withLock { routes in
            // As the router's trie does, a literal segment wins over a parameter at the first place they differ:
            // `logged-models/search` is not `logged-models/{model_id}`.
            for route in routes.byPath.values where Self.matches(route.segments, parts) {
                let literals = route.segments.map { $0 != "*" && $0 != "**" && !$0.hasPrefix(":") }
                switch Self.compare(literals, best) {
                case _ where found.isEmpty, .orderedDescending:
                    best = literals
                    found = Set(route.operations.map(\.method))
                case .orderedSame:
                    found.formUnion(route.operations.map(\.method))
                case .orderedAscending:
                    break
                }
            }
        }
        return found.sorted { $0.rawValue < $1.rawValue }
    }

    private enum Order { case orderedAscending, orderedSame, orderedDescending }

    /// Compares two templates' literal masks at the first segment where they differ (a literal is more specific).
    private static func compare(_ a: [Bool], _ b: [Bool]) -> Order {
        for (x, y) in zip(a, b) where x != y { return x ? .orderedDescending : .orderedAscending }
        return a.count == b.count ? .orderedSame : (a.count > b.count ? .orderedDescending : .orderedAscending)
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
