extension Workspace {
    /// Puts the content of `relative` (a file or a directory) in the cache and writes its pointer file beside it,
    /// adding it to the `.gitignore` there. Adding an unchanged path again rewrites nothing.
    @discardableResult
    public func add(_ relative: String) throws(DataError) -> PointerFile {
        if let ancestor = try repository.trackedAncestor(of: relative) {
            throw DataError(
                .invalidPath,
                "\(relative) is inside \(ancestor), which \(ancestor)\(PointerFile.suffix) already tracks; "
                    + "add \(ancestor) again to record the change.")
        }
        let name = DataRepository.name(of: relative)
        let pointer: PointerFile
        switch try state(of: relative, store: true) {
        case .missing:
            throw DataError(.missing, "\(relative) does not exist.")
        case .file(let version):
            pointer = PointerFile(path: name, kind: .file, id: version.id, size: version.size, fileCount: 1)
        case .directory(let manifest):
            let id = try repository.cache.insert(bytes: manifest.encoded())
            pointer = PointerFile(
                path: name, kind: .directory, id: id, size: manifest.totalSize, fileCount: manifest.entries.count)
        }
        if try repository.readPointer(for: relative) != pointer {
            try FileSystem.writeAtomically(pointer.encoded(), to: repository.pointerPath(for: relative))
        }
        try repository.ignoreInGit(relative)
        return pointer
    }
}
