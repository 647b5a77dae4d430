import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SkiffCore

/// Artifacts in an S3-compatible bucket under a key prefix.
///
/// An artifact path maps to the key `prefix/path`; directories are the key prefixes S3 reports with the `/`
/// delimiter. Uploads stream: bytes collect in one part buffer, a file smaller than a part is one PUT, a larger
/// one a multipart upload whose parts leave as they fill, so memory stays at about one part per upload whatever
/// the file size. S3 makes an object visible only when the PUT or the multipart completion succeeds, which gives
/// the same atomicity as the local store's rename. Downloads stream the GET body straight to the caller.
public final class S3ArtifactStore: ArtifactStore {
    public let configuration: S3Configuration
    let client: S3Client
    let http: HTTPClient
    let logger: Logger
    /// S3's own limit on a key, prefix included.
    static let maxKeyBytes = 1024
    /// S3's limit on the parts of one upload.
    static let maxParts = 10_000

    /// Connects nothing yet; `checkAccess()` proves the bucket answers.
    public init(configuration: S3Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var settings = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(120)),
            decompression: .disabled)
        settings.connectionPool = .init(idleTimeout: .seconds(30))
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
        self.client = S3Client(configuration: configuration, http: http)
    }

    /// Releases the connections. Call once, when the server stops.
    public func shutdown() async throws { try await http.shutdown() }

    /// Lists at most one key under the prefix: fails with the reason when the bucket, the endpoint or the
    /// credentials are wrong, so a misconfigured server stops at start-up instead of at the first upload.
    public func checkAccess() async throws {
        let answer = try await client.send(
            .GET, key: nil, query: [("list-type", "2"), ("max-keys", "1"), ("prefix", rootPrefix)], attempts: 1,
            operation: "ListObjectsV2")
        _ = try client.document("ListObjectsV2", answer)
    }

    // MARK: Keys

    var rootPrefix: String { configuration.prefix.isEmpty ? "" : configuration.prefix + "/" }

    func key(_ path: ArtifactPath) throws(SkiffError) -> String {
        let key = rootPrefix + path.description
        guard key.utf8.count < Self.maxKeyBytes else {
            throw .invalid("The artifact path is too long for S3 (1024 bytes with the prefix).")
        }
        return key
    }

    func directoryPrefix(_ path: ArtifactPath) throws(SkiffError) -> String {
        path.isRoot ? rootPrefix : try key(path) + "/"
    }

    // MARK: ArtifactStore

    public func list(_ path: ArtifactPath) async throws -> [ArtifactEntry]? {
        let prefix = try directoryPrefix(path)
        var entries: [ArtifactEntry] = []
        var token: String?
        // 10,000 pages of 1,000 keys: a listing bounded in count, not just in time.
        for _ in 0..<10_000 {
            var query = [
                ("list-type", "2"), ("delimiter", "/"), ("prefix", prefix),
                ("max-keys", "\(configuration.listPageSize)"),
            ]
            if let token { query.append(("continuation-token", token)) }
            let page = try client.document(
                "ListObjectsV2", try await client.send(.GET, key: nil, query: query, operation: "ListObjectsV2"))
            for object in page.all("Contents") {
                guard let key = object.value("Key"), key.hasPrefix(prefix) else { continue }
                let name = String(key.dropFirst(prefix.count))
                // A zero-byte "folder" marker ("dir/") that some tools write is not a file.
                guard !name.isEmpty, !name.contains("/") else { continue }
                entries.append(
                    ArtifactEntry(name: name, isDirectory: false, size: object.value("Size").flatMap { Int64($0) }))
            }
            for common in page.all("CommonPrefixes") {
                guard let sub = common.value("Prefix"), sub.hasPrefix(prefix), sub.hasSuffix("/") else { continue }
                let name = String(sub.dropFirst(prefix.count).dropLast())
                guard !name.isEmpty, !name.contains("/") else { continue }
                entries.append(ArtifactEntry(name: name, isDirectory: true, size: nil))
            }
            guard page.value("IsTruncated") == "true", let next = page.value("NextContinuationToken"), !next.isEmpty
            else { break }
            token = next
        }
        if entries.isEmpty && !path.isRoot { return nil }
        return entries.sorted { $0.name < $1.name }
    }

    public func beginUpload(_ path: ArtifactPath) async throws -> any ArtifactUpload {
        guard !path.isRoot else { throw SkiffError.invalid("Invalid path") }
        return S3Upload(client: client, key: try key(path), partSize: configuration.partSize, logger: logger)
    }

    public func open(_ path: ArtifactPath) async throws -> any ArtifactDownload {
        guard !path.isRoot else { throw SkiffError.notFound("No such artifact: '\(path)'") }
        let response = try await client.stream(
            .GET, key: try key(path), timeout: S3Client.transferTimeout, operation: "GetObject")
        switch response.status.code {
        case 200:
            guard let size = response.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
                throw SkiffError(.internalError, "S3 GetObject answered without a Content-Length.")
            }
            let modified = response.headers.first(name: "last-modified").flatMap(HTTPDate.secondsSinceEpoch) ?? 0
            return S3Download(client: client, response: response, size: size, modificationTime: modified)
        case 404:
            _ = try? await response.body.collect(upTo: S3Client.documentLimit)
            throw SkiffError.notFound("No such artifact: '\(path)'")
        default:
            throw await client.failure("GetObject", response)
        }
    }

    public func delete(_ path: ArtifactPath) async throws {
        if !path.isRoot {
            let answer = try await client.send(.DELETE, key: try key(path), operation: "DeleteObject")
            guard (200..<300).contains(answer.status.code) || answer.status.code == 404 else {
                throw client.failure("DeleteObject", status: answer.status, body: answer.body)
            }
        }
        try await deleteAll(under: try directoryPrefix(path))
    }

    /// Deletes every key under `prefix`, a page of up to 1,000 at a time (DeleteObjects' limit).
    func deleteAll(under prefix: String) async throws {
        var token: String?
        for _ in 0..<100_000 {
            var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "\(configuration.listPageSize)")]
            if let token { query.append(("continuation-token", token)) }
            let page = try client.document(
                "ListObjectsV2", try await client.send(.GET, key: nil, query: query, operation: "ListObjectsV2"))
            let keys = page.all("Contents").compactMap { $0.value("Key") }.filter { $0.hasPrefix(prefix) }
            if !keys.isEmpty { try await deleteObjects(keys) }
            guard page.value("IsTruncated") == "true", let next = page.value("NextContinuationToken"), !next.isEmpty
            else { return }
            token = next
        }
    }

    func deleteObjects(_ keys: [String]) async throws {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>"
        for key in keys { xml += "<Object><Key>\(S3XML.escape(key))</Key></Object>" }
        xml += "</Delete>"
        let body = ByteBuffer(string: xml)
        let answer = try await client.send(
            .POST, key: nil, query: [("delete", "")],
            headers: [("content-md5", S3Client.md5Base64(body)), ("content-type", "application/xml")], body: body,
            operation: "DeleteObjects")
        let result = try client.document("DeleteObjects", answer)
        if let failed = result.child("Error") {
            throw SkiffError(
                .internalError,
                "S3 DeleteObjects could not delete '\(failed.value("Key") ?? "?")' (\(failed.value("Code") ?? "?")).")
        }
    }
}

