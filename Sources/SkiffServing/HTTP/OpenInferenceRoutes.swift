import HTTPTypes
import Hummingbird
import SkiffInference
import SkiffJSON
import SkiffRouting

/// The Open Inference Protocol (KServe v2) over REST: server and model health, metadata and `infer`, with or
/// without a version in the path.
struct OpenInferenceRoutes {
    let scoring: ScoringService
    let maxBodyBytes: Int
    let serverVersion: String

    func register(_ router: Router<ServingRequestContext>, _ routes: RouteTable) {
        let tags = [ServingSchemas.Tag.openInference]
        let requestID = ServingSchemas.requestID
        router.on(
            Operation(
                .get, "/v2", id: "serverMetadata", summary: "The server's name, version and protocol extensions",
                tags: tags, parameters: [requestID],
                responses: [ServingSchemas.answer(200, "The server's metadata.", [.json(.ref("ServerMetadata"))])]),
            recordingIn: routes
        ) { _, _ in serverMetadata() }
        for (path, id, flag, summary) in [
            ("/v2/health/live", "serverLive", "live", "Whether the server is live"),
            (
                "/v2/health/ready", "serverReady", "ready",
                "Whether the server is ready: its models load before it listens"
            ),
        ] {
            router.on(
                Operation(
                    .get, path, id: id, summary: summary, tags: tags, parameters: [requestID],
                    responses: [ServingSchemas.answer(200, "Always true.", [.json(ServingSchemas.flag(flag))])]),
                recordingIn: routes
            ) { _, _ in self.flag(flag) }
        }
        let name = ServingSchemas.modelName(scoring.order)
        let version = Operation.Parameter(
            "version", in: .path, .nonEmptyString(),
            description: "A version the model serves now: its primary's or its canary's; any other is a 404.")
        let models = scoring.order.compactMap { scoring.routes[$0] }
        for (prefix, suffix, parameters) in [
            ("/v2/models/:name", "", [name, requestID]),
            ("/v2/models/:name/versions/:version", "Version", [name, version, requestID]),
        ] {
            let which = suffix.isEmpty ? "a model" : "a model version"
            router.on(
                Operation(
                    .get, prefix, id: "model\(suffix)Metadata", summary: "The inputs and outputs of \(which)",
                    tags: tags, parameters: parameters,
                    responses: [
                        ServingSchemas.answer(
                            200, "The model's metadata.", [.json(.ref("ModelMetadata"))],
                            links: suffix.isEmpty ? Self.versionLinks : [])
                    ] + ServingSchemas.openInferenceErrors([.notFound], maxBodyBytes: maxBodyBytes)),
                recordingIn: routes
            ) { _, context in
                respond { () throws(ServingError) in try metadata(context) }
            }
            router.on(
                Operation(
                    .get, prefix + "/ready", id: "model\(suffix)Ready", summary: "Whether \(which) is ready",
                    tags: tags, parameters: parameters,
                    responses: [ServingSchemas.answer(200, "Always true.", [.json(ServingSchemas.flag("ready"))])]
                        + ServingSchemas.openInferenceErrors([.notFound], maxBodyBytes: maxBodyBytes)),
                recordingIn: routes
            ) { _, context in
                respond { () throws(ServingError) in
                    _ = try slot(context)
                    return flag("ready")
                }
            }
            // A version in the path pins the slot, so the sticky header is read only without one.
            let headers = [ServingSchemas.timeout] + (suffix.isEmpty ? ServingSchemas.stickyHeaders(models) : [])
            router.on(
                Operation(
                    .post, prefix + "/infer", id: "model\(suffix)Infer", summary: "Run \(which) on input tensors",
                    description:
                        "The body is read as JSON whatever its Content-Type. Without a version, a canary takes its "
                        + "share of the requests.",
                    tags: tags, parameters: parameters + headers, body: [.json(.ref("InferRequest"))],
                    responses: [
                        ServingSchemas.answer(
                            200, "The output tensors.", [.json(.ref("InferResponse"))],
                            headers: ServingSchemas.scoringHeaders)
                    ]
                        + ServingSchemas.openInferenceErrors(
                            [.notFound] + ScoringRoutes.errors.filter { $0 != .unsupportedMediaType },
                            maxBodyBytes: maxBodyBytes)),
                recordingIn: routes
            ) { request, context in
                await infer(request, context)
            }
        }
    }

