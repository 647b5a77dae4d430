import SkiffJSON

/// A JSON Schema (the 2020-12 dialect OpenAPI 3.1 uses), as much of it as Skiff's routes need to state what
/// they accept and answer: types, lengths, patterns, ranges, enumerations, unions and references.
public struct Schema: Sendable {
    indirect enum Kind: Sendable {
        case string(minLength: Int?, maxLength: Int?, pattern: String?, format: String?)
        case integer(minimum: Int64?, maximum: Int64?, format: String?)
        case number(format: String?, minimum: Double?, maximum: Double?, exclusiveMaximum: Double?)
        case boolean
        case null
        case array(items: Schema, minItems: Int?, maxItems: Int?)
        case object(properties: [Property], additionalProperties: Bool)
        case map(values: Schema)
        case reference(String)
        case anyOf([Schema])
        case constants([JSON])
        case anything
    }

    let kind: Kind
    var description: String?

    init(_ kind: Kind) { self.kind = kind }

    /// A string, optionally bounded in length (in characters) and matched by an ECMA-262 `pattern`.
    public static func string(
        minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, format: String? = nil
    ) -> Schema {
        Schema(.string(minLength: minLength, maxLength: maxLength, pattern: pattern, format: format))
    }

    /// A non-empty string: the shape of every required MLflow identifier and name.
    public static func nonEmptyString(maxLength: Int? = nil, pattern: String? = nil) -> Schema {
        .string(minLength: 1, maxLength: maxLength, pattern: pattern)
    }

    /// An integer within `minimum...maximum`.
    public static func integer(minimum: Int64? = nil, maximum: Int64? = nil, format: String? = nil) -> Schema {
        Schema(.integer(minimum: minimum, maximum: maximum, format: format))
    }

    /// A signed 64-bit integer.
    public static let int64 = Schema.integer(minimum: .min, maximum: .max, format: "int64")
    /// A signed 32-bit integer.
    public static let int32 = Schema.integer(minimum: Int64(Int32.min), maximum: Int64(Int32.max), format: "int32")
    /// A finite double.
    public static let double = Schema(.number(format: "double", minimum: nil, maximum: nil, exclusiveMaximum: nil))

    /// A double within bounds.
    public static func number(minimum: Double? = nil, maximum: Double? = nil, exclusiveMaximum: Double? = nil) -> Schema
    {
        Schema(.number(format: "double", minimum: minimum, maximum: maximum, exclusiveMaximum: exclusiveMaximum))
    }
    /// `true` or `false`.
    public static let boolean = Schema(.boolean)
    /// JSON `null`.
    public static let null = Schema(.null)
    /// Any JSON value.
    public static let anything = Schema(.anything)

    /// An array of `items`.
    public static func array(_ items: Schema, minItems: Int? = nil, maxItems: Int? = nil) -> Schema {
        Schema(.array(items: items, minItems: minItems, maxItems: maxItems))
    }

    /// An object with `properties`; members not listed are allowed unless `additionalProperties` is false.
    public static func object(_ properties: [Property], additionalProperties: Bool = true) -> Schema {
        Schema(.object(properties: properties, additionalProperties: additionalProperties))
    }

    /// An object whose every member is a `values`.
    public static func map(_ values: Schema) -> Schema { Schema(.map(values: values)) }

    /// The component schema `name` (`#/components/schemas/<name>`).
    public static func ref(_ name: String) -> Schema { Schema(.reference(name)) }

    /// A value matching at least one of `schemas`.
    public static func anyOf(_ schemas: [Schema]) -> Schema { Schema(.anyOf(schemas)) }

    /// One of the strings `values`.
    public static func oneOf(_ values: [String]) -> Schema { Schema(.constants(values.map(JSON.string))) }

    /// One of the JSON values `values` (mixed types allowed, e.g. an enum by name or number).
    public static func constants(_ values: [JSON]) -> Schema { Schema(.constants(values)) }

