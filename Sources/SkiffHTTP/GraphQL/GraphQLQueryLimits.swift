import GraphQL

/// The bounds a `/graphql` request must stay within before it is parsed and run.
///
/// MLflow's server refuses queries deeper than 10 selection levels, with more than 1,000 selections, more
/// than 10 root fields or more than 10 aliases on one level (aliases multiply the work of one request).
/// Skiff keeps those limits and messages, and adds two checks before parsing, because the parser and the
/// validator recurse: a query text of at most 256 KiB, and brackets nested at most 64 deep. A run search returns at
/// most 1,000 runs per page (MLflow's REST default; its GraphQL takes up to 50,000, which the executor turns into
/// millions of resolved values).
enum GraphQLQueryLimits {
    static let maxQueryBytes = 256 * 1024
    static let maxNesting = 64
    static let maxDepth = 10
    static let maxSelections = 1000
    static let maxRootFields = 10
    static let maxAliases = 10
    static let maxRunsPerSearch = 1000

    /// Refuses a query text that is too long or nests `{`, `[` or `(` too deeply, skipping strings,
    /// block strings and comments, so that parsing it cannot exhaust the stack.
    /// - Returns: the reason the text is refused, or nil.
    static func textProblem(_ query: String) -> String? {
        let bytes = Array(query.utf8)
        guard bytes.count <= maxQueryBytes else {
            return "GraphQL queries should be at most \(maxQueryBytes / 1024) KiB long."
        }
        var depth = 0
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "#"):
                while i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
            case UInt8(ascii: "\""):
                if i + 2 < bytes.count, bytes[i + 1] == 0x22, bytes[i + 2] == 0x22 {
                    i += 3
                    while i < bytes.count {
                        if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[i + 1] == 0x22,
                            bytes[i + 2] == 0x22, bytes[i + 3] == 0x22
                        {
                            i += 4
                            continue
                        }
                        if bytes[i] == 0x22, i + 2 < bytes.count, bytes[i + 1] == 0x22, bytes[i + 2] == 0x22 {
                            i += 2
                            break
                        }
                        i += 1
                    }
                } else {
                    i += 1
                    while i < bytes.count, bytes[i] != 0x22, bytes[i] != 0x0A {
                        if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                        i += 1
                    }
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("):
                depth += 1
                if depth > maxNesting { return "GraphQL queries should nest at most \(maxNesting) levels deep." }
            case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                depth -= 1
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// Checks a parsed document against MLflow's limits, counting the fields of fragments where they are
    /// spread (each fragment once per level, so a cycle cannot loop).
    /// - Returns: MLflow's message for the first limit exceeded, or nil.
    static func documentProblem(_ document: Document) -> String? {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions {
            fragments[fragment.name.value] = fragment
        }
        var rootFields = 0
        var maxAliasesSeen = 0
        var selections = 0
        for case let operation as OperationDefinition in document.definitions {
            var stack: [(SelectionSet, Int)] = [(operation.selectionSet, 1)]
            while let (set, depth) = stack.popLast() {
                guard depth <= maxDepth else { return "Query exceeds maximum depth of \(maxDepth)" }
                let (fields, aliases) = fieldsOfLevel(set, fragments)
                for field in fields {
                    if depth == 1 { rootFields += 1 }
                    if let child = field.selectionSet { stack.append((child, depth + 1)) }
                    selections += 1
                    if selections > maxSelections {
                        return "Query exceeds maximum total selections of \(maxSelections)"
                    }
                }
                maxAliasesSeen = max(maxAliasesSeen, aliases)
            }
        }
        if rootFields > maxRootFields {
            return "GraphQL queries should have at most \(maxRootFields) root fields, got \(rootFields) root fields."
        }
        if maxAliasesSeen > maxAliases {
            return "GraphQL queries should have at most \(maxAliases) aliases, got \(maxAliasesSeen) aliases."
        }
        return nil
    }

    /// The fields of one selection level, with inline fragments and spread fragments merged in, and the
    /// number of aliases among them.
    private static func fieldsOfLevel(
        _ set: SelectionSet, _ fragments: [String: FragmentDefinition]
    ) -> ([Field], Int) {
        var fields: [Field] = []
        var aliases = 0
        var pending: [any Selection] = set.selections
        var spread: Set<String> = []
        // Bounded: each fragment is expanded at most once per level, and a level's own fields are finite.
        while let selection = pending.popLast() {
            switch selection {
            case let field as Field:
                fields.append(field)
                if field.alias != nil { aliases += 1 }
            case let inline as InlineFragment:
                pending.append(contentsOf: inline.selectionSet.selections)
            case let spreadNode as FragmentSpread:
                let name = spreadNode.name.value
                if spread.insert(name).inserted, let fragment = fragments[name] {
                    pending.append(contentsOf: fragment.selectionSet.selections)
                }
            default:
                break
            }
        }
        return (fields, aliases)
    }
}
