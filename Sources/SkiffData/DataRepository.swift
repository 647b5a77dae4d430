#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A directory versioned by Skiff: the root holds `.skiff/` (cache, stat cache, lock, config); tracked files and
/// directories anywhere below it have a `NAME.skiff` pointer beside them.
public struct DataRepository: Sendable {
    /// Absolute, symlinks resolved.
    public let root: String
    public let cache: ObjectCache

    public static let directoryName = ".skiff"

    public var metadataDirectory: String { "\(root)/\(Self.directoryName)" }
    var statCachePath: String { "\(metadataDirectory)/tmp/stat-cache" }
    var lockPath: String { "\(metadataDirectory)/tmp/lock" }

    init(root: String) {
        self.root = root
        self.cache = ObjectCache(root: "\(root)/\(Self.directoryName)/cache")
    }

    /// Creates `.skiff/` in `directory` (which must exist); an existing repository is left as it is.
    @discardableResult
    public static func initialize(at directory: String) throws(DataError) -> DataRepository {
        let root = try resolve(directory)
        let repository = DataRepository(root: root)
        try FileSystem.makeDirectories("\(repository.metadataDirectory)/cache")
        try FileSystem.makeDirectories("\(repository.metadataDirectory)/tmp")
        let ignore = "\(repository.metadataDirectory)/.gitignore"
        if try FileSystem.info(ignore) == nil {
            try FileSystem.writeAtomically(Array("/cache/\n/tmp/\n".utf8), to: ignore)
        }
        return repository
    }

    /// The repository containing `directory` (searching its parents).
    public static func find(from directory: String) throws(DataError) -> DataRepository {
        var candidate = try resolve(directory)
        while true {
            if try FileSystem.info("\(candidate)/\(directoryName)")?.kind == .directory {
                return DataRepository(root: candidate)
            }
            guard candidate != "/", let slash = candidate.lastIndex(of: "/") else { break }
            candidate = slash == candidate.startIndex ? "/" : String(candidate[..<slash])
        }
        throw DataError(
            .notARepository, "\(directory) is not inside a Skiff data repository: run `skiff data init` at its root.")
    }

