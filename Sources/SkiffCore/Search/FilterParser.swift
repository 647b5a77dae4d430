/// Tokenises and parses MLflow's SQL-like search filters into raw clauses.
///
/// The grammar: `clause (AND clause)*`, where a clause is `identifier operator value`. Identifiers are
/// `prefix.key` (the key may be quoted with backticks or double quotes) or a bare attribute name.
/// Which prefixes, keys and operators are allowed is decided by each search's grammar (`RunSearchGrammar`,
/// `ExperimentSearchGrammar`), not here. Input length is bounded by the caller.
struct FilterParser {
    /// An identifier before entity resolution: `prefix.key` or a bare `key`.
    struct Identifier: Equatable {
        var prefix: String?
        var key: String
    }

    /// A clause whose identifier is not yet resolved to an entity.
    struct RawClause: Equatable {
        var identifier: Identifier
        var op: FilterOperator
        var value: FilterValue
        /// The value was written without quotes (numbers and bare words).
        var valueWasQuoted: Bool
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private let source: String

    init(_ text: String) {
        self.source = text
        self.scalars = Array(text.unicodeScalars)
    }

    /// The longest filter Skiff parses; longer ones are refused before any work (a DoS guard).
    static let maxLength = Limits.maxFilterLength

    /// Parses a whole filter string. An empty or blank string yields no clauses.
    static func parseClauses(_ text: String) throws(SkiffError) -> [RawClause] {
        guard text.utf8.count <= maxLength else {
            throw .invalid("Filter string is too long (more than \(maxLength) bytes).")
        }
        var parser = FilterParser(text)
        var clauses: [RawClause] = []
        parser.skipSpace()
        if parser.atEnd { return [] }
        while true {
            clauses.append(try parser.clause())
            guard clauses.count <= Limits.maxFilterClauses else {
                throw .invalid(
                    "Filter has more than \(Limits.maxFilterClauses) clauses; split the search or use IN (...) lists.")
            }
            parser.skipSpace()
            if parser.atEnd { break }
            guard parser.readKeyword("AND") else {
                throw parser.error("expected 'AND' between clauses")
            }
        }
        return clauses
    }

    /// Parses one order-by term: `identifier [ASC|DESC]`.
    static func parseOrderTerm(_ text: String) throws(SkiffError) -> (Identifier, ascending: Bool) {
        var parser = FilterParser(text)
        parser.skipSpace()
        let identifier = try parser.identifier()
        parser.skipSpace()
        var ascending = true
        if parser.readKeyword("DESC") {
            ascending = false
        } else if parser.readKeyword("ASC") {
            ascending = true
        }
        parser.skipSpace()
        guard parser.atEnd else {
            throw .invalid("Invalid order_by clause '\(text)'. Could not be parsed.")
        }
        return (identifier, ascending)
    }

    // MARK: - Grammar

    private mutating func clause() throws(SkiffError) -> RawClause {
        skipSpace()
        let identifier = try self.identifier()
        skipSpace()
        let op = try self.operator()
        skipSpace()
        switch op {
        case .isNull, .isNotNull:
            return RawClause(identifier: identifier, op: op, value: .none, valueWasQuoted: false)
        case .in, .notIn:
            return RawClause(identifier: identifier, op: op, value: .list(try list()), valueWasQuoted: true)
        default:
            let (value, quoted) = try self.value()
            return RawClause(identifier: identifier, op: op, value: value, valueWasQuoted: quoted)
        }
    }

    private mutating func identifier() throws(SkiffError) -> Identifier {
        guard let first = peek else { throw error("expected an identifier") }
        if first == "`" || first == "\"" {
            return Identifier(prefix: nil, key: try quoted(first))
        }
        var word = ""
        while let c = peek, !Self.isDelimiter(c) {
            word.unicodeScalars.append(c)
            index += 1
        }
        guard !word.isEmpty else { throw error("expected an identifier") }
        guard let dot = word.firstIndex(of: ".") else {
            return Identifier(prefix: nil, key: word)
        }
        let prefix = String(word[..<dot])
        var key = String(word[word.index(after: dot)...])
        if key.isEmpty, let q = peek, q == "`" || q == "\"" {
            key = try quoted(q)
        }
        guard !key.isEmpty, !prefix.isEmpty else { throw error("invalid identifier '\(word)'") }
        return Identifier(prefix: prefix, key: key)
    }

