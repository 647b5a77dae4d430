import SkiffCore
import SkiffRouting

/// Schemas of the model registry's and webhooks' request fields, with the rules `RegistryService` and
/// `WebhookService` enforce, so a value the document allows is one the service takes.
enum RegistryWire {
    /// The end of the text. `$` alone also matches before a final newline in Python's `re`, which fuzzers
    /// generate and validate with, while the services refuse that newline.
    static let end = "$(?![\\s\\S])"
    /// `RegistryService.maxTagValue`, which SkiffCore does not export.
    static let tagValueMaxLength = 100_000

    /// A registered-model name for create and rename (`RegistryService.validateModelName`): not blank (by Swift's
    /// `isWhitespace`), ≤ 500 characters, no control character, `/`, `:` or `%XX` escape, not `.` or `..`.
    static let modelName = Schema.string(
        minLength: 1, maxLength: 500,
        pattern: "^(?!\\.\\.?$)(?![\\s\\S]*%[0-9A-Fa-f]{2})"
            + "(?=[\\s\\S]*[^\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])"
            + "[^\\u0000-\\u001F/:]+" + end)
    /// The name of an existing registered model: lookups only require it non-empty (a bad name is a 404).
    static let name = Schema.nonEmptyString()
    /// A version number: a positive int64 as a decimal string (`Int64(text)`, so a leading `+` or zeros pass).
    /// The schema states up to 18 significant digits; larger ones in range name no version (404).
    static let version = Schema.string(pattern: "^\\+?0*[1-9][0-9]{0,17}" + end)
        .described("A positive integer as a decimal string.")
    /// An alias to set or delete (`RegistryService.validateAlias`): letters, digits, `_` and `-`, ≤ 255
    /// characters, not `latest` and not `v<digits>` in any case (those name versions).
    static let alias = Schema.string(
        minLength: 1, maxLength: 255, pattern: "^(?![Ll][Aa][Tt][Ee][Ss][Tt]$)(?![Vv]\\d+$)[\\w-]+" + end)
    /// A model-version stage, matched case-insensitively.
    static let stage = Schema.string(pattern: anyCase(ModelStage.allCases.map(\.rawValue), comparing: .lowercased))
        .described("None, Staging, Production or Archived, in any case.")
    /// A registry tag key: non-empty, ≤ 250 characters (the registry checks no character set).
    static let tagKey = Schema.nonEmptyString(maxLength: Limits.maxEntityKeyLength)
    /// A registry tag value.
    static let tagValue = Schema.string(maxLength: tagValueMaxLength)
    /// Registry `tags` lists.
    static let tags = Wire.tags(valueMaxLength: tagValueMaxLength)
    /// An optional run or logged-model id: empty means absent, otherwise a run-id-shaped string.
    static let optionalID = Schema.string(pattern: "^(?:[a-zA-Z0-9][a-zA-Z0-9_-]{0,255})?" + end)
    /// `registered-models/search`'s page size (100 by default).
    static let modelsMaxResults = Wire.positive(max: 1000)
    /// `model-versions/search`'s page size (10000 by default).
    static let versionsMaxResults = Wire.positive(max: 200_000)

    // MARK: Webhooks

    /// A webhook name (`WebhookService.validateName`): 1 to 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends.
    static let webhookName = Schema.string(pattern: "^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?" + end)
    /// A webhook URL: http(s), ≤ 2048 characters, with a host Foundation's `URLComponents` parses (an RFC 3986
    /// reg-name of ASCII characters and escapes, or a bracketed IPv6 literal; no `xn--` label, which must be
    /// valid punycode) and no user info, as `DestinationPolicy` requires. Path, query and fragment may hold
    /// anything: `URLComponents` escapes what is invalid there.
    static let webhookURL = Schema.string(
        maxLength: 2048,
        pattern: "^[Hh][Tt][Tt][Pp][Ss]?://(?!(?:[^/?#.]*\\.)*[Xx][Nn]--)"
            + "(?:(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-7][0-9A-Fa-f])+|\\[[0-9A-Fa-f:.]+\\])"
            + "(?::[0-9]*)?(?:[/?#][\\s\\S]*)?" + end
    ).described(
        "Unless the server allows private destinations, the host must also resolve, and only to public addresses.")
    /// A webhook id: it has a run id's shape (`Validate.runID`).
    static let webhookID = Wire.runID
    /// `webhooks/list`'s page size (100 by default).
    static let webhooksMaxResults = Wire.positive(max: 1000)
    /// `status` on create and update: empty means unchanged (ACTIVE on create); compared after `uppercased()`.
    static let webhookStatus = Schema.string(pattern: anyCase(["", "ACTIVE", "DISABLED"], comparing: .uppercased))
    /// The events a webhook may subscribe to: `WebhookEvent.valid`, each name in any case, at least one.
    static let webhookEvents = Schema.array(
        .anyOf(
            WebhookEvent.valid.sorted {
                ($0.entity.rawValue, $0.action.rawValue) < ($1.entity.rawValue, $1.action.rawValue)
            }
            .map { event in
                .object([
                    .required("entity", .string(pattern: anyCase([event.entity.rawValue], comparing: .lowercased))),
                    .required("action", .string(pattern: anyCase([event.action.rawValue], comparing: .lowercased))),
                ])
            }),
        minItems: 1)
    /// The event of a test delivery: any entity with any action (a test need not be one the webhook takes).
    static let testEvent = Schema.object([
        .required(
            "entity", .string(pattern: anyCase(RegistryEvent.Entity.allCases.map(\.rawValue), comparing: .lowercased))),
        .required(
            "action", .string(pattern: anyCase(RegistryEvent.Action.allCases.map(\.rawValue), comparing: .lowercased))),
    ])

