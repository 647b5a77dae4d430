import SkiffCore
import SkiffJSON
import SkiffRouting

/// The parameters of one MLflow API call, from the query string (GET) or the JSON body.
///
/// Getters apply protobuf-JSON's leniency the client relies on: int64s as numbers or strings, enums by
/// name or number, doubles as numbers or `"NaN"`/`"Infinity"` strings, a field under its snake_case or
/// camelCase name (but not both). Every failure is a `SkiffError` with MLflow's wording, never a 5xx.
struct RequestParameters: Sendable {
    private var path: [String: String] = [:]
    private let body: JSONObject
    private let query: [String: [String]]
    private let fromQuery: Bool
    /// Whether any key could be a camelCase alias; when none is, lookups skip the alias logic (hot path).
    private let hasUppercaseKeys: Bool
    /// The fields the route declares; in debug builds reading any other is a programming error, so a handler
    /// cannot read a field its OpenAPI description leaves out. `nil`: not checked (GraphQL's internal calls).
    private var declared: [Property]?

    init(query: [String: [String]]) {
        self.query = query
        self.body = JSONObject()
        self.fromQuery = true
        self.hasUppercaseKeys = query.keys.contains { $0.utf8.contains { $0 >= 65 && $0 <= 90 } }
    }

    init(body: JSONObject) {
        self.body = body
        self.query = [:]
        self.fromQuery = false
        self.hasUppercaseKeys = body.keys.contains { $0.utf8.contains { $0 >= 65 && $0 <= 90 } }
    }

    /// Bounds the fields a handler may read to `fields` (checked in debug builds).
    mutating func declare(_ fields: [Property]) {
        declared = fields
    }

    private func checkDeclared(_ name: String) {
        assert(
            declared == nil || declared!.contains { $0.name == name },
            "the handler reads '\(name)', which its route does not declare")
    }

    /// The declared properties of the items of the array field `name`, or of the object field `name`.
    private func nestedShape(_ name: String) -> [Property]? {
        guard let field = declared?.first(where: { $0.name == name }) else { return nil }
        let schema = field.schema.items ?? field.schema
        let properties = schema.properties
        return properties.isEmpty ? nil : properties
    }

    /// Sets a value taken from the route (`logged-models/:model_id`); it wins over query and body.
    mutating func setPathParameter(_ name: String, _ value: String) {
        path[name] = value
    }

    /// The raw JSON value of a field (body only), honouring camelCase aliases.
    func json(_ name: String) throws(SkiffError) -> JSON? {
        if let value = path[name] { return .string(value) }
        checkDeclared(name)
        if fromQuery {
            let values = hasUppercaseKeys ? query[name] ?? query[Self.camel(name)] : query[name]
            guard let first = values?.first else { return nil }
            return .string(first)
        }
        guard hasUppercaseKeys else {
            let value = body[name]
            if case .null = value { return nil }
            return value
        }
        let camel = Self.camel(name)
        let a = body[name]
        let b = camel == name ? nil : body[camel]
        if a != nil, b != nil {
            throw .invalid("Both '\(name)' and '\(camel)' were given; send only one.")
        }
        let value = a ?? b
        if case .null = value { return nil }
        return value
    }

    /// An optional string. A number, bool, list or object is refused, as MLflow's proto parsing refuses it.
    func string(_ name: String) throws(SkiffError) -> String? {
        guard let value = try json(name) else { return nil }
        guard case .string(let s) = value else { throw Self.typeError(name, value) }
        return s
    }

    /// A required, non-empty string.
    func requiredString(_ name: String) throws(SkiffError) -> String {
        guard let s = try string(name), !s.isEmpty else { throw .missingParameter(name) }
        return s
    }

    /// The first present of several names (e.g. `run_id` then `run_uuid`), required.
    func requiredString(anyOf names: String...) throws(SkiffError) -> String {
        for name in names {
            if let s = try string(name), !s.isEmpty { return s }
        }
        throw .missingParameter(names[0])
    }

    /// An optional int64, from a JSON number or a decimal string.
    func int64(_ name: String) throws(SkiffError) -> Int64? {
        guard let value = try json(name) else { return nil }
        switch value {
        case .number(let n):
            if let v = Int64(n) { return v }
            if let d = Double(n), d.rounded() == d, d >= -0x1p63, d < 0x1p63 { return Int64(d) }
        case .string(let s):
            // Proto JSON's int64 as a decimal string; nothing looser (no exponent, sign or spaces besides `-`).
            if WireGrammar.isDecimalInteger(s), let v = Int64(s) { return v }
        default: break
        }
        throw Self.typeError(name, value)
    }

    /// An optional Int.
    func int(_ name: String) throws(SkiffError) -> Int? {
        guard let v = try int64(name) else { return nil }
        guard let i = Int(exactly: v) else { throw Self.typeError(name, .number(String(v))) }
        return i
    }

    /// An optional bool: JSON true/false or `true`/`false` text in any case.
    func bool(_ name: String) throws(SkiffError) -> Bool? {
        guard let value = try json(name) else { return nil }
        switch value {
        case .bool(let b): return b
        case .string(let s):
            switch s.lowercased() {
            case "true": return true
            case "false": return false
            default: throw Self.typeError(name, value)
            }
        default: throw Self.typeError(name, value)
        }
    }