/// An upload that buffers one part and sends it when full: a PUT if the file ends within the first part,
/// a multipart upload otherwise.
/// `@unchecked Sendable`: one request task owns it from creation to commit or abort.
final class S3Upload: ArtifactUpload, @unchecked Sendable {
    let client: S3Client
    let key: String
    let basePartSize: Int
    let logger: Logger
    private var buffer: ByteBuffer
    private var uploadID: String?
    private var etags: [String] = []
    private var finished = false

    init(client: S3Client, key: String, partSize: Int, logger: Logger) {
        self.client = client
        self.key = key
        self.basePartSize = partSize
        self.logger = logger
        self.buffer = ByteBufferAllocator().buffer(capacity: 0)
    }

    /// Parts grow with the upload (twice the base after 1,000 parts, three times after 2,000…) so a file can be
    /// far larger than 10,000 base parts while small files keep small buffers.
    var partSize: Int { basePartSize * (1 + etags.count / 1_000) }

    func write(_ bytes: ByteBuffer) async throws {
        guard !finished else { throw SkiffError(.internalError, "The upload was already closed.") }
        if buffer.capacity == 0 { buffer.reserveCapacity(min(partSize, max(bytes.readableBytes, 64 * 1024))) }
        var bytes = bytes
        buffer.writeBuffer(&bytes)
        if buffer.readableBytes >= partSize {
            let part = buffer
            buffer = ByteBufferAllocator().buffer(capacity: partSize + 64 * 1024)
            try await send(part: part)
        }
    }

