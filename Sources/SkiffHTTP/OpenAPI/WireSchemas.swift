import SkiffCore
import SkiffRouting

/// The grammar of proto-JSON scalars that arrive as strings; the request parsers and the schemas below both use
/// it, so what the document allows is exactly what a handler accepts.
enum WireGrammar {
    /// An int64 as a decimal string (the schema states up to 18 digits; 19 in range are accepted too).
    static let integerPattern = "^-?[0-9]{1,18}$(?![\\s\\S])"
    /// A double as a string: a JSON number, or a non-finite value by name.
    static let numberPattern =
        "^(-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?|NaN|nan|-?(Infinity|inf|Inf))$(?![\\s\\S])"

    static func isDecimalInteger(_ s: String) -> Bool {
        var digits = s.utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.count <= 19 && digits.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Whether `s` is a JSON number (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`).
    static func isDecimalNumber(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            return false
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == b.count
    }
}

/// Schemas of the request fields MLflow's calls share, with the limits the handlers enforce.
enum Wire {
    /// An int64 field: a JSON integer or its decimal string (proto JSON accepts both).
    static let int64 = Schema.anyOf([.int64, .string(pattern: WireGrammar.integerPattern)])
    /// An int32-sized field (`max_results` and the like).
    static let int32 = Schema.anyOf([.int32, .string(pattern: "^-?[0-9]{1,9}$(?![\\s\\S])")])
    /// A count in `1...max` (`max_results` and the like): a JSON integer, or a decimal string (stated up to one
    /// digit fewer than `max` has, which is always in range).
    static func positive(max: Int) -> Schema {
        let digits = String(max).count - 1
        return .anyOf([
            .integer(minimum: 1, maximum: Int64(max)),
            .string(pattern: "^[1-9][0-9]{0,\(Swift.max(digits - 1, 0))}$(?![\\s\\S])"),
        ])
    }
    /// A double field: a JSON number, or a string holding one or `NaN` / `Infinity` / `-Infinity`.
    static let double = Schema.anyOf([.double, .string(pattern: WireGrammar.numberPattern)])
    /// `true`/`false`, or the text `true`/`false` as a query string sends it.
    static let boolean = Schema.anyOf([
        .boolean, .string(pattern: "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$(?![\\s\\S])"),
    ])

    /// A proto enum field, by name or by number (as a JSON number or its text).
    static func enumeration(_ names: [String], numbers: ClosedRange<Int>) -> Schema {
        .constants(
            names.map { .string($0) } + numbers.map { .number(String($0)) } + numbers.map { .string(String($0)) })
    }

    /// `view_type` / `run_view_type` (empty: the default, ACTIVE_ONLY).
    static let viewType = enumeration(["", "ACTIVE_ONLY", "DELETED_ONLY", "ALL"], numbers: 1...3)
    /// A run's status.
    static let runStatus = enumeration(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"], numbers: 1...5)

    /// A metric, param or tag key: `[\w/.\- :]`, not a path that normalises to another name, ≤ 250 characters.
    static let entityKey = Schema.string(
        minLength: 1, maxLength: Limits.maxEntityKeyLength,
        pattern: "^(?!/)(?!.*//)(?!.*/$)(?!(.*/)?\\.\\.?(/|$))[\\w/.\\- :]+$(?![\\s\\S])")
    /// A run id.
    static let runID = Schema.string(pattern: "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,255}$(?![\\s\\S])")
    /// An experiment id: a decimal integer.
    static let experimentID = Schema.string(pattern: "^[0-9]{1,18}$(?![\\s\\S])")
    /// An experiment name: not blank, ≤ 500 characters, no NUL.
    static let experimentName = Schema.string(
        minLength: 1, maxLength: Limits.maxExperimentNameLength, pattern: "^(?=[\\s\\S]*\\S)[^\\u0000]*$(?![\\s\\S])")
    /// A list of experiment ids; like every repeated scalar, an item may also be a JSON number.
    static let experimentIDs = Schema.array(
        .anyOf([experimentID, .integer(minimum: 0, maximum: 999_999_999_999_999_999)]))
    /// A page token from a previous answer.
    static let pageToken = Schema.string()
    /// A search filter in MLflow's grammar.
    static let filter = Schema.string(maxLength: Limits.maxFilterLength)
    /// `order_by` clauses.
    static let orderBy = Schema.array(.string())
    /// A list of `{key, value}` tags.
    static func tags(keyMaxLength: Int = Limits.maxEntityKeyLength, valueMaxLength: Int) -> Schema {
        .array(
            .object([
                .required("key", .string(minLength: 1, maxLength: keyMaxLength)),
                .optional("value", .string(maxLength: valueMaxLength)),
            ]))
    }
}

/// Component schemas of MLflow's answers, shared by the operations that return them.
enum WireComponents {
    /// A double in an answer: a number, or `NaN` / `Infinity` / `-Infinity` as proto JSON writes them.
    static let double = Schema.anyOf([.double, .oneOf(["NaN", "Infinity", "-Infinity"])])

    static let tag = Schema.object([.required("key", .string()), .optional("value", .string())])

    static let all: [(String, Schema)] = [
        ("Error", .object([.required("error_code", .string()), .required("message", .string())])),
        ("Tag", tag),
        (
            "Experiment",
            .object([
                .required("experiment_id", .string()), .required("name", .string()),
                .optional("artifact_location", .string()), .optional("lifecycle_stage", .oneOf(["active", "deleted"])),
                .optional("last_update_time", .int64), .optional("creation_time", .int64),
                .optional("tags", .array(.ref("Tag"))),
            ])
        ),
        (
            "Metric",
            .object([
                .required("key", .string()), .required("value", double), .required("timestamp", .int64),
                .optional("step", .int64), .optional("model_id", .string()), .optional("dataset_name", .string()),
                .optional("dataset_digest", .string()), .optional("run_id", .string()),
            ])
        ),
        (
            "RunInfo",
            .object([
                .required("run_id", .string()), .optional("run_uuid", .string()),
                .required("experiment_id", .string()), .optional("run_name", .string()),
                .optional("user_id", .string()),
                .optional("status", .oneOf(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"])),
                .optional("start_time", .int64), .optional("end_time", .int64), .optional("artifact_uri", .string()),
                .optional("lifecycle_stage", .oneOf(["active", "deleted"])),
            ])
        ),
        (
            "Dataset",
            .object([
                .required("name", .string()), .required("digest", .string()), .required("source_type", .string()),
                .required("source", .string()), .optional("schema", .string()), .optional("profile", .string()),
            ])
        ),
        (
            "Run",
            .object([
                .required("info", .ref("RunInfo")),
                .optional(
                    "data",
                    .object([
                        .optional("metrics", .array(.ref("Metric"))), .optional("params", .array(.ref("Tag"))),
                        .optional("tags", .array(.ref("Tag"))),
                    ])),
                .optional(
                    "inputs",
                    .object([
                        .optional(
                            "dataset_inputs",
                            .array(
                                .object([
                                    .optional("tags", .array(.ref("Tag"))), .required("dataset", .ref("Dataset")),
                                ]))),
                        .optional("model_inputs", .array(.object([.required("model_id", .string())]))),
                    ])),
                .optional(
                    "outputs",
                    .object([
                        .optional(
                            "model_outputs",
                            .array(.object([.required("model_id", .string()), .optional("step", .int64)])))
                    ])),
            ])
        ),
    ]
}
