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

    func register(_ router: Router<ServingRequestContext>, _ methods: MethodTable) {
        router.on(.get, "/v2", recordingIn: methods) { _, _ in serverMetadata() }
        router.on(.get, "/v2/health/live", recordingIn: methods) { _, _ in flag("live") }
        router.on(.get, "/v2/health/ready", recordingIn: methods) { _, _ in flag("ready") }
        for prefix in ["/v2/models/:name", "/v2/models/:name/versions/:version"] {
            router.on(.get, prefix, recordingIn: methods) { _, context in
                respond { () throws(ServingError) in try metadata(context) }
            }
            router.on(.get, prefix + "/ready", recordingIn: methods) { _, context in
                respond { () throws(ServingError) in
                    _ = try slot(context)
                    return flag("ready")
                }
            }
            router.on(.post, prefix + "/infer", recordingIn: methods) { request, context in
                await infer(request, context)
            }
        }
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
