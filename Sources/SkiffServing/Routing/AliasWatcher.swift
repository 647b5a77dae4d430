import Logging
import ServiceLifecycle

/// Follows registry aliases: when `models:/name@alias` moves to another version, the new version is fetched,
/// compiled and warmed beside the old one, then swapped in. Requests keep flowing through the swap; queued ones
/// run on whichever version is current when their batch starts.
///
/// It polls the registry every `interval`; a registry webhook (`POST /webhooks/registry`) only makes it poll at
/// once. The webhook's body is never trusted: the registry is asked, so a forged call costs one poll.
final class AliasWatcher: Service, Sendable {
    private let slots: [ModelSlot]
    private let loader: DeploymentLoader
    private let interval: Duration
    private let metrics: ServingMetrics
    private let logger: Logger
    private let nudges: AsyncStream<Void>
    private let nudge: AsyncStream<Void>.Continuation

    init(slots: [ModelSlot], loader: DeploymentLoader, interval: Duration, metrics: ServingMetrics, logger: Logger) {
        self.slots = slots
        self.loader = loader
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
        (nudges, nudge) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a poll now (a registry webhook arrived); repeated calls before the poll coalesce.
    func pollSoon() { nudge.yield() }

    func run() async throws {
        guard !slots.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.interval)
                        self.nudge.yield()
                    }
                }
                for await _ in self.nudges {
                    await self.pollOnce()
                }
                group.cancelAll()
            }
        }
    }

    /// Checks every watched alias once and swaps in the versions that moved.
    func pollOnce() async {
        for slot in slots {
            let loaded = slot.deployment.version
            let current: String?
            do {
                current = try await loader.resolver.currentVersion(slot.reference)
            } catch {
                logger.warning(
                    "alias poll failed", metadata: ["model": "\(slot.reference)", "error": "\(error.description)"])
                continue
            }
            guard let current, current != loaded else { continue }
            do {
                let deployment = try await loader.load(slot.reference)
                slot.swap(to: deployment)
                metrics.modelLoaded(model: slot.label, version: deployment.version, seconds: deployment.loadSeconds)
                logger.info(
                    "model version swapped in",
                    metadata: [
                        "model": "\(slot.label)", "reference": "\(slot.reference)", "from": "\(loaded)",
                        "to": "\(deployment.version)",
                    ])
            } catch {
                logger.error(
                    "new model version failed to load; still serving the old one",
                    metadata: ["model": "\(slot.reference)", "version": "\(current)", "error": "\(error.description)"])
            }
        }
    }
}
