import Hummingbird
import Logging
import NIOCore
import SkiffCore
import SkiffJSON
import SkiffRouting

/// The `mlflow-artifacts` proxy (reference §4): streamed upload and download, one-level listing, delete.
///
/// The path comes from the raw request target, never from a router-decoded parameter, and must pass
/// `ArtifactPath` validation (repeated percent-decoding, no traversal) before any file is touched.
struct ArtifactRoutes {
    let store: any ArtifactStore
    static let prefixes = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"]

    func register(_ api: APIResponder) {
        let store = self.store
        let logger = api.logger
        for (index, prefix) in Self.prefixes.enumerated() {
            let base = prefix + "/artifacts"
            let suffix = APICall.idSuffix(prefix, index)
            let path = Operation.Parameter(
                Operation.restParameterName, in: .path, ArtifactSchemas.filePath,
                description: "The artifact's path under the proxy's root; it may contain `/`.")
            let errors = [400, 404].map { Operation.Answer($0, APICall.errorMeaning($0), [.json(.ref("Error"))]) }
            let ok = Operation.Answer(200, "OK", [.json(.object([]))])
            api.router.on(
                Operation(
                    .put, base + "/**", id: "uploadArtifact" + suffix, summary: "Upload an artifact file (streamed)",
                    tags: ["Artifact proxy"], parameters: [path], body: ArtifactSchemas.fileContent,
                    bodyRequired: false,
                    responses: [ok] + errors),
                recordingIn: api.routes
            ) { request, _ in
                do {
                    let path = try Self.path(of: request, under: base)
                    try await Self.save(store, path) { upload in
                        for try await buffer in request.body {
                            try await upload.write(buffer)
                        }
                    }
                    return APIResponder.json(JSONWriter.empty.bytes)
                } catch {
                    return APIResponder.errorResponse(error, logger: logger)
                }
            }
            api.router.on(
                Operation(
                    .get, base + "/**", id: "downloadArtifact" + suffix,
                    summary: "Download an artifact file (streamed)",
                    tags: ["Artifact proxy"], parameters: [path],
                    responses: [
                        .init(
                            200, "The file", [.init("*/*", .string(format: "binary"))],
                            headers: ArtifactSchemas.downloadHeaders)
                    ] + errors),
                recordingIn: api.routes
            ) { request, _ in
                do {
                    let path = try Self.path(of: request, under: base)
                    return try await Self.download(store, path)
                } catch {
                    return APIResponder.errorResponse(error, logger: logger)
                }
            }
            api.router.on(
                Operation(
                    .delete, base + "/**", id: "deleteArtifact" + suffix,
                    summary: "Delete an artifact file or directory",
                    tags: ["Artifact proxy"], parameters: [path], responses: [ok] + errors),
                recordingIn: api.routes
            ) { request, _ in
                do {
                    let path = try Self.path(of: request, under: base)
                    try await store.delete(path)
                    return APIResponder.json(JSONWriter.empty.bytes)
                } catch {
                    return APIResponder.errorResponse(error, logger: logger)
                }
            }
            api.tagged("Artifact proxy").add(
                .get, "artifacts", prefixes: [prefix],
                APICall(
                    "listProxiedArtifacts" + suffix, "One level of the proxy's artifacts under a path",
                    fields: [.optional("path", ArtifactSchemas.relativePath)],
                    answer: .object([.optional("files", .array(.ref("FileInfo")))]), errors: [400])
            ) { q in
                let path = try ArtifactPath(validating: try q.string("path") ?? "")
                // An empty listing is `{}`, as protobuf JSON leaves out an empty repeated field.
                guard let entries = try await store.list(path), !entries.isEmpty else { return .empty }
                var w = JSONWriter()
                w.beginObject()
                w.key("files")
                w.beginArray()
                for entry in entries {
                    w.beginObject()
                    w.field("path", entry.name)
                    w.field("is_dir", entry.isDirectory)
                    w.field("file_size", entry.size)
                    w.endObject()
                }
                w.endArray()
                w.endObject()
                return w
            }
            for (action, name) in [("mpu/create", "Create"), ("mpu/complete", "Complete"), ("mpu/abort", "Abort")] {
                api.router.on(
                    Operation(
                        .post, prefix + "/\(action)/**", id: "multipartUpload\(name)" + suffix,
                        summary: "Multipart upload (not supported: a plain PUT streams any size)",
                        tags: ["Artifact proxy"], parameters: [path], body: [.json(.object([]))],
                        responses: [.init(501, APICall.errorMeaning(501), [.json(.ref("Error"))])]),
                    recordingIn: api.routes
                ) { _, _ in
                    APIResponder.errorResponse(
                        SkiffError(
                            .notImplemented,
                            "Multipart upload is not supported for the current artifact repository; use a plain PUT."),
                        logger: logger)
                }
            }
        }
    }

    /// The validated artifact path of a request, taken from the raw (still percent-encoded) target.
    static func path(of request: Request, under base: String) throws(SkiffError) -> ArtifactPath {
        let raw = request.uri.path
        guard raw.hasPrefix(base + "/") else { throw .invalid("Invalid path") }
        return try ArtifactPath(validating: String(raw.dropFirst(base.count + 1)))
    }

    /// Writes a file through `write`, then makes it visible; on any failure nothing appears at `path`.
    static func save(
        _ store: any ArtifactStore, _ path: ArtifactPath, _ write: (any ArtifactUpload) async throws -> Void
    ) async throws {
        let upload = try await store.beginUpload(path)
        do {
            try await write(upload)
            try await upload.commit()
        } catch {
            await upload.abort()
            throw error
        }
    }

    static func download(_ store: any ArtifactStore, _ path: ArtifactPath) async throws -> Response {
        let file = try await store.open(path)
        let name = path.basename
        let headers: HTTPFields = [
            .contentType: MediaTypes.forFile(name),
            .contentDisposition: "attachment; filename=\"\(name.replacingQuotes)\"",
            .acceptRanges: "none",
            // The declared type is final: a browser must not sniff an HTML or script file into one it runs.
            .xContentTypeOptions: "nosniff",
            .eTag: "\"\(file.modificationTime)-\(file.size)\"",
        ]
        let body = ResponseBody(contentLength: Int(file.size)) { writer in
            do {
                while let chunk = try await file.next() {
                    try await writer.write(chunk)
                }
            } catch {
                await file.close()
                throw error
            }
            await file.close()
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension String {
    fileprivate var replacingQuotes: String {
        String(unicodeScalars.map { $0 == "\"" || $0.value < 0x20 ? "_" : Character($0) })
    }
}
