import SkiffCore
import SkiffPostgres
import SkiffStudies
import SkiffTesting
import SkiffTune
import Testing

@Suite("PostgreSQL registry and study stores", .enabled(if: TestDatabase.enabled))
struct PostgresRegistryAndStudyTests {
    @Test("conforms to the registry store suite", arguments: RegistryStoreConformance.checks)
    func registry(_ check: RegistryStoreConformance.Check) async throws {
        try await TestDatabase.withStore { store in try await check.run(store) }
    }

    @Test("conforms to the study store suite", arguments: StudyStoreConformance.checks)
    func studies(_ check: StudyStoreConformance.Check) async throws {
        try await TestDatabase.withStore { store in try await check.run(store) }
    }

    @Test("concurrent version creates through two replicas get contiguous numbers, none twice")
    func contiguousVersions() async throws {
        try await TestDatabase.withStores(count: 2) { stores in
            _ = try await stores[0].createRegisteredModel(name: "m", description: nil, tags: [], userID: nil, time: 1)
            let numbers = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var mine: [Int64] = []
                        for _ in 0..<10 {
                            let version = try await stores[task % 2].createModelVersion(
                                NewModelVersion(
                                    name: "m", source: "s3://b/m", storageLocation: "s3://b/m", runID: nil,
                                    runLink: nil, modelID: nil, description: nil, userID: nil, tags: [], time: 1))
                            mine.append(version.version)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(numbers.sorted() == Array(1...80))
            let listed = try await stores[1].searchModelVersions(ModelVersionQuery(maxResults: 1000))
            #expect(listed.items.map(\.version).sorted() == Array(1...80))
        }
    }

    @Test("concurrent trial creates through two replicas are numbered densely")
    func contiguousTrials() async throws {
        try await TestDatabase.withStores(count: 2) { stores in
            let settings = try StudySettings(name: "s", spaceText: "x: {type: int, low: 0, high: 9}", seed: 1)
            let (study, _) = try await stores[0].createStudy(settings, time: 1)
            let (again, created) = try await stores[1].createStudy(settings, time: 2)
            #expect(!created && again.id == study.id)
            let space = study.settings.space
            let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<40 {
                    group.addTask {
                        try await stores[task % 2].createTrial(
                            studyID: study.id, params: ["x": .int(task % 10)], space: space, state: .running,
                            retryOf: nil, time: 1
                        ).number
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(numbers.sorted() == Array(0..<40))
        }
    }

    @Test("stale trials failed from two replicas at once are each failed exactly once")
    func staleOnce() async throws {
        try await TestDatabase.withStores(count: 2) { stores in
            let settings = try StudySettings(name: "stale", spaceText: "x: {type: int, low: 0, high: 9}", seed: 1)
            let (study, _) = try await stores[0].createStudy(settings, time: 1)
            for i in 0..<20 {
                _ = try await stores[0].createTrial(
                    studyID: study.id, params: ["x": .int(i % 10)], space: study.settings.space, state: .running,
                    retryOf: nil, time: 100)
            }
            let failed = try await withThrowingTaskGroup(of: [Int].self) { group in
                for task in 0..<6 {
                    group.addTask {
                        try await stores[task % 2].failStaleTrials(studyID: study.id, heartbeatBefore: 200, time: 300)
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(failed.sorted() == Array(0..<20))
        }
    }

    @Test("the study lock admits one replica at a time")
    func studyLock() async throws {
        try await TestDatabase.withStores(count: 2) { stores in
            let counter = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        try await counter.run(stores[task % 2])
                    }
                }
                try await group.waitForAll()
            }
            #expect(await counter.maximum == 1)
            #expect(await counter.entries == 8)
        }
    }

    @Test("webhooks are stored, listed in pages, updated and deleted")
    func webhooks() async throws {
        try await TestDatabase.withStore { store in
            for i in 0..<3 {
                try await store.createWebhook(
                    Webhook(
                        id: "w\(i)", name: "hook \(i)", description: nil, url: "https://example.com/\(i)",
                        events: [WebhookEvent(entity: .modelVersion, action: .created)], secret: "s",
                        status: i == 2 ? .disabled : .active, creationTimestamp: Int64(i), lastUpdatedTimestamp: 0))
            }
            let first = try await store.listWebhooks(maxResults: 2, offset: 0)
            #expect(first.items.map(\.id) == ["w0", "w1"])
            #expect(first.nextPageToken != nil)
            #expect(try await store.activeWebhooks(for: .modelVersion, .created).map(\.id) == ["w0", "w1"])
            var hook = try await store.webhook(id: "w1")
            hook.status = .disabled
            try await store.updateWebhook(hook)
            #expect(try await store.activeWebhooks(for: .modelVersion, .created).map(\.id) == ["w0"])
            try await store.deleteWebhook(id: "w0")
            let missing = await #expect(throws: SkiffError.self) { _ = try await store.webhook(id: "w0") }
            #expect(missing?.code == .resourceDoesNotExist)
            let again = await #expect(throws: SkiffError.self) { try await store.deleteWebhook(id: "w0") }
            #expect(again?.code == .resourceDoesNotExist)
        }
    }
}

/// Counts how many holders of the study lock overlap.
actor Counter {
    private(set) var inside = 0
    private(set) var maximum = 0
    private(set) var entries = 0

    func run(_ store: PostgresTrackingStore) async throws {
        try await store.withStudyLock(studyID: 42, isolation: self) {
            inside += 1
            entries += 1
            maximum = max(maximum, inside)
            try await Task.sleep(for: .milliseconds(20))
            inside -= 1
        }
    }
}
