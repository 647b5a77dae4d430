import Foundation
import SkiffCore
import SkiffSQLite
import SkiffTesting
import Testing

@Suite("SQLite tracking store")
struct SQLiteConformanceTests {
    static func freshStore() throws -> SQLiteTrackingStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try SQLiteTrackingStore(path: dir.appendingPathComponent("skiff.db").path)
    }

    @Test("conforms to the tracking store suite", arguments: TrackingStoreConformance.checks)
    func conforms(_ check: TrackingStoreConformance.Check) async throws {
        try await check.run(try Self.freshStore())
    }

    @Test("reopening a database keeps every write and does not re-run migrations")
    func reopen() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-reopen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("skiff.db").path
        let id: String
        do {
            let store = try SQLiteTrackingStore(path: path)
            id = try await store.createExperiment(name: "kept", artifactLocation: nil, tags: [], time: 1)
        }
        let again = try SQLiteTrackingStore(path: path)
        #expect(try await again.experiment(id: id).name == "kept")
        #expect(try await again.experiment(id: "0").name == "Default")
    }

    @Test("a file that is not a database gives a clear error, not a crash")
    func corruptFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-bad-\(UUID().uuidString).db")
            .path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect(throws: SkiffError.self) { _ = try SQLiteTrackingStore(path: path) }
    }
}

@Suite("SQLite registry store")
struct SQLiteRegistryConformanceTests {
    @Test("conforms to the registry store suite", arguments: RegistryStoreConformance.checks)
    func conforms(_ check: RegistryStoreConformance.Check) async throws {
        try await check.run(try SQLiteConformanceTests.freshStore())
    }
}
