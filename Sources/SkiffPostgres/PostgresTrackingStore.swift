import PostgresNIO
import SkiffCore

/// The PostgreSQL tracking store (in progress).
public struct PostgresTrackingStore: Sendable {
    let client: PostgresClient
}
