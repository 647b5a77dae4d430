import Logging
import PostgresNIO
import SkiffCore

/// SQL text with its bound values: values are always `$n` parameters, never spliced into the text.
///
/// `sql.bind(value)` appends a value and returns its placeholder, so a statement reads in order:
/// `sql += "WHERE name = \(sql.bind(name))"`.
struct SQL: Sendable {
    var text: String
    var binds = PostgresBindings()

    init(_ text: String = "") { self.text = text }

    /// Appends a value; returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Appends a value or NULL; returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    static func += (sql: inout SQL, text: String) { sql.text += text }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}

extension PostgresConnection {
    /// Runs a statement and returns every row.
    func rows(_ sql: SQL, _ logger: Logger) async throws -> [PostgresRow] {
        try await query(sql.query, logger: logger).collect()
    }

    /// Runs a statement, discarding rows.
    func run(_ sql: SQL, _ logger: Logger) async throws {
        _ = try await query(sql.query, logger: logger).collect()
    }

    /// Runs a statement that ends in `RETURNING 1` (or returns any rows) and counts them: the rows it changed.
    @discardableResult
    func count(_ sql: SQL, _ logger: Logger) async throws -> Int {
        try await query(sql.query, logger: logger).collect().count
    }
}

/// Filter comparisons as PostgreSQL conditions with bound values.
enum SQLFilter {
    /// `column <op> $n` for one clause.
    ///
    /// `LIKE` is case-sensitive in MLflow on every backend and `ILIKE` is not; both run with no escape
    /// character, so `\` is an ordinary character as on SQLite. Text columns are `COLLATE "C"`, so order and
    /// comparisons are by code point, the same as SQLite's binary collation.
    static func compare(_ column: String, _ clause: FilterClause, _ sql: inout SQL, numeric: Bool) -> String {
        switch clause.op {
        case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual:
            let op = clause.op == .notEqual ? "<>" : clause.op.rawValue
            switch clause.value {
            case .number(let n):
                // A number against a text column compares as text would on SQLite: never equal.
                return numeric ? "\(column) \(op) \(sql.bind(n))" : "FALSE"
            case .string(let s):
                if numeric {
                    // Text that is no number never equals a number column (as SQLite compares them).
                    guard let n = Double(s) else { return clause.op == .notEqual ? "TRUE" : "FALSE" }
                    return "\(column) \(op) \(sql.bind(n))"
                }
                return "\(column) \(op) \(sql.bind(s))"
            default:
                return "FALSE"
            }
        case .like:
            return "\(column)::text LIKE \(sql.bind(clause.value.string ?? "")) ESCAPE ''"
        case .ilike:
            return "\(column)::text ILIKE \(sql.bind(clause.value.string ?? "")) ESCAPE ''"
        case .in, .notIn:
            guard case .list(let items) = clause.value, !items.isEmpty else {
                return clause.op == .in ? "FALSE" : "TRUE"
            }
            let not = clause.op == .notIn ? "NOT " : ""
            return "\(not)(\(column)::text = ANY(\(sql.bind(items))))"
        case .isNull:
            return "\(column) IS NULL"
        case .isNotNull:
            return "\(column) IS NOT NULL"
        }
    }
}
