import SkiffRouting
import SkiffTune

/// Schemas of the studies API's request fields, with the rules `StudySettings`, the search-space parser and
/// `StudyRoutes`' parsers enforce, so a value the document allows is one the server takes.
enum StudyWire {
    /// A study name: 1 to 256 characters, as `StudySettings` checks. It counts Swift characters, the schema
    /// counts code points (never fewer), so every name the schema allows is taken.
    static let name = Schema.nonEmptyString(maxLength: 256)

    /// A search space. YAML is beyond a pattern; what one can state is that the text is a mapping of parameters
    /// whose definition has a type and bounds or choices: three entries with values, each with its own `:`
    /// (YAML has no other value indicator, and an alias repeats a node, never an entry).
    static let space = Schema.nonEmptyString(pattern: "^[^:]*:[^:]*:[^:]*:").described(
        "The search space in YAML (or JSON), one top-level key per parameter, e.g. "
            + "'lr: {type: float, low: 1e-5, high: 1e-1, log: true}'. Keys: type (float, int or categorical), "
            + "low, high, step, log, choices (categorical) and when (a condition on an earlier parameter).")

    static let direction = anyCase(["minimize", "maximize"]).described("In any letter case; minimize by default.")
    static let sampler = anyCase(SamplerKind.allCases.map(\.rawValue)).described("In any letter case; tpe by default.")
    static let pruner = anyCase(PrunerKind.allCases.map(\.rawValue)).described("In any letter case; median by default.")
    /// The states a trial can be told (`TrialState.isFinished`).
    static let finishedState = anyCase(["complete", "pruned", "failed"]).described(
        "In any letter case; complete by default.")

    /// A non-negative int64 (`seed`, `max_retries`, `step`): a JSON integer or its decimal string, as
    /// `RequestParameters.int64` reads it. The string states up to 18 digits; 19 in range are accepted too.
    static let count = Schema.anyOf([
        .integer(minimum: 0, maximum: .max, format: "int64"), .string(pattern: "^[0-9]{1,18}$(?![\\s\\S])"),
    ])

    /// `max_trials`: a positive int64, as a JSON integer or its decimal string (leading zeros pass).
    static let maxTrials = Schema.anyOf([
        .integer(minimum: 1, maximum: .max, format: "int64"), .string(pattern: "^(?=[0-9]{1,18}$(?![\\s\\S]))0*[1-9]"),
    ])

    /// `heartbeat_grace_seconds`: a finite number in [0, 10^9), read with `requiredDouble`, as a JSON number or a
    /// decimal string (the handler also takes a string with an exponent).
    static let heartbeatGrace = Schema.anyOf([
        .number(minimum: 0, exclusiveMaximum: 1e9),
        .string(pattern: "^(?:0|[1-9][0-9]{0,8})(?:\\.[0-9]+)?$(?![\\s\\S])"),
    ]).described(
        "Seconds a running trial may go without a heartbeat before it fails as stale; 0 (the default) never. "
            + "Below 10^9; a fraction of a second as a decimal string, e.g. \"2.5\".")

    /// A trial number in a path, parsed by Swift's `Int(text)` and required non-negative: an optional `+`,
    /// leading zeros and `-0` pass. The schema states up to 18 significant digits; larger ones name no trial (404).
    static let trialNumber = Schema.string(pattern: "^(?:\\+?0*[0-9]{1,18}|-0+)$(?![\\s\\S])")
        .described("The trial's number in its study: a non-negative integer.")

    /// One of `words` in any letter case, as the routes parse them (`lowercased()`, then the raw value). The enum
    /// names the canonical spellings; the pattern states the rest. No word has a `k`, the one ASCII letter another
    /// character (the Kelvin sign) lowercases or normalises to.
    static func anyCase(_ words: [String]) -> Schema {
        let alternatives = words.map { word in
            word.map { c in c.isLetter ? "[" + c.lowercased() + c.uppercased() + "]" : String(c) }.joined()
        }
        return .anyOf([
            .oneOf(words), .string(pattern: "^(?:" + alternatives.joined(separator: "|") + ")$(?![\\s\\S])"),
        ])
    }
}

/// Component schemas of the studies API's answers, as `JSONWriter.study` and `trial` write them: optional
/// values are left out.
enum StudyComponents {
    static let all: [(String, Schema)] = [
        (
            "Study",
            .object([
                .required("name", .string()), .required("space", .string()),
                .required("direction", .oneOf(["minimize", "maximize"])),
                .required("sampler", .oneOf(SamplerKind.allCases.map(\.rawValue))),
                .required("pruner", .oneOf(PrunerKind.allCases.map(\.rawValue))),
                .optional(
                    "seed",
                    Schema.string(pattern: "^[0-9]{1,20}$(?![\\s\\S])").described(
                        "The sampler's seed (a UInt64) as text.")),
                .required("max_retries", .integer(minimum: 0, format: "int64")),
                .required("heartbeat_grace_seconds", Schema.double.described("0: stale trials are never failed.")),
                .required("creation_time", .int64),
            ])
        ),
        (
            "Trial",
            .object([
                .required("number", .integer(minimum: 0, format: "int64")),
                .required("state", .oneOf(["running", "waiting", "complete", "pruned", "failed"])),
                .required("params", .map(.anyOf([.int64, .double, .string(), .boolean]))),
                .optional("value", .double),
                .required(
                    "intermediate_values",
                    Schema.map(WireComponents.double).described("Reported values by step (a decimal integer).")),
                .required("start_time", .int64), .optional("end_time", .int64), .required("heartbeat_time", .int64),
                .optional(
                    "retry_of",
                    Schema.integer(minimum: 0, format: "int64").described(
                        "The number of the failed trial this one retries.")),
            ])
        ),
    ]
}
