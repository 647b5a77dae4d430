import Hummingbird
import Logging
import NIOCore
import SkiffCore
import SkiffJSON
import SkiffRouting

/// The calls MLflow's web UI makes that are not in its REST reference, served where MLflow serves them (under
/// `/ajax-api/2.0/mlflow`, and `/get-artifact` at the root): whole metric histories of many runs, the datasets of
/// experiments, a small artifact upload into a run, and one artifact file of a run, a model version or a
/// logged model.
struct UIHelperRoutes {
    let tracking: TrackingService
    let registry: RegistryService
    let loggedModels: LoggedModelService
    let roots: ArtifactRoots

    static let prefix = "/ajax-api/2.0/mlflow"
    /// MLflow's cap on `upload-artifact` bodies.
    static let maxUpload = 10 * 1024 * 1024

    func register(_ api: APIResponder) {
        let t = tracking
        let p = [Self.prefix]
        let api = api.tagged("MLflow UI")
        api.add(
            .get, "metrics/get-history-bulk", prefixes: p,
            APICall(
                "getMetricHistoryBulk", "Whole histories of one metric across up to 100 runs",
                fields: [
                    .required("run_id", .array(Wire.runID, minItems: 1, maxItems: Limits.maxBulkIntervalRunIDs)),
                    .required("metric_key", .string()), .optional("max_results", Wire.int64),
                ],
                answer: .object([.optional("metrics", .array(.ref("Metric")))]), errors: [400])
        ) { q in
            let metrics = try await t.metricHistoryBulk(
                runIDs: try q.strings("run_id"), key: try q.string("metric_key"), maxResults: try q.int("max_results"))
            var w = JSONWriter(capacity: 64 + metrics.count * 112)
            w.beginObject()
            w.array("metrics", metrics) { $0.metric($1) }
            w.endObject()
            return w
        }
        api.add(
            .post, "experiments/search-datasets", prefixes: p,
            APICall(
                "searchDatasets", "The datasets the runs of some experiments used",
                fields: [
                    .required(
                        "experiment_ids",
                        .array(
                            .anyOf([.string(), .double]), minItems: 1,
                            maxItems: Limits.maxExperimentsPerDatasetSearch))
                ],
                answer: .object([
                    .optional(
                        "dataset_summaries",
                        .array(
                            .object([
                                .required("experiment_id", .string()), .required("name", .string()),
                                .required("digest", .string()), .optional("context", .string()),
                            ])))
                ]), errors: [400])
        ) { q in
            let summaries = try await t.datasetSummaries(experimentIDs: try q.strings("experiment_ids"))
            guard !summaries.isEmpty else { return .empty }
            return TrackingRoutes.object {
                $0.array("dataset_summaries", summaries) { w, s in
                    w.beginObject()
                    w.field("experiment_id", s.experimentID)
                    w.field("name", s.name)
                    w.field("digest", s.digest)
                    w.field("context", s.context)
                    w.endObject()
                }
            }
        }
        registerUpload(api)
        registerLoggedModelFile(api)
        registerFileDownloads(api)
    }

    /// `GET /get-artifact?run_id=…&path=…` and `GET /model-versions/get-artifact?name=…&version=…&path=…`: one
    /// file, streamed as an attachment (never rendered on the server's origin), as MLflow's UI fetches previews.
    func registerFileDownloads(_ api: APIResponder) {
        let (t, r, roots, logger) = (tracking, registry, self.roots, api.logger)
        let path = Operation.Parameter("path", in: .query, ArtifactSchemas.filePath, required: true)
        api.router.on(
            Operation(
                .get, "/get-artifact", id: "getRunArtifactFile",
                summary: "One artifact file of a run, as an attachment",
                tags: ["MLflow UI"],
                parameters: [
                    .init("run_id", in: .query, Wire.runID, required: true),
                    .init("run_uuid", in: .query, Wire.runID, description: "Deprecated name of run_id."), path,
                ],
                responses: Self.fileAnswers),
            recordingIn: api.routes
        ) { request, _ in
            await Self.file(request, logger) { q in
                try roots.location(
                    of: try await t.run(id: try q.requiredString(anyOf: "run_id", "run_uuid")).info.artifactURI)
            }
        }
        api.router.on(
            Operation(
                .get, "/model-versions/get-artifact", id: "getModelVersionArtifactFile",
                summary: "One artifact file of a model version, as an attachment", tags: ["MLflow UI"],
                parameters: [
                    .init("name", in: .query, .nonEmptyString(), required: true),
                    .init("version", in: .query, RegistryWire.version, required: true), path,
                ],
                responses: Self.fileAnswers),
            recordingIn: api.routes
        ) { request, _ in
            await Self.file(request, logger) { q in
                let uri = try await r.downloadURI(
                    name: try q.requiredString("name"), version: try q.requiredString("version"))
                // A `runs:/<id>/<path>` source is that path under the run's artifact root.
                guard uri.hasPrefix("runs:/") else { return try roots.location(of: uri) }
                let rest = uri.dropFirst("runs:/".count)
                let runID = String(rest.prefix { $0 != "/" })
                let sub = try ArtifactPath(validating: String(rest.dropFirst(runID.count).drop { $0 == "/" }))
                return try roots.location(of: try await t.run(id: runID).info.artifactURI).appending(sub)
            }
        }
    }