    /// The same schema with a description.
    public func described(_ text: String) -> Schema {
        var copy = self
        copy.description = text
        return copy
    }

    /// The component names this schema refers to, directly or inside it.
    var references: [String] {
        switch kind {
        case .reference(let name): [name]
        case .array(let items, _, _): items.references
        case .object(let properties, _): properties.flatMap(\.schema.references)
        case .map(let values): values.references
        case .anyOf(let schemas): schemas.flatMap(\.references)
        default: []
        }
    }

    /// The properties of an object schema; empty for any other kind.
    public var properties: [Property] {
        if case .object(let properties, _) = kind { return properties }
        return []
    }

    /// The schema of the items of an array schema.
    public var items: Schema? {
        if case .array(let items, _, _) = kind { return items }
        return nil
    }

    /// Writes the schema. A request schema lets every optional member be `null` too: the parsers read a
    /// JSON `null` as an absent field, as protobuf's JSON parsing does.
    func write(to w: inout JSONWriter, request: Bool = false) {
        w.beginObject()
        if let description { w.field("description", description) }
        switch kind {
        case .string(let minLength, let maxLength, let pattern, let format):
            w.field("type", "string")
            if let minLength { w.field("minLength", Int64(minLength)) }
            if let maxLength { w.field("maxLength", Int64(maxLength)) }
            if let pattern { w.field("pattern", pattern) }
            if let format { w.field("format", format) }
        case .integer(let minimum, let maximum, let format):
            w.field("type", "integer")
            if let format { w.field("format", format) }
            if let minimum { w.field("minimum", minimum) }
            if let maximum { w.field("maximum", maximum) }
        case .number(let format, let minimum, let maximum, let exclusiveMaximum):
            w.field("type", "number")
            if let format { w.field("format", format) }
            if let minimum { w.field("minimum", minimum) }
            if let maximum { w.field("maximum", maximum) }
            if let exclusiveMaximum { w.field("exclusiveMaximum", exclusiveMaximum) }
        case .boolean:
            w.field("type", "boolean")
        case .null:
            w.field("type", "null")
        case .array(let items, let minItems, let maxItems):
            w.field("type", "array")
            w.key("items")
            items.write(to: &w, request: request)
            if let minItems { w.field("minItems", Int64(minItems)) }
            if let maxItems { w.field("maxItems", Int64(maxItems)) }
        case .object(let properties, let additionalProperties):
            w.field("type", "object")
            if !properties.isEmpty {
                w.key("properties")
                w.beginObject()
                for property in properties {
                    w.key(property.name)
                    if request, !property.isRequired {
                        Schema.anyOf([property.schema, .null]).write(to: &w, request: true)
                    } else {
                        property.schema.write(to: &w, request: request)
                    }
                }
                w.endObject()
                let required = properties.filter(\.isRequired).map(\.name)
                if !required.isEmpty { w.array("required", required) { $0.string($1) } }
            }
            if !additionalProperties { w.field("additionalProperties", false) }
        case .map(let values):
            w.field("type", "object")
            w.key("additionalProperties")
            values.write(to: &w, request: request)
        case .reference(let name):
            w.field("$ref", "#/components/schemas/" + name)
        case .anyOf(let schemas):
            w.array("anyOf", schemas) { $1.write(to: &$0, request: request) }
        case .constants(let values):
            w.array("enum", values) { $0.value($1) }
        case .anything:
            break
        }
        w.endObject()
    }
}

/// A member of an object schema.
public struct Property: Sendable {
    public let name: String
    public let schema: Schema
    public let isRequired: Bool

    /// A member that must be present.
    public static func required(_ name: String, _ schema: Schema) -> Property {
        Property(name: name, schema: schema, isRequired: true)
    }

    /// A member that may be absent.
    public static func optional(_ name: String, _ schema: Schema) -> Property {
        Property(name: name, schema: schema, isRequired: false)
    }
}
