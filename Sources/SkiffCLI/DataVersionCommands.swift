import ArgumentParser
import Foundation
import SkiffData
import SkiffJSON

/// Runs a data-versioning command body, turning a `DataError` into its message and exit code 1.
private func reportingDataErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as DataError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}

private var workingDirectory: String { FileManager.default.currentDirectoryPath }

/// The repository around the working directory, and the repository-relative paths the arguments name (every
/// tracked path when there are none).
private func open(_ arguments: [String]) throws -> (Workspace, [String]) {
    let repository = try DataRepository.find(from: workingDirectory)
    let workspace = Workspace(repository: repository)
    let targets =
        try arguments.isEmpty
        ? repository.trackedPaths()
        : arguments.map { argument throws(DataError) in
            try repository.target(argument, workingDirectory: workingDirectory)
        }
    return (workspace, targets)
}

private func printJSON(_ write: (inout JSONWriter) -> Void) {
    var writer = JSONWriter()
    write(&writer)
    print(String(decoding: writer.bytes, as: UTF8.self))
}

struct DataInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make the current directory a Skiff data repository (creates .skiff/).",
        discussion: """
            Run it once at the root of a project (usually the git repository's root). The cache lives in \
            .skiff/cache and is ignored by git; commit .skiff/.gitignore and the NAME.skiff pointer files.

            Example:
              git init && skiff data init && skiff data add data/raw.csv
            """
    )

    func run() throws {
        try reportingDataErrors {
            let repository = try DataRepository.initialize(at: workingDirectory)
            print("Initialized a Skiff data repository in \(repository.metadataDirectory)")
        }
    }
}

struct DataAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Version files or directories: cache their content and write NAME.skiff pointers to commit.",
        discussion: """
            Content is named by SHA-256. A directory is versioned as a whole (its manifest lists every file). The \
            data itself is added to the .gitignore beside it; commit the pointer instead. Adding an unchanged path \
            again reads nothing (a stat cache remembers each file's hash).

            Examples:
              skiff data add data/raw.csv
              skiff data add data/images models/weights.bin
            """
    )

    @Argument(help: "Files or directories to version.")
    var paths: [String]

    @Flag(name: .long, help: "Print the pointers as JSON.")
    var json = false

    func run() throws {
        try reportingDataErrors {
            let (workspace, targets) = try open(paths)
            let pointers = try workspace.repository.withLock { () throws(DataError) -> [(String, PointerFile)] in
                var added: [(String, PointerFile)] = []
                defer { try? workspace.save() }
                for target in targets { added.append((target, try workspace.add(target))) }
                return added
            }
            if json {
                printJSON { writer in
                    writer.beginArray()
                    for (target, pointer) in pointers {
                        writer.beginObject()
                        writer.field("path", target)
                        writer.field("type", pointer.kind.rawValue)
                        writer.field("sha256", pointer.id.hex)
                        writer.field("size", pointer.size)
                        writer.field("nfiles", Int64(pointer.fileCount))
                        writer.endObject()
                    }
                    writer.endArray()
                }
                return
            }
            for (target, pointer) in pointers {
                let files = pointer.kind == .directory ? ", \(pointer.fileCount) files" : ""
                print("Added \(target) (\(pointer.size) bytes\(files)) → \(target).skiff")
            }
            print(
                "Commit the pointer file(s) and the .gitignore beside them, e.g.: git add \(pointers.map { "\($0.0).skiff" }.joined(separator: " "))"
            )
        }
    }
}

struct DataStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show tracked data that differs from its pointer, or whose content is not in the cache.",
        discussion: """
            Without paths every tracked path in the repository is checked. Exit code 0 whether or not anything \
            changed (use --json to read the changes); 1 on an error.

            Example:
              skiff data status data/images
            """
    )

    @Argument(help: "Tracked paths to check (default: all).")
    var paths: [String] = []

    @Flag(name: .long, help: "Print the changes as JSON.")
    var json = false

    func run() throws {
        try reportingDataErrors {
            let (workspace, targets) = try open(paths)
            let statuses = try workspace.repository.withLock { () throws(DataError) -> [DataStatus] in
                defer { try? workspace.save() }
                return try targets.map { target throws(DataError) in try workspace.status(of: target) }
            }
            if json {
                printJSON { writer in
                    writer.beginObject()
                    for status in statuses {
                        writer.key(status.tracked)
                        writer.beginArray()
                        for change in status.changes {
                            writer.beginObject()
                            writer.field("path", change.path)
                            writer.field("change", change.change.rawValue)
                            writer.endObject()
                        }
                        writer.endArray()
                    }
                    writer.endObject()
                }
                return
            }
            let changed = statuses.filter { !$0.changes.isEmpty }
            if changed.isEmpty {
                print(
                    statuses.isEmpty
                        ? "Nothing is tracked yet (skiff data add PATH)." : "Data and pointers are up to date.")
                return
            }
            for status in changed {
                print("\(status.tracked).skiff:")
                for change in status.changes.prefix(50) { print("    \(change.change.rawValue): \(change.path)") }
                if status.changes.count > 50 { print("    … and \(status.changes.count - 50) more (--json lists all)") }
            }
        }
    }
}

struct DataCheckoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout",
        abstract: "Make tracked files and directories match their pointers, from the cache.",
        discussion: """
            Run it after `git checkout` of another commit to bring the data along. Every file written is checked \
            against its hash first; a corrupt cache object is set aside, never written. A local change whose \
            content is not in the cache is not overwritten without --force.

            Example:
              git checkout v1.2 && skiff data checkout
            """
    )

    @Argument(help: "Tracked paths to restore (default: all).")
    var paths: [String] = []

    @Flag(name: .long, help: "Discard local changes that are not saved in the cache.")
    var force = false

    func run() throws {
        try reportingDataErrors {
            let (workspace, targets) = try open(paths)
            let results = try workspace.repository.withLock { () throws(DataError) -> [CheckoutResult] in
                defer { try? workspace.save() }
                return try targets.map { target throws(DataError) in try workspace.checkout(target, force: force) }
            }
            let written = results.reduce(0) { $0 + $1.written.count }
            let removed = results.reduce(0) { $0 + $1.removed.count }
            print(written + removed == 0 ? "Already up to date." : "\(written) file(s) written, \(removed) removed.")
        }
    }
}

struct DataGarbageCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove cached content that no pointer references.",
        discussion: """
            By default everything referenced by the workspace's pointers or by any commit in the git history is \
            kept, so every version you committed can still be checked out. --workspace-only keeps just what the \
            current pointers need (older versions are then gone from this cache).

            Examples:
              skiff data gc --dry-run
              skiff data gc --workspace-only
            """
    )

    @Flag(name: .customLong("workspace-only"), help: "Keep only what the current pointers reference.")
    var workspaceOnly = false

    @Flag(name: .customLong("dry-run"), help: "Report what would be removed without removing it.")
    var dryRun = false

    func run() throws {
        try reportingDataErrors {
            let (workspace, _) = try open([])
            let result = try workspace.repository.withLock { () throws(DataError) -> GarbageCollection in
                try workspace.collectGarbage(workspaceOnly: workspaceOnly, dryRun: dryRun)
            }
            for directory in result.unexpandedDirectories {
                print("warning: the manifest of \(directory) is not in the cache; its files could not be identified")
            }
            let verb = dryRun ? "Would remove" : "Removed"
            print(
                "\(verb) \(result.removedObjects) object(s), \(result.removedBytes) bytes; kept \(result.keptObjects).")
        }
    }
}