    /// From a model's metadata to the routes of the version it serves, for clients and fuzzers that chain calls.
    static let versionLinks = [
        ("VersionMetadata", "modelVersionMetadata"), ("VersionReady", "modelVersionReady"),
        ("VersionInfer", "modelVersionInfer"),
    ].map { name, id in
        Operation.Link(
            name, to: id, parameters: [("name", "$response.body#/name"), ("version", "$response.body#/versions/0")])
    }

    private func respond(_ body: () throws(ServingError) -> Response) -> Response {
        do {
            return try body()
        } catch {
            return ServingResponses.openInferenceError(error)
        }
    }

    private func flag(_ name: String) -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field(name, true)
        writer.endObject()
        return ServingResponses.json(writer.bytes)
    }

    private func serverMetadata() -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("name", "skiff")
        writer.field("version", serverVersion)
        writer.key("extensions")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        return ServingResponses.json(writer.bytes)
    }

    /// The route's primary slot, checking a version in the path against the version it serves.
    private func slot(_ context: ServingRequestContext) throws(ServingError) -> (ModelRoute, ModelSlot) {
        let route = try scoring.route(context.parameters.get("name") ?? "")
        guard let version = context.parameters.get("version") else { return (route, route.primary) }
        for slot in [route.primary] + (route.canary.map { [$0.slot] } ?? []) where slot.deployment.version == version {
            return (route, slot)
        }
        throw ServingError(
            .notFound,
            "Model '\(route.name)' has no version '\(version.prefix(40))' loaded; it serves version "
                + "\(route.primary.deployment.version).")
    }

    private func metadata(_ context: ServingRequestContext) throws(ServingError) -> Response {
        let (route, slot) = try slot(context)
        let deployment = slot.deployment
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("name", route.name)
        writer.key("versions")
        writer.beginArray()
        for slot in [route.primary] + (route.canary.map { [$0.slot] } ?? []) { writer.string(slot.deployment.version) }
        writer.endArray()
        writer.field("platform", "skiff-\(deployment.format.rawValue)")
        writer.key("inputs")
        writer.beginArray()
        for input in deployment.predictor.inputs {
            writer.beginObject()
            writer.field("name", input.name)
            writer.field("datatype", PredictionEncoding.datatype(input.elementType))
            writer.key("shape")
            writer.beginArray()
            writer.int(-1)
            writer.int(Int64(input.columnCount ?? -1))
            writer.endArray()
            if !input.featureNames.isEmpty {
                writer.key("parameters")
                writer.beginObject()
                writer.array("feature_names", input.featureNames) { $0.string($1) }
                writer.endObject()
            }
            writer.endObject()
        }
        writer.endArray()
        writer.key("outputs")
        writer.beginArray()
        for output in deployment.outputs {
            writer.beginObject()
            writer.field("name", output.name)
            writer.field("datatype", PredictionEncoding.datatype(output.elementType))
            writer.key("shape")
            writer.beginArray()
            writer.int(-1)
            if output.width > 1 { writer.int(Int64(output.width)) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return ServingResponses.json(writer.bytes)
    }

    private func infer(_ request: Request, _ context: ServingRequestContext) async -> Response {
        do throws(ServingError) {
            let (route, slot) = try slot(context)
            let pinned = context.parameters.get("version") == nil ? nil : slot
            let body = try await ServingResponses.body(request, limit: maxBodyBytes)
            let decoded = try OpenInferenceRequest.decode(body)
            let answer = try await scoring.score(
                decoded.payload, on: route, pinned: pinned, stickyKey: ScoringRoutes.stickyKey(request, route),
                timeout: ScoringRoutes.timeout(request), requestID: decoded.id ?? context.requestID, proto: "v2")
            var outputs = answer.outputs
            if !decoded.requestedOutputs.isEmpty {
                let known = Set(outputs.map(\.name))
                for name in decoded.requestedOutputs where !known.contains(name) {
                    throw ServingError.badRequest(
                        "outputs '\(name.prefix(100))' is not an output of the model; it has "
                            + outputs.map(\.name).joined(separator: ", ") + ".")
                }
                outputs = outputs.filter { decoded.requestedOutputs.contains($0.name) }
            }
            var writer = JSONWriter(capacity: 128 + decoded.payload.rowCount * 16)
            writer.beginObject()
            writer.field("model_name", route.name)
            writer.field("model_version", answer.deployment.version)
            writer.field("id", decoded.id)
            writer.key("outputs")
            PredictionEncoding.writeOpenInferenceOutputs(outputs, into: &writer)
            writer.endObject()
            return ServingResponses.answer(writer.bytes, answer)
        } catch {
            return ServingResponses.openInferenceError(error)
        }
    }
}
