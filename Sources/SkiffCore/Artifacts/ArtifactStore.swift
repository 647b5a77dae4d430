import NIOCore

/// Storage for run and model artifacts: a local directory or an S3-compatible bucket.
///
/// Paths are always `ArtifactPath`s, already proven to stay inside the store's root. Writes are atomic:
/// a reader never sees half a file. Bytes stream both ways in chunks, so memory is bounded by a chunk
/// (or an upload part), never by the file.
public protocol ArtifactStore: Sendable {
    /// Lists one level below `path`: nil when no directory is there.
    func list(_ path: ArtifactPath) async throws -> [ArtifactEntry]?
    /// Starts writing a file; nothing is visible at `path` until `commit()`.
    func beginUpload(_ path: ArtifactPath) async throws -> any ArtifactUpload
    /// Opens a file for streaming.
    /// - Throws: `resourceDoesNotExist` when there is no file at `path`.
    func open(_ path: ArtifactPath) async throws -> any ArtifactDownload
    /// Deletes a file or a directory tree; deleting nothing is not an error.
    func delete(_ path: ArtifactPath) async throws
}

/// One entry of a directory listing.
public struct ArtifactEntry: Sendable, Equatable {
    /// The basename.
    public var name: String
    public var isDirectory: Bool
    /// Size in bytes; nil for directories.
    public var size: Int64?

    /// Creates an entry.
    public init(name: String, isDirectory: Bool, size: Int64?) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
    }
}

/// A file being written. Used by one task at a time.
public protocol ArtifactUpload: AnyObject, Sendable {
    /// Appends bytes.
    func write(_ bytes: ByteBuffer) async throws
    /// Makes the file visible at its path, replacing any previous one atomically.
    func commit() async throws
    /// Discards what was written.
    func abort() async
}

/// A file being read. Used by one task at a time.
public protocol ArtifactDownload: AnyObject, Sendable {
    /// Total size in bytes.
    var size: Int64 { get }
    /// Modification time, seconds since the Unix epoch.
    var modificationTime: Int64 { get }
    /// The next chunk of the file; nil at the end.
    func next() async throws -> ByteBuffer?
    /// Releases the file (and any connection behind it) before the end was read.
    func close() async
}
