import Foundation
import SkiffArtifacts
import SkiffCore
import Testing

@Suite("Local artifact store")
struct LocalArtifactStoreTests {
    func makeStore() throws -> (LocalArtifactStore, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-art-\(UUID().uuidString)").path
        return (try LocalArtifactStore(root: dir + "/root"), dir)
    }

    func put(_ store: LocalArtifactStore, _ path: String, _ text: String) async throws {
        let upload = try await store.beginUpload(try ArtifactPath(validating: path))
        try Array(text.utf8).withUnsafeBytes { try upload.write($0) }
        try upload.commit()
    }

    func get(_ store: LocalArtifactStore, _ path: String) async throws -> String {
        let file = try await store.open(try ArtifactPath(validating: path))
        defer { file.close() }
        var bytes: [UInt8] = []
        while true {
            let chunk = try file.read(maxBytes: 3)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("write, read, list one level, delete")
    func roundTrip() async throws {
        let (store, _) = try makeStore()
        try await put(store, "a/b/c.txt", "hello")
        try await put(store, "a/top.txt", "x")
        #expect(try await get(store, "a/b/c.txt") == "hello")
        let listing = try #require(try await store.list(try ArtifactPath(validating: "a")))
        #expect(
            listing == [
                ArtifactEntry(name: "b", isDirectory: true, size: nil),
                ArtifactEntry(name: "top.txt", isDirectory: false, size: 1),
            ])
        #expect(try await store.list(try ArtifactPath(validating: "missing")) == nil)
        try await store.delete(try ArtifactPath(validating: "a/b"))
        #expect(try await store.list(try ArtifactPath(validating: "a"))?.map(\.name) == ["top.txt"])
        try await store.delete(try ArtifactPath(validating: "never/was"))
    }

    @Test("an aborted upload leaves nothing and a commit replaces atomically")
    func atomic() async throws {
        let (store, _) = try makeStore()
        try await put(store, "f.txt", "old")
        let upload = try await store.beginUpload(try ArtifactPath(validating: "f.txt"))
        try Array("partial".utf8).withUnsafeBytes { try upload.write($0) }
        #expect(try await get(store, "f.txt") == "old", "readers never see a partial file")
        upload.abort()
        #expect(try await get(store, "f.txt") == "old")
        #expect(try await store.list(.root)?.map(\.name) == ["f.txt"], "no temporary file is left or listed")
    }

    @Test("missing files are not found; directories are not files")
    func missing() async throws {
        let (store, _) = try makeStore()
        try await put(store, "d/x", "1")
        await #expect(throws: SkiffError.self) { _ = try await store.open(try ArtifactPath(validating: "nope")) }
        await #expect(throws: SkiffError.self) { _ = try await store.open(try ArtifactPath(validating: "d")) }
        await #expect(throws: SkiffError.self) { _ = try await store.beginUpload(try ArtifactPath(validating: "d")) }
    }

    @Test("a symlink inside the root that leads outside is refused for every operation")
    func symlinkEscape() async throws {
        let (store, dir) = try makeStore()
        let outside = dir + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "secret".write(toFile: outside + "/s.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: store.root + "/link", withDestinationPath: outside)
        let path = try ArtifactPath(validating: "link/s.txt")
        await #expect(throws: SkiffError.self) { _ = try await store.open(path) }
        await #expect(throws: SkiffError.self) {
            _ = try await store.beginUpload(try ArtifactPath(validating: "link/new.txt"))
        }
        await #expect(throws: SkiffError.self) { try await store.delete(path) }
        await #expect(throws: SkiffError.self) { _ = try await store.list(try ArtifactPath(validating: "link")) }
        #expect(FileManager.default.fileExists(atPath: outside + "/s.txt"))
        #expect(!FileManager.default.fileExists(atPath: outside + "/new.txt"))
    }
}