    func commit() async throws {
        guard !finished else { throw SkiffError(.internalError, "The upload was already closed.") }
        if uploadID == nil {
            let answer = try await client.send(
                .PUT, key: key, body: buffer, timeout: S3Client.transferTimeout, operation: "PutObject")
            guard (200..<300).contains(answer.status.code) else {
                throw client.failure("PutObject", status: answer.status, body: answer.body)
            }
        } else {
            if buffer.readableBytes > 0 { try await send(part: buffer) }
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload>"
            for (index, etag) in etags.enumerated() {
                xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XML.escape(etag))</ETag></Part>"
            }
            xml += "</CompleteMultipartUpload>"
            let answer = try await client.send(
                .POST, key: key, query: [("uploadId", uploadID!)], headers: [("content-type", "application/xml")],
                body: ByteBuffer(string: xml), timeout: .minutes(15), operation: "CompleteMultipartUpload")
            _ = try client.document("CompleteMultipartUpload", answer)
        }
        finished = true
        buffer = ByteBufferAllocator().buffer(capacity: 0)
    }

    func abort() async {
        guard !finished else { return }
        finished = true
        buffer = ByteBufferAllocator().buffer(capacity: 0)
        guard let uploadID else { return }
        do {
            let answer = try await client.send(
                .DELETE, key: key, query: [("uploadId", uploadID)], operation: "AbortMultipartUpload")
            if !(200..<300).contains(answer.status.code) && answer.status.code != 404 {
                throw client.failure("AbortMultipartUpload", status: answer.status, body: answer.body)
            }
        } catch {
            // The object never became visible; only the parts linger until the bucket's lifecycle rule clears them.
            logger.warning(
                "an aborted multipart upload could not be cancelled", metadata: ["key": "\(key)", "error": "\(error)"])
        }
    }

    private func send(part: ByteBuffer) async throws {
        guard etags.count < S3ArtifactStore.maxParts else {
            throw SkiffError.invalid("The artifact is larger than an S3 multipart upload can hold.")
        }
        if uploadID == nil {
            let answer = try await client.send(
                .POST, key: key, query: [("uploads", "")], operation: "CreateMultipartUpload")
            guard let id = try client.document("CreateMultipartUpload", answer).value("UploadId"), !id.isEmpty else {
                throw SkiffError(.internalError, "S3 CreateMultipartUpload answered without an UploadId.")
            }
            uploadID = id
        }
        let answer = try await client.send(
            .PUT, key: key, query: [("partNumber", "\(etags.count + 1)"), ("uploadId", uploadID!)], body: part,
            timeout: S3Client.transferTimeout, operation: "UploadPart")
        guard (200..<300).contains(answer.status.code) else {
            throw client.failure("UploadPart", status: answer.status, body: answer.body)
        }
        guard let etag = answer.headers.first(name: "etag") else {
            throw SkiffError(.internalError, "S3 UploadPart answered without an ETag.")
        }
        etags.append(etag)
    }
}

/// A GET body streamed chunk by chunk as the network delivers it.
/// `@unchecked Sendable`: one response writer owns it until the end or close.
final class S3Download: ArtifactDownload, @unchecked Sendable {
    let client: S3Client
    let size: Int64
    let modificationTime: Int64
    private var iterator: HTTPClientResponse.Body.AsyncIterator?
    private var received: Int64 = 0

    init(client: S3Client, response: S3Client.Streaming, size: Int64, modificationTime: Int64) {
        self.client = client
        self.size = size
        self.modificationTime = modificationTime
        self.iterator = response.body.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        guard var current = iterator else { return nil }
        let chunk: ByteBuffer?
        do {
            chunk = try await current.next()
        } catch {
            iterator = nil
            throw client.unreachable("GetObject", error)
        }
        guard let chunk else {
            iterator = nil
            guard received == size else {
                throw SkiffError(.internalError, "S3 GetObject ended after \(received) of \(size) bytes.")
            }
            return nil
        }
        iterator = current
        received += Int64(chunk.readableBytes)
        return chunk
    }

    /// Dropping the body iterator cancels the transfer and closes its connection.
    func close() async { iterator = nil }
}

/// HTTP dates (RFC 9110 IMF-fixdate, as S3 sends `Last-Modified`).
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Wed, 21 Oct 2015 07:28:00 GMT` → seconds since the epoch.
    static func secondsSinceEpoch(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int32(parts[1]),
            let month = months.firstIndex(of: String(parts[2])), let year = Int32(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int32($0) }
        guard clock.count == 3 else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = Int32(month)
        fields.tm_mday = day
        fields.tm_hour = clock[0]
        fields.tm_min = clock[1]
        fields.tm_sec = clock[2]
        return Int64(timegm(&fields))
    }
}