    private mutating func `operator`() throws(SkiffError) -> FilterOperator {
        guard let c = peek else { throw error("expected a comparison operator") }
        switch c {
        case "=":
            index += 1
            if peek == "=" { index += 1 }
            return .equal
        case "!":
            index += 1
            guard peek == "=" else { throw error("expected '!='") }
            index += 1
            return .notEqual
        case "<":
            index += 1
            if peek == "=" {
                index += 1
                return .lessOrEqual
            }
            if peek == ">" {
                index += 1
                return .notEqual
            }
            return .less
        case ">":
            index += 1
            if peek == "=" {
                index += 1
                return .greaterOrEqual
            }
            return .greater
        default:
            if readKeyword("LIKE") { return .like }
            if readKeyword("ILIKE") { return .ilike }
            if readKeyword("IN") { return .in }
            if readKeyword("NOT") {
                skipSpace()
                if readKeyword("IN") { return .notIn }
                throw error("expected 'IN' after 'NOT'")
            }
            if readKeyword("IS") {
                skipSpace()
                if readKeyword("NULL") { return .isNull }
                if readKeyword("NOT") {
                    skipSpace()
                    if readKeyword("NULL") { return .isNotNull }
                }
                throw error("expected 'NULL' or 'NOT NULL' after 'IS'")
            }
            throw error("expected a comparison operator")
        }
    }

    private mutating func value() throws(SkiffError) -> (FilterValue, quoted: Bool) {
        guard let c = peek else { throw error("expected a value") }
        if c == "'" || c == "\"" {
            return (.string(try quoted(c)), true)
        }
        var word = ""
        while let c = peek, !Self.isDelimiter(c) || ((c == "-" || c == "+") && word.isEmpty) {
            word.unicodeScalars.append(c)
            index += 1
        }
        guard !word.isEmpty else { throw error("expected a value") }
        if let number = Double(word), !word.lowercased().contains("n") {
            return (.number(number), false)
        }
        return (.string(word), false)
    }

    private mutating func list() throws(SkiffError) -> [String] {
        guard peek == "(" else { throw error("expected '(' to open a list") }
        index += 1
        var items: [String] = []
        while true {
            skipSpace()
            let (value, _) = try self.value()
            switch value {
            case .string(let s): items.append(s)
            case .number(let n): items.append(Self.render(n))
            default: throw error("invalid list value")
            }
            guard items.count <= Limits.maxFilterListValues else {
                throw .invalid("Too many values in an IN list (at most \(Limits.maxFilterListValues)).")
            }
            skipSpace()
            if peek == "," {
                index += 1
                continue
            }
            if peek == ")" {
                index += 1
                return items
            }
            throw error("expected ',' or ')' in a list")
        }
    }

    /// Reads a quoted run opened by `quote`; a doubled quote inside stands for the quote itself.
    private mutating func quoted(_ quote: Unicode.Scalar) throws(SkiffError) -> String {
        index += 1
        var text = ""
        while let c = peek {
            index += 1
            if c == quote {
                if peek == quote {
                    text.unicodeScalars.append(c)
                    index += 1
                    continue
                }
                return text
            }
            text.unicodeScalars.append(c)
        }
        throw error("unterminated quoted string")
    }

    // MARK: - Lexing helpers

    private var atEnd: Bool { index >= scalars.count }
    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func skipSpace() {
        while let c = peek, c.properties.isWhitespace { index += 1 }
    }

    /// Consumes `word` (case-insensitive) when it stands alone at the cursor.
    private mutating func readKeyword(_ word: String) -> Bool {
        let w = Array(word.unicodeScalars)
        guard index + w.count <= scalars.count else { return false }
        for (i, c) in w.enumerated() where Character(scalars[index + i]).uppercased() != String(c) {
            return false
        }
        if index + w.count < scalars.count {
            let next = scalars[index + w.count]
            if !(next.properties.isWhitespace || next == "(" || next == "'" || next == "\"") { return false }
        }
        index += w.count
        return true
    }

    private static func isDelimiter(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || "=!<>(),'\"`".unicodeScalars.contains(c)
    }

    private func error(_ what: String) -> SkiffError {
        .invalid("Invalid filter string '\(source.prefix(200))': \(what) at position \(index).")
    }

    static func render(_ n: Double) -> String {
        if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }
}
