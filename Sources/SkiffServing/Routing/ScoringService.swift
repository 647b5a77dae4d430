import Foundation
import SkiffInference

/// Scores a decoded request on a route: picks primary or canary, runs it through the slot's batching queue,
/// counts it, logs it and mirrors it to the shadows. Protocol-neutral: both HTTP protocols call it.
struct ScoringService: Sendable {
    /// What a request gets back.
    struct Answer: Sendable {
        var outputs: [NamedTensor]
        var deployment: ModelDeployment
        var role: ModelRoute.Role
    }

    let routes: [String: ModelRoute]
    /// Route names in configuration order; the first answers `/invocations`.
    let order: [String]
    let metrics: ServingMetrics
    let predictionLog: PredictionLogger?
    let mirror: ShadowMirror
    let requestTimeout: Duration

    /// The route named `name`, or the first route for nil.
    func route(_ name: String?) throws(ServingError) -> ModelRoute {
        guard let name else { return routes[order[0]]! }
        guard let route = routes[name] else {
            throw ServingError(
                .notFound, "No model named '\(name.prefix(100))'. Served models: \(order.joined(separator: ", ")).")
        }
        return route
    }

    /// Scores one request.
    /// - Parameters:
    ///   - payload: The decoded request.
    ///   - route: The route it was sent to.
    ///   - pinned: The slot a versioned request named, bypassing the canary split.
    ///   - stickyKey: The value of the route's sticky header, if the request has one.
    ///   - timeout: A client deadline shorter than the server's, if it asked for one.
    ///   - requestID: The request's id, for logs.
    ///   - proto: `mlflow` or `v2`, for metrics.
    func score(
        _ payload: ScoringPayload, on route: ModelRoute, pinned: ModelSlot? = nil, stickyKey: String?,
        timeout: Duration?, requestID: String, proto: String
    ) async throws(ServingError) -> Answer {
        let started = ContinuousClock.now
        let (slot, role) =
            if let pinned { (pinned, pinned === route.primary ? ModelRoute.Role.primary : .canary) } else {
                route.choose(key: stickyKey)
            }
        let deadline = started + min(timeout ?? requestTimeout, requestTimeout)
        let result: SlotResult
        do {
            result = try await slot.predict(payload, deadline: deadline)
        } catch {
            metrics.request(
                model: route.name, version: slot.deployment.version, role: role.rawValue, proto: proto,
                status: error.code.httpStatus)
            throw error
        }
        let elapsed = started.duration(to: .now)
        metrics.request(
            model: route.name, version: result.deployment.version, role: role.rawValue, proto: proto, status: 200)
        metrics.latency(model: route.name, proto: proto, elapsed)
        predictionLog?.record(
            PredictionRecord(
                timestamp: Date(), requestID: requestID, model: result.deployment.name,
                version: result.deployment.version, route: role, latency: elapsed, inputs: payload,
                outputs: result.outputs, agreesWithPrimary: nil))
        for shadow in route.shadows {
            mirror.submit(
                ShadowMirror.Copy(
                    slot: shadow, route: route.name, requestID: requestID, payload: payload, primary: result.outputs))
        }
        return Answer(outputs: result.outputs, deployment: result.deployment, role: role)
    }
}
