import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The workspace side of a repository: hashes tracked paths (reusing the stat cache), stores them in the cache,
/// and writes cached versions back.
public final class Workspace {
    public let repository: DataRepository
    var statCache: StatCache

    public init(repository: DataRepository) {
        self.repository = repository
        self.statCache = StatCache.load(from: repository.statCachePath)
    }

    /// Writes the stat cache back if it learned anything.
    public func save() throws(DataError) {
        if statCache.isDirty { try statCache.save(to: repository.statCachePath) }
    }

    /// What a tracked path currently is on disk.
    enum State {
        case missing
        case file(FileVersion)
        case directory(DirectoryManifest)
    }

    /// Every regular file below `relative`, as repository-relative paths with their `lstat`, sorted. A symlink,
    /// a device or a pointer file inside is an error: none of them can be versioned faithfully.
    func files(under relative: String) throws(DataError) -> [(path: String, info: FileInfo)] {
        var found: [(path: String, info: FileInfo)] = []
        var pending = [relative]
        while let directory = pending.popLast() {
            for (name, _) in try FileSystem.list(repository.absolute(directory)) {
                if name.hasPrefix("."), name.contains(".skiff-tmp-") { continue }
                let path = "\(directory)/\(name)"
                guard let info = try FileSystem.info(repository.absolute(path)) else { continue }
                switch info.kind {
                case .file:
                    if name.hasSuffix(PointerFile.suffix) {
                        throw DataError(
                            .invalidPath,
                            "\(relative) contains the pointer file \(path): a tracked directory cannot contain "
                                + "other tracked data. Remove that pointer (and its data) first, or track them separately."
                        )
                    }
                    found.append((path, info))
                case .directory: pending.append(path)
                case .symlink:
                    throw DataError(.invalidPath, "\(path) is a symbolic link; Skiff tracks regular files only.")
                case .other:
                    throw DataError(.invalidPath, "\(path) is not a regular file or directory.")
                }
            }
        }
        found.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return found
    }

    /// The versions of `files`, hashed in parallel where the stat cache does not know them. With `store`, each
    /// file's content is also put in the cache (skipped when it is already there).
    func versions(of files: [(path: String, info: FileInfo)], store: Bool) throws(DataError) -> [FileVersion] {
        var results = [FileVersion?](repeating: nil, count: files.count)
        var work: [Int] = []
        for (index, file) in files.enumerated() {
            if let known = statCache.version(of: file.path, info: file.info),
                !store || repository.cache.contains(known.id)
            {
                results[index] = known
            } else {
                work.append(index)
            }
        }
        if work.isEmpty { return results.map { $0! } }

        let started = wallClockNanoseconds()
        let next = Atomic<Int>(0)
        let failure = Mutex<DataError?>(nil)
        let hashed = Mutex<[(Int, FileVersion)]>([])
        let workers = min(work.count, max(1, System.coreCount))
        let repository = self.repository
        let pending = work
        let batch = 16
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let buffer = StreamBuffer()
            var local: [(Int, FileVersion)] = []
            while failure.withLock({ $0 == nil }) {
                let start = next.add(batch, ordering: .relaxed).oldValue
                if start >= pending.count { break }
                for slot in start..<min(start + batch, pending.count) {
                    let index = pending[slot]
                    let file = files[index]
                    let location = repository.absolute(file.path)
                    do throws(DataError) {
                        let version =
                            store
                            ? try repository.cache.insert(fileAt: location, buffer: buffer)
                            : try buffer.stream(location)
                        guard try FileSystem.info(location) == file.info, version.size == file.info.size else {
                            throw DataError(.wouldLoseData, "\(file.path) changed while it was being read; try again.")
                        }
                        local.append((index, version))
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        break
                    }
                }
            }
            hashed.withLock { $0.append(contentsOf: local) }
        }
        for (index, version) in hashed.withLock({ $0 }) {
            results[index] = version
            statCache.record(files[index].path, info: files[index].info, id: version.id, hashedAt: started)
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.map { $0! }
    }

    /// The current state of `relative`; with `store`, its content is put in the cache too.
    func state(of relative: String, store: Bool) throws(DataError) -> State {
        guard let info = try FileSystem.info(repository.absolute(relative)) else { return .missing }
        switch info.kind {
        case .file:
            return .file(try versions(of: [(relative, info)], store: store)[0])
        case .directory:
            let listed = try files(under: relative)
            let versions = try versions(of: listed, store: store)
            let prefix = relative.utf8.count + 1
            let entries = zip(listed, versions).map { file, version in
                DirectoryManifest.Entry(path: String(file.path.utf8.dropFirst(prefix))!, version: version)
            }
            return .directory(DirectoryManifest(entries: entries))
        case .symlink:
            throw DataError(.invalidPath, "\(relative) is a symbolic link; Skiff tracks regular files and directories.")
        case .other:
            throw DataError(.invalidPath, "\(relative) is not a regular file or directory.")
        }
    }

    func forget(_ relative: String) { statCache.forget(relative) }

    func remember(_ relative: String, id: ObjectID) throws(DataError) {
        if let info = try FileSystem.info(repository.absolute(relative)), info.kind == .file {
            statCache.record(relative, info: info, id: id, hashedAt: wallClockNanoseconds())
        }
    }
}

enum System {
    static var coreCount: Int {
        #if canImport(Glibc)
            return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
            return 2
        #endif
    }
}