    static func resolve(_ path: String) throws(DataError) -> String {
        guard let resolved = realpath(path, nil) else {
            if errno == ENOENT { throw DataError(.missing, "\(path) does not exist.") }
            throw FileSystem.error("resolve", path)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The absolute path of a repository-relative path.
    public func absolute(_ relative: String) -> String {
        relative.isEmpty ? root : "\(root)/\(relative)"
    }

    /// The repository-relative path a user's argument names (relative to `workingDirectory`), refusing anything
    /// outside the repository or inside `.skiff`/`.git`. A pointer file's name stands for what it tracks.
    public func target(_ argument: String, workingDirectory: String) throws(DataError) -> String {
        var path = argument.hasPrefix("/") ? argument : "\(workingDirectory)/\(argument)"
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix(PointerFile.suffix), path.count > PointerFile.suffix.count {
            path.removeLast(PointerFile.suffix.count)
        }
        // The parent's symlinks are resolved; the last component is taken as written, so `add` of a symlink is
        // refused as a symlink rather than silently adding what it points to.
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        guard let name = components.popLast() else {
            throw DataError(.invalidPath, "'\(argument)' names the file-system root, which cannot be tracked.")
        }
        let parent = "/" + components.joined(separator: "/")
        let resolvedParent: String
        do { resolvedParent = try Self.resolve(parent) } catch {
            throw DataError(.missing, "'\(argument)': the directory \(parent) does not exist.")
        }
        let full = resolvedParent == "/" ? "/\(name)" : "\(resolvedParent)/\(name)"
        guard full.hasPrefix(root + "/") else {
            throw DataError(.invalidPath, "'\(argument)' is outside the data repository at \(root).")
        }
        let relative = String(full.dropFirst(root.count + 1))
        let first = relative.split(separator: "/").first.map(String.init) ?? relative
        guard first != Self.directoryName, first != ".git" else {
            throw DataError(.invalidPath, "'\(argument)' is inside \(first)/, which Skiff does not track.")
        }
        return relative
    }

    public func pointerPath(for relative: String) -> String { absolute(relative) + PointerFile.suffix }

    public func readPointer(for relative: String) throws(DataError) -> PointerFile? {
        let location = pointerPath(for: relative)
        guard try FileSystem.info(location) != nil else { return nil }
        let pointer = try PointerFile.decode(
            try FileSystem.readAll(location, limit: PointerFile.sizeLimit + 1), location: relative + PointerFile.suffix)
        guard pointer.path == Self.name(of: relative) else {
            throw DataError(
                .invalidMetadata,
                "\(relative)\(PointerFile.suffix) tracks '\(pointer.path)', not '\(Self.name(of: relative))'; "
                    + "a pointer file must be named after what it tracks.")
        }
        return pointer
    }

    static func name(of relative: String) -> String {
        relative.lastIndex(of: "/").map { String(relative[relative.index(after: $0)...]) } ?? relative
    }

    static func parent(of relative: String) -> String {
        relative.lastIndex(of: "/").map { String(relative[..<$0]) } ?? ""
    }

    /// The tracked path (a directory with a pointer) that contains `relative`, if any.
    func trackedAncestor(of relative: String) throws(DataError) -> String? {
        var current = Self.parent(of: relative)
        while !current.isEmpty {
            if try FileSystem.info(pointerPath(for: current)) != nil { return current }
            current = Self.parent(of: current)
        }
        return nil
    }

    /// Every tracked path in the repository (from its pointer files), sorted. Tracked directories are not
    /// descended into, nor are `.git` and `.skiff`.
    public func trackedPaths() throws(DataError) -> [String] {
        var found: [String] = []
        var pending = [""]
        while let directory = pending.popLast() {
            let entries = try FileSystem.list(absolute(directory))
            let names = Set(entries.map(\.name))
            for (name, kind) in entries {
                let relative = directory.isEmpty ? name : "\(directory)/\(name)"
                if name.hasSuffix(PointerFile.suffix), name.count > PointerFile.suffix.count {
                    let tracked = String(relative.dropLast(PointerFile.suffix.count))
                    found.append(tracked)
                    continue
                }
                if directory.isEmpty, name == Self.directoryName || name == ".git" { continue }
                if names.contains(name + PointerFile.suffix) { continue }
                var isDirectory = kind == .directory
                if kind == nil { isDirectory = try FileSystem.info(absolute(relative))?.kind == .directory }
                if isDirectory { pending.append(relative) }
            }
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Adds `/NAME` to the `.gitignore` beside a tracked path, so git keeps the pointer and not the data.
    func ignoreInGit(_ relative: String) throws(DataError) {
        let directory = Self.parent(of: relative)
        let file = absolute(directory.isEmpty ? ".gitignore" : "\(directory)/.gitignore")
        let line = "/" + Self.gitIgnorePattern(Self.name(of: relative))
        var existing: [UInt8] = []
        if try FileSystem.info(file) != nil { existing = try FileSystem.readAll(file, limit: 16 << 20) }
        let text = String(decoding: existing, as: UTF8.self)
        if text.split(separator: "\n", omittingEmptySubsequences: true).contains(where: { $0 == line }) { return }
        var updated = existing
        if let last = updated.last, last != 0x0A { updated.append(0x0A) }
        updated.append(contentsOf: Array((line + "\n").utf8))
        try FileSystem.writeAtomically(updated, to: file)
    }

    /// A gitignore pattern that matches exactly `name`.
    static func gitIgnorePattern(_ name: String) -> String {
        var pattern = ""
        for character in name {
            if "*?[\\".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        if pattern.hasPrefix("#") || pattern.hasPrefix("!") { pattern = "\\" + pattern }
        if pattern.hasSuffix(" ") { pattern = String(pattern.dropLast()) + "\\ " }
        return pattern
    }

    /// Runs `body` holding the repository's lock, so two commands never interleave their writes to the same
    /// pointers and stat cache. Waits up to `timeout` seconds for another command to finish.
    public func withLock<T>(timeout: Double = 10, _ body: () throws(DataError) -> T) throws(DataError) -> T {
        try FileSystem.makeDirectories("\(metadataDirectory)/tmp")
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystem.error("open", lockPath) }
        defer { close(fd) }
        let deadline = wallClockNanoseconds() + Int64(timeout * 1e9)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw FileSystem.error("lock", lockPath) }
            guard wallClockNanoseconds() < deadline else {
                throw DataError(
                    .locked,
                    "Another skiff data command is working in \(root) (it holds \(lockPath)); try again when it ends.")
            }
            usleep(20_000)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
