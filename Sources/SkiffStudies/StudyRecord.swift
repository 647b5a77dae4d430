/// A stored study: its settings plus what the store assigned.
public struct StudyRecord: Sendable, Hashable {
    /// The store's identifier.
    public var id: Int64
    /// The study's settings; `seed` is always set once stored.
    public var settings: StudySettings
    /// Creation time in milliseconds since the epoch.
    public var creationTime: Int64

    /// Creates a record.
    /// - Parameters:
    ///   - id: The store's identifier.
    ///   - settings: The settings.
    ///   - creationTime: Milliseconds since the epoch.
    public init(id: Int64, settings: StudySettings, creationTime: Int64) {
        self.id = id
        self.settings = settings
        self.creationTime = creationTime
    }
}
