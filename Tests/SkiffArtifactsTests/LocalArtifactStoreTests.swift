import Foundation
import SkiffArtifacts
import SkiffCore
import SkiffTesting
import Testing

@Suite("Local artifact store")
struct LocalArtifactStoreTests {
    func makeStore() throws -> (LocalArtifactStore, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-art-\(UUID().uuidString)").path
        return (try LocalArtifactStore(root: dir + "/root"), dir)
    }

    @Test("conforms to the artifact store suite", arguments: ArtifactStoreConformance.checks)
    func conforms(_ check: ArtifactStoreConformance.Check) async throws {
        try await check.run(try makeStore().0)
    }

    @Test("missing files are not found; directories are not files")
    func missing() async throws {
        let (store, _) = try makeStore()
        try await ArtifactStoreConformance.put(store, "d/x", "1")
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