    /// A file download's answers.
    static let fileAnswers: [Operation.Answer] =
        [.init(200, "The file", [.init("*/*", .string(format: "binary"))], headers: ArtifactSchemas.downloadHeaders)]
        + [400, 404].map { Operation.Answer($0, APICall.errorMeaning($0), [.json(.ref("Error"))]) }

    /// The file at the request's `path` under the artifact directory that `base` finds from the query.
    static func file(
        _ request: Request, _ logger: Logger, base: (RequestParameters) async throws -> ArtifactRoots.Location
    ) async -> Response {
        do {
            let q = RequestParameters(query: RequestParameters.parseQuery(request.uri.query ?? ""))
            guard let raw = try q.string("path"), !raw.isEmpty else {
                throw SkiffError.invalid("Request must specify path.")
            }
            let path = try ArtifactPath(validating: raw)
            let file = try await base(q).appending(path)
            do {
                return try await ArtifactRoutes.download(file.store, file.path)
            } catch let error as SkiffError where error.code == .resourceDoesNotExist {
                // MLflow's answer for a directory, which the UI shows as is.
                guard try await file.store.list(file.path) != nil else { throw error }
                throw SkiffError.invalid("Artifact path refers to a directory, not a file: '\(path)'")
            }
        } catch {
            return APIResponder.errorResponse(error, logger: logger)
        }
    }

    /// `POST upload-artifact?run_uuid=…&path=…` with the file as the raw body (≤ 10 MB), written under the
    /// run's artifact root through the artifact store.
    func registerUpload(_ api: APIResponder) {
        let t = tracking
        let roots = self.roots
        let logger = api.logger
        api.router.on(
            Operation(
                .post, Self.prefix + "/upload-artifact", id: "uploadRunArtifactFile",
                summary: "Upload one file (≤ 10 MB, the raw body) into a run's artifacts", tags: ["MLflow UI"],
                parameters: [
                    .init("run_uuid", in: .query, Wire.runID, required: true),
                    .init("path", in: .query, ArtifactSchemas.filePath, required: true),
                ],
                body: [.init("application/octet-stream", .string(minLength: 1, format: "binary"))],
                responses: [.init(200, "Stored", [.json(.object([]))])]
                    + [400, 404].map { Operation.Answer($0, APICall.errorMeaning($0), [.json(.ref("Error"))]) }),
            recordingIn: api.routes
        ) { request, _ in
            do {
                let query = RequestParameters.parseQuery(request.uri.query ?? "")
                guard let runID = query["run_uuid"]?.first, !runID.isEmpty else {
                    throw SkiffError.invalid("Request must specify run_uuid.")
                }
                guard let rawPath = query["path"]?.first, !rawPath.isEmpty else {
                    throw SkiffError.invalid("Request must specify path.")
                }
                let path = try ArtifactPath(validating: rawPath)
                guard !path.isRoot else { throw SkiffError.invalid("Request must specify path.") }
                if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maxUpload {
                    throw SkiffError.invalid("Artifact size is too large. Max size is 10MB.")
                }
                let body: ByteBuffer
                do {
                    body = try await request.body.collect(upTo: Self.maxUpload)
                } catch {
                    throw SkiffError.invalid("Artifact size is too large. Max size is 10MB.")
                }
                guard body.readableBytes > 0 else { throw SkiffError.invalid("Request must specify data.") }
                let run = try await t.run(id: runID)
                let file = try roots.location(of: run.info.artifactURI).appending(path)
                try await ArtifactRoutes.save(file.store, file.path) { try await $0.write(body) }
                return APIResponder.json(JSONWriter.empty.bytes)
            } catch {
                return APIResponder.errorResponse(error, logger: logger)
            }
        }
    }

    /// `GET logged-models/<id>/artifacts/files?artifact_file_path=…`: one file of a logged model, streamed.
    func registerLoggedModelFile(_ api: APIResponder) {
        let models = loggedModels
        let roots = self.roots
        let logger = api.logger
        api.router.on(
            Operation(
                .get, Self.prefix + "/logged-models/:model_id/artifacts/files", id: "getLoggedModelArtifactFile",
                summary: "One artifact file of a logged model", tags: ["MLflow UI"],
                parameters: [
                    .init("model_id", in: .path, Wire.runID),
                    .init("artifact_file_path", in: .query, ArtifactSchemas.filePath, required: true),
                ],
                responses: Self.fileAnswers),
            recordingIn: api.routes
        ) { request, context in
            do {
                let query = RequestParameters.parseQuery(request.uri.query ?? "")
                guard let rawPath = query["artifact_file_path"]?.first, !rawPath.isEmpty else {
                    throw SkiffError(.badRequest, #"Request must include the "artifact_file_path" query parameter."#)
                }
                let path = try ArtifactPath(validating: rawPath)
                let id = PathDecoding.decodeOnce(String(context.parameters.get("model_id") ?? ""))
                let model = try await models.get(id: id)
                let file = try roots.location(of: model.artifactURI).appending(path)
                return try await ArtifactRoutes.download(file.store, file.path)
            } catch {
                return APIResponder.errorResponse(error, logger: logger)
            }
        }
    }
}
