import Foundation
import Logging
import NIOCore
import SkiffCore
import SkiffTesting
import Testing

@testable import SkiffArtifacts

/// The artifact store suite against a real S3 API server: `SKIFF_TEST_S3_ENDPOINT` and `SKIFF_TEST_S3_BUCKET`
/// (scripts/test starts moto's server and creates the bucket), with the AWS_* credentials. Each test works under
/// its own random prefix. Without the variables the tests are skipped on a developer's machine, but in CI they
/// run and fail: a skipped S3 test in CI is a failure.
@Suite("S3 artifact store", .enabled(if: TestBucket.enabled))
struct S3ArtifactStoreTests {
    @Test("conforms to the artifact store suite", arguments: ArtifactStoreConformance.checks)
    func conforms(_ check: ArtifactStoreConformance.Check) async throws {
        try await TestBucket.withStore { store in try await check.run(store) }
    }

    @Test("listings and deletes page through more keys than one answer holds")
    func pagination() async throws {
        try await TestBucket.withStore(pageSize: 7) { store in
            for index in 0..<23 { try await ArtifactStoreConformance.put(store, "many/f\(index)", "\(index)") }
            for index in 0..<9 { try await ArtifactStoreConformance.put(store, "many/d\(index)/x", "x") }
            let listing = try #require(try await store.list(try ArtifactPath(validating: "many")))
            #expect(listing.count == 32)
            #expect(listing.filter(\.isDirectory).count == 9)
            try await store.delete(try ArtifactPath(validating: "many"))
            #expect(try await store.list(try ArtifactPath(validating: "many")) == nil)
        }
    }

    @Test("an unknown bucket and an unreachable endpoint fail the start-up check with the reason")
    func checkAccess() async throws {
        guard let endpoint = TestBucket.endpoint else { throw TestBucket.Missing() }
        let missing = S3ArtifactStore(
            configuration: try S3Configuration.resolve(
                uri: "s3://no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())", endpoint: endpoint),
            logger: Logger(label: "test"))
        await #expect(throws: SkiffError.self) { try await missing.checkAccess() }
        try await missing.shutdown()
        let closed = S3ArtifactStore(
            configuration: try S3Configuration.resolve(uri: "s3://bucket", endpoint: "http://127.0.0.1:1"),
            logger: Logger(label: "test"))
        do {
            try await closed.checkAccess()
            Issue.record("a closed port answered")
        } catch let error as SkiffError {
            #expect(error.message.contains("127.0.0.1:1"))
            #expect(!error.message.contains(ProcessInfo.processInfo.environment["AWS_SECRET_ACCESS_KEY"] ?? "\u{0}"))
        }
        try await closed.shutdown()
    }

    @Test("a key longer than S3 allows is refused before any request")
    func longKey() async throws {
        try await TestBucket.withStore { store in
            let long = String(repeating: "a", count: 1100)
            await #expect(throws: SkiffError.self) {
                _ = try await store.beginUpload(try ArtifactPath(validating: long))
            }
        }
    }
}

enum TestBucket {
    static let environment = ProcessInfo.processInfo.environment
    static var endpoint: String? { environment["SKIFF_TEST_S3_ENDPOINT"] }
    static var bucket: String { environment["SKIFF_TEST_S3_BUCKET"] ?? "skiff-test" }
    static var enabled: Bool { endpoint != nil || environment["CI"] != nil }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "SKIFF_TEST_S3_ENDPOINT is not set; scripts/test starts an S3 server and sets it." }
    }

    /// Runs `body` with a store on a fresh prefix, emptied afterwards.
    static func withStore(
        pageSize: Int = 1000, _ body: @Sendable (S3ArtifactStore) async throws -> Void
    ) async throws {
        guard let endpoint else { throw Missing() }
        var configuration = try S3Configuration.resolve(
            uri: "s3://\(bucket)/conformance/\(UUID().uuidString)", endpoint: endpoint)
        configuration.listPageSize = pageSize
        let store = S3ArtifactStore(configuration: configuration, logger: Logger(label: "skiff.test.s3"))
        do {
            try await store.checkAccess()
            try await body(store)
            try await store.delete(.root)
        } catch {
            try? await store.delete(.root)
            try? await store.shutdown()
            throw error
        }
        try await store.shutdown()
    }
}
