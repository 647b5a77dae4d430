import Foundation

/// One page of a search result.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Opaque token for the next page; nil on the last page.
    public var nextPageToken: String?

    /// Creates a page.
    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

/// Offset-based page tokens in MLflow's shape: base64 of `{"offset": N}`.
public enum PageToken {
    /// The largest offset a token may carry: JSON's exact-integer range, so `offset + pageSize` never overflows.
    public static let maxOffset = 1 << 53

    /// Encodes an offset.
    public static func encode(offset: Int) -> String {
        Data("{\"offset\": \(offset)}".utf8).base64EncodedString()
    }

    /// Decodes a token; nil or empty means the first page.
    /// - Throws: `SkiffError` `invalidParameterValue` "Invalid page token" for anything else.
    public static func decodeOffset(_ token: String?) throws(SkiffError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard token.utf8.count < 1024, let data = Data(base64Encoded: token),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let offset = object["offset"] as? Int, offset >= 0, offset <= maxOffset
        else {
            throw .invalid("Invalid page token, could not base64-decode or parse: '\(token.prefix(100))'")
        }
        return offset
    }
}