    /// An optional proto enum as text: its name, or its number, as proto JSON parsing accepts both; the
    /// enum's `wireValue` parser reads either.
    func enumText(_ name: String) throws(SkiffError) -> String? {
        guard let value = try json(name) else { return nil }
        switch value {
        case .string(let s): return s
        case .number(let n):
            guard Int(n) != nil else { throw Self.typeError(name, value) }
            return n
        default: throw Self.typeError(name, value)
        }
    }

    /// Repeated values: a JSON array of scalars, or a repeated query key.
    func strings(_ name: String) throws(SkiffError) -> [String] {
        if fromQuery {
            checkDeclared(name)
            return query[name] ?? (hasUppercaseKeys ? query[Self.camel(name)] : nil) ?? []
        }
        guard let value = try json(name) else { return [] }
        switch value {
        case .array(let items):
            return try items.map { item throws(SkiffError) in
                switch item {
                case .string(let s): return s
                case .number(let n): return n
                default: throw Self.typeError(name, value)
                }
            }
        default: throw Self.typeError(name, value)
        }
    }

    /// A JSON array of objects (body only); empty when absent.
    func objects(_ name: String) throws(SkiffError) -> [RequestParameters] {
        guard let value = try json(name) else { return [] }
        switch value {
        case .array(let items):
            let shape = nestedShape(name)
            return try items.map { item throws(SkiffError) in
                guard case .object(let o) = item else { throw Self.typeError(name, value) }
                var nested = RequestParameters(body: o)
                nested.declared = shape
                return nested
            }
        default: throw Self.typeError(name, value)
        }
    }

    /// A nested object (body only).
    func object(_ name: String) throws(SkiffError) -> RequestParameters? {
        guard let value = try json(name) else { return nil }
        guard case .object(let o) = value else { throw Self.typeError(name, value) }
        var nested = RequestParameters(body: o)
        nested.declared = nestedShape(name)
        return nested
    }

    /// A required double; NaN and ±infinity arrive as strings. Booleans are refused, as in MLflow.
    func requiredDouble(_ name: String) throws(SkiffError) -> Double {
        guard let value = try json(name) else { throw .missingParameter(name) }
        switch value {
        case .number(let n):
            guard let d = Double(n) else { throw Self.typeError(name, value) }
            return d
        case .string(let s):
            switch s {
            case "NaN", "nan": return .nan
            case "Infinity", "inf", "Inf": return .infinity
            case "-Infinity", "-inf", "-Inf": return -.infinity
            default:
                guard WireGrammar.isDecimalNumber(s), let d = Double(s) else { throw Self.typeError(name, value) }
                return d
            }
        default:
            throw Self.typeError(name, value)
        }
    }

    /// The `key`/`value` pairs of a list field such as `tags`.
    func tags(_ name: String) throws(SkiffError) -> [Tag] {
        try objects(name).map { item throws(SkiffError) in
            Tag(key: try item.requiredString("key"), value: try item.string("value") ?? "")
        }
    }

    /// MLflow's message for a value of the wrong type: the value as compact JSON with sorted keys and its
    /// Python type name, as `_validate_param_against_schema` words it after proto parsing failed.
    static func typeError(_ name: String, _ value: JSON) -> SkiffError {
        .invalid(
            "Invalid value \(pythonJSON(value)) for parameter '\(name)' supplied:  Hint: Value was of type "
                + "'\(pythonType(value))'. See the API docs for more information about request parameters.")
    }

    /// `json.dumps(value, sort_keys=True, separators=(",", ":"))`, bounded so a huge value makes a short message.
    static func pythonJSON(_ value: JSON) -> String {
        var text = ""
        func write(_ value: JSON, depth: Int) {
            guard text.utf8.count < 400, depth < 8 else { return }
            switch value {
            case .null: text += "null"
            case .bool(let b): text += b ? "true" : "false"
            case .number(let n): text += n
            case .string(let s): text += PythonJSON.string(s)
            case .array(let items):
                text += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { text += "," }
                    write(item, depth: depth + 1)
                }
                text += "]"
            case .object(let object):
                text += "{"
                for (i, member) in object.members.sorted(by: { $0.key < $1.key }).enumerated() {
                    if i > 0 { text += "," }
                    text += PythonJSON.string(member.key) + ":"
                    write(member.value, depth: depth + 1)
                }
                text += "}"
            }
        }
        write(value, depth: 0)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// The Python type `json.loads` gives a value.
    static func pythonType(_ value: JSON) -> String {
        switch value {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .number(let n): return n.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? "float" : "int"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }

    static func camel(_ snake: String) -> String {
        guard snake.utf8.contains(UInt8(ascii: "_")) else { return snake }
        var out = ""
        var upper = false
        for c in snake {
            if c == "_" {
                upper = true
            } else if upper {
                out += c.uppercased()
                upper = false
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Parses `a=1&b=2&b=3` with `+` as space and percent-decoding.
    static func parseQuery(_ query: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decodeComponent(parts[0])
            let value = parts.count > 1 ? decodeComponent(parts[1]) : ""
            result[key, default: []].append(value)
        }
        return result
    }

    static func decodeComponent(_ text: Substring) -> String {
        PathDecoding.decodeOnce(text.replacingOccurrences(of: "+", with: " "))
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
