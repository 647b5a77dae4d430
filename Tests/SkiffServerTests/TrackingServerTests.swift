import Foundation
import Logging
import SkiffCore
import SkiffServer
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Tracking server")
struct TrackingServerTests {
    @Test("unsupported stores, malformed PostgreSQL URLs and bad S3 locations are refused with an actionable message")
    func refusesUnsupported() throws {
        var config = TrackingServer.Configuration()
        config.database = "postgres://u:secret@localhost/skiff?sslmode=disable"
        try config.validate()
        for bad in ["postgres://localhost/skiff", "postgres://u@localhost/", "postgresql://u@h/db?sslmode=sometimes"] {
            config.database = bad
            let error = #expect(throws: SkiffError.self) { try config.validate() }
            #expect(error?.description.contains("secret") == false)
        }
        config.database = "mysql://x"
        #expect(throws: SkiffError.self) { try config.validate() }
        config.database = nil
        for bad in ["s3://Bad_Bucket/x", "s3://bucket/../x", "gs://bucket/x"] {
            config.artifactRoot = bad
            #expect(throws: SkiffError.self) { try config.validate() }
        }
        config.artifactRoot = nil
        config.s3Endpoint = "http://127.0.0.1:9000"
        #expect(throws: SkiffError.self, "an endpoint without an s3:// root") { try config.validate() }
        config.s3Endpoint = nil
        config.port = 70000
        #expect(throws: SkiffError.self) { try config.validate() }
    }

    @Test("starts on a free port, answers /health, and stops when cancelled")
    func live() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-live-\(UUID().uuidString)").path
        let server = TrackingServer(
            configuration: .init(port: 0, dataDirectory: dir), logger: Logger(label: "test"))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run { continuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let (data, response) = try await URLSession.shared.data(
                from: URL(string: "http://127.0.0.1:\(port)/health")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "OK")
            #expect(FileManager.default.fileExists(atPath: dir + "/skiff.db"))
            group.cancelAll()
        }
    }
}
