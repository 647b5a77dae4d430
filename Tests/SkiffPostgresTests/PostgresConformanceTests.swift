import SkiffCore
import SkiffPostgres
import SkiffTesting
import Testing

@Suite("PostgreSQL tracking store", .enabled(if: TestDatabase.enabled))
struct PostgresConformanceTests {
    @Test("conforms to the tracking store suite", arguments: TrackingStoreConformance.checks)
    func conforms(_ check: TrackingStoreConformance.Check) async throws {
        try await TestDatabase.withStore { store in try await check.run(store) }
    }

    @Test("preparing twice keeps every write and does not re-run migrations")
    func reprepare() async throws {
        try await TestDatabase.withStore { store in
            let id = try await store.createExperiment(name: "kept", artifactLocation: nil, tags: [], time: 1)
            try await store.prepare()
            #expect(try await store.experiment(id: id).name == "kept")
            #expect(try await store.experiment(id: "0").name == "Default")
        }
    }
}
