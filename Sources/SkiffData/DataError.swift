/// Why a data-versioning command could not do what it was asked.
///
/// Every message names the path (relative to the repository root where there is one) and says what to do
/// next; nothing in the workspace or the cache is changed by the operation that throws.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// No `.skiff` directory here or in any parent (run `skiff data init`).
        case notARepository
        /// A path outside the repository, inside `.skiff`/`.git`, or otherwise not trackable.
        case invalidPath
        /// A file or directory that does not exist.
        case missing
        /// A pointer file or manifest that cannot be parsed or breaks the format's rules.
        case invalidMetadata
        /// A cached object whose bytes no longer hash to its name.
        case corruptObject
        /// An object a pointer needs is not in the cache (pull it, or add the data again).
        case notInCache
        /// The operation would overwrite or delete data that exists nowhere else.
        case wouldLoseData
        /// Another command holds the repository lock.
        case locked
        /// A remote refused a request or sent something it should not have.
        case remote
        /// `git` failed or is not installed.
        case git
        /// A system call failed (the message carries `strerror`).
        case io
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