    /// How the service folds case before comparing.
    enum Folding {
        case lowercased, uppercased
    }

    /// A pattern matching exactly the strings that equal one of `words` after Swift's `lowercased()` or
    /// `uppercased()`: ASCII letters in either case, plus the non-ASCII letters that fold onto an ASCII one
    /// (Kelvin sign → `k`; dotless `ı` → `I`, long `ſ` → `S`). Ligatures that fold onto two letters (`ﬁ` → `FI`)
    /// are not handled; no word used here contains such a pair.
    static func anyCase(_ words: [String], comparing folding: Folding) -> String {
        let alternatives = words.map { word in
            word.map { c -> String in
                guard c.isASCII, c.isLetter else { return c == "." ? "\\." : String(c) }
                let lower = c.lowercased()
                let upper = c.uppercased()
                var extra = ""
                switch (folding, lower) {
                case (.lowercased, "k"): extra = "\\u212A"
                case (.uppercased, "i"): extra = "\\u0131"
                case (.uppercased, "s"): extra = "\\u017F"
                default: break
                }
                return "[" + upper + lower + extra + "]"
            }.joined()
        }
        return "^(?:" + alternatives.joined(separator: "|") + ")" + end
    }
}

/// Component schemas of the registry's and webhooks' answers, as `JSONWriter.registeredModel`, `modelVersion`
/// and `webhook` write them: optional values and empty lists are left out.
enum RegistryComponents {
    /// A version number as the writer gives it (`String(v.version)`).
    static let versionNumber = Schema.string(pattern: "^[1-9][0-9]*$")

    static let all: [(String, Schema)] = [
        (
            "ModelVersion",
            .object([
                .required("name", .string()), .required("version", versionNumber),
                .required("creation_timestamp", .int64), .required("last_updated_timestamp", .int64),
                .optional("user_id", .string()),
                .required("current_stage", .oneOf(ModelStage.allCases.map(\.rawValue))),
                .required("description", .string()), .required("source", .string()), .required("run_id", .string()),
                .required("status", .oneOf(["READY"])), .optional("tags", .array(.ref("Tag"))),
                .required("run_link", .string()), .optional("aliases", .array(.string())),
            ])
        ),
        ("RegisteredModelAlias", .object([.required("alias", .string()), .required("version", versionNumber)])),
        (
            "RegisteredModel",
            .object([
                .required("name", .string()), .required("creation_timestamp", .int64),
                .required("last_updated_timestamp", .int64), .optional("user_id", .string()),
                .optional("description", .string()), .optional("latest_versions", .array(.ref("ModelVersion"))),
                .optional("tags", .array(.ref("Tag"))), .optional("aliases", .array(.ref("RegisteredModelAlias"))),
            ])
        ),
        (
            "WebhookEvent",
            .object([
                .required("entity", .oneOf(RegistryEvent.Entity.allCases.map { $0.rawValue.uppercased() })),
                .required("action", .oneOf(RegistryEvent.Action.allCases.map { $0.rawValue.uppercased() })),
            ])
        ),
        (
            "Webhook",
            .object([
                .required("webhook_id", .string()), .required("name", .string()), .optional("description", .string()),
                .required("url", .string()), .optional("events", .array(.ref("WebhookEvent"))),
                .required("status", .oneOf(["ACTIVE", "DISABLED"])), .required("creation_timestamp", .int64),
                .required("last_updated_timestamp", .int64),
            ])
        ),
        (
            "WebhookTestResult",
            .object([
                .required("success", .boolean), .optional("response_status", .int64),
                .optional("response_body", .string()), .optional("error_message", .string()),
            ])
        ),
    ]
}
