/// How a tracked path (or a file inside a tracked directory) differs from its pointer.
public enum DataChange: String, Sendable {
    case modified
    case added
    case deleted
    /// The pointer names content the cache does not hold (pull it, or add the data again).
    case notInCache = "not in cache"
}

public struct DataStatus: Sendable {
    /// The tracked path (its pointer is this plus `.skiff`).
    public var tracked: String
    /// Sorted by path; empty when the workspace matches the pointer and the cache holds its content.
    public var changes: [(path: String, change: DataChange)]
}

extension Workspace {
    /// Compares each tracked path with its pointer. Files the stat cache knows are not read again.
    public func status(of tracked: String) throws(DataError) -> DataStatus {
        guard let pointer = try repository.readPointer(for: tracked) else {
            throw DataError(.missing, "\(tracked) is not tracked (there is no \(tracked)\(PointerFile.suffix)).")
        }
        var changes: [(path: String, change: DataChange)] = []
        let current = try state(of: tracked, store: false)
        switch (pointer.kind, current) {
        case (_, .missing):
            changes.append((tracked, .deleted))
        case (.file, .file(let version)):
            if version.id != pointer.id { changes.append((tracked, .modified)) }
        case (.directory, .directory(let manifest)):
            guard repository.cache.contains(pointer.id) else {
                changes.append((tracked, .notInCache))
                if ObjectID.of(manifest.encoded()) != pointer.id { changes.append((tracked, .modified)) }
                break
            }
            let recorded = try DirectoryManifest.decode(try repository.cache.read(pointer.id), id: pointer.id)
            changes += Self.compare(recorded: recorded, current: manifest, under: tracked)
            for entry in recorded.entries where !repository.cache.contains(entry.version.id) {
                changes.append(("\(tracked)/\(entry.path)", .notInCache))
            }
        default:
            changes.append((tracked, .modified))
        }
        if pointer.kind == .file, !repository.cache.contains(pointer.id) { changes.append((tracked, .notInCache)) }
        changes.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return DataStatus(tracked: tracked, changes: changes)
    }

    /// Added, deleted and modified files between two manifests of the same directory (both sorted).
    static func compare(recorded: DirectoryManifest, current: DirectoryManifest, under prefix: String)
        -> [(path: String, change: DataChange)]
    {
        var changes: [(path: String, change: DataChange)] = []
        let old = recorded.entries
        let new = current.entries
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && old[i].path.utf8.lexicographicallyPrecedes(new[j].path.utf8)) {
                changes.append(("\(prefix)/\(old[i].path)", .deleted))
                i += 1
            } else if i == old.count || new[j].path.utf8.lexicographicallyPrecedes(old[i].path.utf8) {
                changes.append(("\(prefix)/\(new[j].path)", .added))
                j += 1
            } else {
                if old[i].version != new[j].version { changes.append(("\(prefix)/\(new[j].path)", .modified)) }
                i += 1
                j += 1
            }
        }
        return changes
    }
}
