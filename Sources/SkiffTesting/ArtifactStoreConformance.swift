import Crypto
import NIOCore
import SkiffCore

/// The behaviour every ``ArtifactStore`` must show, written once and run against the local directory and an
/// S3-compatible bucket.
public enum ArtifactStoreConformance {
    /// One named check, run against a fresh, empty store.
    public struct Check: Sendable, CustomStringConvertible {
        public let name: String
        public let run: @Sendable (any ArtifactStore) async throws -> Void
        public var description: String { name }
    }

    /// A failed expectation of a conformance check.
    public struct Violation: Error, CustomStringConvertible {
        public let description: String
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Violation(description: message()) }
    }

    static func path(_ text: String) throws -> ArtifactPath { try ArtifactPath(validating: text) }

    /// Writes `text` in one chunk and commits.
    public static func put(_ store: any ArtifactStore, _ path: String, _ text: String) async throws {
        let upload = try await store.beginUpload(try Self.path(path))
        try await upload.write(ByteBuffer(string: text))
        try await upload.commit()
    }

    /// Reads a whole file as text.
    public static func get(_ store: any ArtifactStore, _ path: String) async throws -> String {
        let file = try await store.open(try Self.path(path))
        var bytes: [UInt8] = []
        while let chunk = try await file.next() { bytes += Array(buffer: chunk) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A deterministic byte pattern (not all one value, so a misplaced chunk changes the digest).
    static func block(_ index: Int, size: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        var state = UInt64(index &+ 1) &* 0x9E37_79B9_7F4A_7C15
        for _ in 0..<(size / 8) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            buffer.writeInteger(state)
        }
        return buffer
    }

    static func notFound(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as SkiffError {
            try expect(error.code == .resourceDoesNotExist, "expected RESOURCE_DOES_NOT_EXIST, got \(error.code)")
            return
        }
        throw Violation(description: "expected RESOURCE_DOES_NOT_EXIST, got no error")
    }

    /// Every check.
    public static let checks: [Check] = [
        Check(name: "files round-trip and a listing shows one level with directories and sizes") { store in
            try await put(store, "a/b/c.txt", "hello")
            try await put(store, "a/top.txt", "x")
            try await put(store, "a/b/d/deep.txt", "deep")
            try expect(try await get(store, "a/b/c.txt") == "hello", "the bytes come back")
            let listing = try await store.list(try path("a"))
            try expect(
                listing == [
                    ArtifactEntry(name: "b", isDirectory: true, size: nil),
                    ArtifactEntry(name: "top.txt", isDirectory: false, size: 1),
                ], "one level, sorted, sizes on files: \(String(describing: listing))")
            try expect(try await store.list(try path("missing")) == nil, "no directory is nil")
            try expect(try await store.list(try path("a/top.txt")) == nil, "a file is not a directory")
            try expect(try await store.list(.root)?.map(\.name) == ["a"], "the root lists")
        },
        Check(name: "names with spaces, unicode and URL metacharacters keep their bytes") { store in
            let names = ["dir with space/ü+%=&.txt", "q?x=1/file", "a+b/c=d", "emoji 🚢/~tilde'"]
            for (index, name) in names.enumerated() { try await put(store, name, "v\(index)") }
            for (index, name) in names.enumerated() {
                try expect(try await get(store, name) == "v\(index)", "\(name) round-trips")
            }
            try expect(
                try await store.list(try path("dir with space"))?.map(\.name) == ["ü+%=&.txt"], "listed by its name")
            try expect(try await store.list(try path("a+b"))?.map(\.name) == ["c=d"], "no encoding left in a name")
        },
        Check(name: "a missing file, a directory and the root are not found for reading") { store in
            try await put(store, "d/x", "1")
            try await notFound { _ = try await store.open(try path("nope")) }
            try await notFound { _ = try await store.open(try path("d")) }
            try await notFound { _ = try await store.open(.root) }
        },
        Check(name: "deleting a file, a tree, nothing, and the root") { store in
            try await put(store, "t/a.txt", "a")
            try await put(store, "t/sub/b.txt", "b")
            try await put(store, "t/sub/deeper/c.txt", "c")
            try await put(store, "keep.txt", "k")
            try await store.delete(try path("t/a.txt"))
            try expect(try await store.list(try path("t"))?.map(\.name) == ["sub"], "the file is gone")
            try await store.delete(try path("t/sub"))
            // A local folder may keep the emptied parent; a bucket has no empty directories. Both list nothing.
            try expect((try await store.list(try path("t")) ?? []).isEmpty, "the tree is gone")
            try await store.delete(try path("never/was"))
            try expect(try await get(store, "keep.txt") == "k", "others are untouched")
            try await store.delete(.root)
            try expect(try await store.list(.root) == [], "the root is empty")
        },
        Check(name: "a commit replaces atomically and an abort leaves the old file") { store in
            try await put(store, "f.txt", "old")
            let upload = try await store.beginUpload(try path("f.txt"))
            try await upload.write(ByteBuffer(string: "partial"))
            try expect(try await get(store, "f.txt") == "old", "readers never see a partial file")
            await upload.abort()
            try expect(try await get(store, "f.txt") == "old", "an abort keeps the old file")
            try expect(try await store.list(.root)?.map(\.name) == ["f.txt"], "nothing temporary is listed")
            try await put(store, "f.txt", "new")
            try expect(try await get(store, "f.txt") == "new", "a commit replaces")
        },
        Check(name: "a large file streams through in chunks, bytes and digest intact") { store in
            // 20 MiB in 1 MiB writes: more than one S3 part, many read chunks.
            let upload = try await store.beginUpload(try path("big/blob.bin"))
            var sent = SHA256()
            for index in 0..<20 {
                let chunk = block(index, size: 1 << 20)
                chunk.withUnsafeReadableBytes { sent.update(bufferPointer: $0) }
                try await upload.write(chunk)
            }
            try await upload.commit()
            let file = try await store.open(try path("big/blob.bin"))
            try expect(file.size == 20 << 20, "the size is known before reading: \(file.size)")
            var received = SHA256()
            var total = 0
            var chunks = 0
            while let chunk = try await file.next() {
                chunk.withUnsafeReadableBytes { received.update(bufferPointer: $0) }
                total += chunk.readableBytes
                chunks += 1
                try expect(chunk.readableBytes <= 8 << 20, "a chunk is bounded, not the file: \(chunk.readableBytes)")
            }
            try expect(total == 20 << 20 && chunks > 1, "streamed in \(chunks) chunks, \(total) bytes")
            try expect(Array(sent.finalize()) == Array(received.finalize()), "the digest matches")
            try expect(
                try await store.list(try path("big")) == [.init(name: "blob.bin", isDirectory: false, size: 20 << 20)],
                "listed")
        },
        Check(name: "an aborted large upload leaves nothing behind") { store in
            let upload = try await store.beginUpload(try path("gone/blob.bin"))
            for index in 0..<12 { try await upload.write(block(index, size: 1 << 20)) }
            await upload.abort()
            try expect((try await store.list(try path("gone")) ?? []).isEmpty, "nothing is listed")
            try await notFound { _ = try await store.open(try path("gone/blob.bin")) }
        },
        Check(name: "a download closed early releases the file and the store keeps serving") { store in
            let upload = try await store.beginUpload(try path("early.bin"))
            for index in 0..<4 { try await upload.write(block(index, size: 1 << 20)) }
            try await upload.commit()
            for _ in 0..<3 {
                let file = try await store.open(try path("early.bin"))
                _ = try await file.next()
                await file.close()
                try expect(try await file.next() == nil, "a closed download reads nothing")
            }
            try await put(store, "after.txt", "ok")
            try expect(try await get(store, "after.txt") == "ok", "still serving")
        },
    ]
}
