import Foundation

/// The pointer files recorded in a git repository's history, read with the `git` command.
enum GitHistory {
    /// Every distinct pointer file (by blob) in any commit reachable from any ref, or nil when `root` is not in
    /// a git work tree. `root` may be a subdirectory of the git repository.
    static func pointers(root: String) throws(DataError) -> [(path: String, bytes: [UInt8])]? {
        guard let prefixBytes = try? run(["rev-parse", "--show-prefix"], in: root) else { return nil }
        let prefix = String(decoding: prefixBytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        let commits = String(decoding: try run(["rev-list", "--all"], in: root), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        var blobs: [String: String] = [:]
        for commit in commits {
            let listing = try run(["ls-tree", "-r", "-z", "--full-tree", commit], in: root)
            for record in listing.split(separator: 0) {
                // "<mode> <type> <object>\t<path>"
                guard let tab = record.firstIndex(of: 0x09) else { continue }
                let fields = record[..<tab].split(separator: 0x20)
                let path = String(decoding: record[(tab + 1)...], as: UTF8.self)
                guard fields.count == 3, fields[1].elementsEqual("blob".utf8), path.hasPrefix(prefix),
                    path.hasSuffix(PointerFile.suffix), !path.dropFirst(prefix.count).hasPrefix(".skiff/")
                else { continue }
                blobs[String(decoding: fields[2], as: UTF8.self), default: path] = path
            }
        }
        return try blobs.sorted { $0.key < $1.key }.map { blob, path throws(DataError) in
            (String(path.dropFirst(prefix.count)), try run(["cat-file", "blob", blob], in: root))
        }
    }

    private static func run(_ arguments: [String], in directory: String) throws(DataError) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw DataError(.git, "Could not run git: \(error).") }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DataError(.git, "`git \(arguments.joined(separator: " "))` failed in \(directory).")
        }
        return Array(bytes)
    }
}
