import GRDB
import SkiffCore

/// Turns filter comparisons into SQL with bound arguments; values are never spliced into SQL text.
enum SQLText {
    /// `column <op> ?` for one clause, appending its argument(s).
    ///
    /// `LIKE` is case-sensitive in MLflow on every backend, so it becomes SQLite's case-sensitive `GLOB`
    /// with the pattern translated; `ILIKE` becomes SQLite's ASCII case-insensitive `LIKE`.
    static func compare(_ column: String, _ clause: FilterClause, _ arguments: inout StatementArguments) -> String {
        switch clause.op {
        case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual:
            switch clause.value {
            case .number(let n): _ = arguments.append(contentsOf: [n])
            case .string(let s): _ = arguments.append(contentsOf: [s])
            default: _ = arguments.append(contentsOf: [DatabaseValue.null])
            }
            let op = clause.op == .notEqual ? "!=" : clause.op.rawValue
            return "\(column) \(op) ?"
        case .like:
            _ = arguments.append(contentsOf: [globPattern(clause.value.string ?? "")])
            return "\(column) GLOB ?"
        case .ilike:
            _ = arguments.append(contentsOf: [clause.value.string ?? ""])
            return "\(column) LIKE ?"
        case .in, .notIn:
            guard case .list(let items) = clause.value, !items.isEmpty else {
                return clause.op == .in ? "0" : "1"
            }
            _ = arguments.append(contentsOf: [jsonArray(items)])
            let not = clause.op == .notIn ? "NOT " : ""
            return "\(column) \(not)IN (SELECT value FROM json_each(?))"
        case .isNull:
            return "\(column) IS NULL"
        case .isNotNull:
            return "\(column) IS NOT NULL"
        }
    }

    /// Translates a SQL LIKE pattern (`%`, `_`) into a GLOB pattern, escaping GLOB's own wildcards.
    static func globPattern(_ like: String) -> String {
        var out = ""
        for c in like {
            switch c {
            case "%": out.append("*")
            case "_": out.append("?")
            case "*": out.append("[*]")
            case "?": out.append("[?]")
            case "[": out.append("[[]")
            default: out.append(c)
            }
        }
        return out
    }

    /// A JSON array of strings, for `json_each(?)` (one bound argument however long the list).
    static func jsonArray(_ items: [String]) -> String {
        var out = "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for scalar in item.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            out += "\""
        }
        return out + "]"
    }
}
