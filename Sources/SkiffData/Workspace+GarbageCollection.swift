/// What `collectGarbage` removed (or, in a dry run, would remove).
public struct GarbageCollection: Sendable {
    public var removedObjects: Int
    public var removedBytes: Int64
    public var keptObjects: Int
    /// Pointers whose directory manifest is not in the cache, so their files could not be kept by name.
    public var unexpandedDirectories: [String]
}

extension Workspace {
    /// Removes cache objects that no pointer references: neither in the workspace nor, unless `workspaceOnly`,
    /// in any commit of the git history. Leftover temporary files of interrupted commands go too.
    public func collectGarbage(workspaceOnly: Bool, dryRun: Bool) throws(DataError) -> GarbageCollection {
        var pointers: [(String, PointerFile)] = []
        for tracked in try repository.trackedPaths() {
            if let pointer = try repository.readPointer(for: tracked) { pointers.append((tracked, pointer)) }
        }
        if !workspaceOnly, let history = try GitHistory.pointers(root: repository.root) {
            for (path, bytes) in history {
                // A pointer in history that does not parse references nothing this cache could hold.
                if let pointer = try? PointerFile.decode(bytes, location: path) { pointers.append((path, pointer)) }
            }
        }
        let cache = repository.cache
        var keep = Set<ObjectID>()
        var unexpanded: [String] = []
        for (path, pointer) in pointers {
            keep.insert(pointer.id)
            guard pointer.kind == .directory else { continue }
            guard cache.contains(pointer.id), let bytes = try? cache.read(pointer.id) else {
                unexpanded.append(path)
                continue
            }
            for entry in try DirectoryManifest.decode(bytes, id: pointer.id).entries { keep.insert(entry.version.id) }
        }
        var result = GarbageCollection(removedObjects: 0, removedBytes: 0, keptObjects: 0, unexpandedDirectories: [])
        result.unexpandedDirectories = Array(Set(unexpanded)).sorted()
        for id in try cache.allObjects() {
            if keep.contains(id) {
                result.keptObjects += 1
                continue
            }
            result.removedObjects += 1
            result.removedBytes += try FileSystem.info(cache.path(of: id))?.size ?? 0
            if !dryRun { try cache.remove(id) }
        }
        if !dryRun {
            let staging = "\(cache.root)/staging"
            if try FileSystem.info(staging)?.kind == .directory {
                for (name, _) in try FileSystem.list(staging) { try FileSystem.remove("\(staging)/\(name)") }
            }
        }
        return result
    }
}
