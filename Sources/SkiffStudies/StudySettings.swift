import SkiffCore
import SkiffTune

/// What a study is: its name, search space, objective direction, sampler, pruner and failure handling.
///
/// Two workers that create the same study name must agree on everything but ``seed`` and the failure handling,
/// which the first creator fixes.
public struct StudySettings: Sendable, Hashable {
    /// The unique name; tracked runs of the study go to an experiment of the same name.
    public var name: String
    /// The search space as written (YAML or JSON), kept so the study can be rebuilt exactly.
    public var spaceText: String
    /// The parsed search space.
    public var space: SearchSpace
    /// Whether smaller or larger objective values are better.
    public var direction: StudyDirection
    /// The sampler that proposes parameters.
    public var sampler: SamplerKind
    /// The pruner that stops unpromising trials.
    public var pruner: PrunerKind
    /// Fixes the sampler's sequence of suggestions; `nil` for a random seed chosen at creation.
    public var seed: UInt64?
    /// How often a trial failed because its worker stopped sending heartbeats is retried with the same
    /// parameters (0: never).
    public var maxRetries: Int
    /// A running trial whose last heartbeat is older than this many milliseconds is failed as stale (0: never).
    public var heartbeatGraceMilliseconds: Int64

    /// Creates settings after parsing and validating the space.
    /// - Parameters:
    ///   - name: The study's name (1–256 characters).
    ///   - spaceText: The search space in YAML (JSON is YAML too).
    ///   - direction: Whether smaller or larger values are better.
    ///   - sampler: The sampler; TPE by default.
    ///   - pruner: The pruner; median by default.
    ///   - seed: The sampler's seed.
    ///   - maxRetries: Retries of stale trials (≥ 0).
    ///   - heartbeatGraceMilliseconds: Staleness threshold (≥ 0).
    /// - Throws: `SkiffError` (`invalidParameterValue`) naming the problem: an empty name, a bad space, a grid
    ///   over a continuous float, negative retries or grace.
    public init(
        name: String, spaceText: String, direction: StudyDirection = .minimize, sampler: SamplerKind = .tpe,
        pruner: PrunerKind = .median, seed: UInt64? = nil, maxRetries: Int = 0, heartbeatGraceMilliseconds: Int64 = 0
    ) throws(SkiffError) {
        guard !name.isEmpty, name.count <= 256 else {
            throw .invalid("A study name must have 1 to 256 characters.")
        }
        guard maxRetries >= 0, heartbeatGraceMilliseconds >= 0 else {
            throw .invalid("max_retries and heartbeat_grace must not be negative.")
        }
        do {
            space = try SearchSpace(yaml: spaceText)
            if sampler == .grid { _ = try GridSampler(space: space) }
        } catch let error as TuneError {
            throw .invalid("Invalid search space: \(error.description)")
        } catch {
            throw .invalid("Invalid search space.")
        }
        self.name = name
        self.spaceText = spaceText
        self.direction = direction
        self.sampler = sampler
        self.pruner = pruner
        self.seed = seed
        self.maxRetries = maxRetries
        self.heartbeatGraceMilliseconds = heartbeatGraceMilliseconds
    }

    /// Whether `other` describes the same optimisation problem (name, space, direction, sampler, pruner).
    public func isCompatible(with other: StudySettings) -> Bool {
        name == other.name && space == other.space && direction == other.direction && sampler == other.sampler
            && pruner == other.pruner
    }
}
