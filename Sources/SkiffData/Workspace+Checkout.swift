/// What `checkout` did to one tracked path.
public struct CheckoutResult: Sendable {
    public var tracked: String
    /// Files written from the cache.
    public var written: [String]
    /// Files removed because the recorded version does not have them.
    public var removed: [String]
}

extension Workspace {
    /// Makes the workspace match the pointer of `tracked`, writing files from the cache (each checked against its
    /// hash on the way). A file whose current content exists nowhere else (not in the cache) is never
    /// overwritten or removed unless `force` is set; such files are all listed before anything changes.
    public func checkout(_ tracked: String, force: Bool = false) throws(DataError) -> CheckoutResult {
        guard let pointer = try repository.readPointer(for: tracked) else {
            throw DataError(.missing, "\(tracked) is not tracked (there is no \(tracked)\(PointerFile.suffix)).")
        }
        let cache = repository.cache
        let current = try state(of: tracked, store: false)
        var result = CheckoutResult(tracked: tracked, written: [], removed: [])
        var unsaved: [String] = []
        func mustKeep(_ path: String, _ version: FileVersion) {
            if !force, !cache.contains(version.id) { unsaved.append(path) }
        }

        switch pointer.kind {
        case .file:
            guard cache.contains(pointer.id) else { throw notInCache(tracked, pointer.id) }
            switch current {
            case .file(let version) where version.id == pointer.id:
                return result
            case .file(let version):
                mustKeep(tracked, version)
            case .directory(let manifest):
                for entry in manifest.entries { mustKeep("\(tracked)/\(entry.path)", entry.version) }
            case .missing:
                break
            }
            try refuse(unsaved)
            if case .directory(let manifest) = current {
                try removeTree(tracked, manifest: manifest)
            }
            try cache.materialize(pointer.id, to: repository.absolute(tracked), buffer: StreamBuffer())
            try remember(tracked, id: pointer.id)
            result.written.append(tracked)

        case .directory:
            guard cache.contains(pointer.id) else { throw notInCache(tracked, pointer.id) }
            let recorded = try DirectoryManifest.decode(try cache.read(pointer.id), id: pointer.id)
            let missingObjects = recorded.entries.filter { !cache.contains($0.version.id) }
            if let first = missingObjects.first {
                throw DataError(
                    .notInCache,
                    "\(missingObjects.count) file(s) of \(tracked) are not in the cache (the first is "
                        + "\(tracked)/\(first.path)); pull them or add the data again.")
            }
            var existing: [String: FileVersion] = [:]
            switch current {
            case .file(let version):
                mustKeep(tracked, version)
            case .directory(let manifest):
                for entry in manifest.entries { existing[entry.path] = entry.version }
            case .missing:
                break
            }
            let wanted = Dictionary(uniqueKeysWithValues: recorded.entries.map { ($0.path, $0.version) })
            for (path, version) in existing where wanted[path] != version { mustKeep("\(tracked)/\(path)", version) }
            try refuse(unsaved)

            if case .file = current { try FileSystem.remove(repository.absolute(tracked)) }
            for (path, version) in existing where wanted[path] == nil {
                _ = version
                try FileSystem.remove(repository.absolute("\(tracked)/\(path)"))
                forget("\(tracked)/\(path)")
                result.removed.append("\(tracked)/\(path)")
            }
            let buffer = StreamBuffer()
            try FileSystem.makeDirectories(repository.absolute(tracked))
            for entry in recorded.entries where existing[entry.path] != entry.version {
                let relative = "\(tracked)/\(entry.path)"
                let parent = DataRepository.parent(of: relative)
                try FileSystem.makeDirectories(repository.absolute(parent))
                try cache.materialize(entry.version.id, to: repository.absolute(relative), buffer: buffer)
                try remember(relative, id: entry.version.id)
                result.written.append(relative)
            }
        }
        result.removed.sort()
        return result
    }

    private func notInCache(_ tracked: String, _ id: ObjectID) -> DataError {
        DataError(.notInCache, "The recorded version of \(tracked) (\(id)) is not in the cache; pull it first.")
    }

    private func refuse(_ unsaved: [String]) throws(DataError) {
        guard !unsaved.isEmpty else { return }
        let shown = unsaved.sorted().prefix(10).joined(separator: ", ")
        let more = unsaved.count > 10 ? " and \(unsaved.count - 10) more" : ""
        throw DataError(
            .wouldLoseData,
            "Checkout would overwrite or remove changes that are not saved anywhere: \(shown)\(more). "
                + "Add them first (`skiff data add`) to keep them, or pass --force to discard them.")
    }

    private func removeTree(_ tracked: String, manifest: DirectoryManifest) throws(DataError) {
        for entry in manifest.entries {
            try FileSystem.remove(repository.absolute("\(tracked)/\(entry.path)"))
            forget("\(tracked)/\(entry.path)")
        }
        // Deepest directories first; a directory that still holds something else stays.
        var directories = Set<String>()
        for entry in manifest.entries {
            var parent = DataRepository.parent(of: "\(tracked)/\(entry.path)")
            while parent.utf8.count >= tracked.utf8.count {
                directories.insert(parent)
                if parent == tracked { break }
                parent = DataRepository.parent(of: parent)
            }
        }
        directories.insert(tracked)
        for directory in directories.sorted(by: { $0.utf8.count > $1.utf8.count }) {
            _ = try? FileSystem.removeDirectory(repository.absolute(directory))
        }
    }
}
