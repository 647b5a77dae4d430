import SkiffJSON

/// A JSON value as a table cell.
enum JSONScalar {
    case missing
    /// A number's literal, with its exact integer value when it is an integer that fits Int64.
    case number(String, Int64?)
    case boolean(Bool)
    case text(String)
}

/// Reads JSON Lines (one JSON object per line, as `skiff serve`'s prediction log and pandas'
/// `to_json(orient="records", lines=True)` write them) into typed batches.
///
/// Nested objects are flattened into dotted column names (`{"a": {"b": 1}}` is column `a.b`, as pandas'
/// `json_normalize` names it); an array is kept as its JSON text. Columns and their types come from the first
/// `inferenceRows` lines; a key that first appears later is a ragged row. A key absent from a line is a
/// missing value, as is `null`.
public final class JSONLinesTableReader: TableReader {
    public private(set) var report = ReadReport()
    private var window: ByteWindow
    private let options: ReadOptions
    private let names: [String]
    private let columnIndex: [String: Int]
    private let builders: [ColumnBuilder]
    private var pending: [([(String, JSONScalar)], Int)] = []
    private var pendingIndex = 0
    private var line = 0
    private var rowsInBatch = 0
    private var firstRow = 0
    private var finished = false
    private var cells: [JSONScalar]
    // The flat-line fast path: members of the current line, key → builder position (−1 projected out, −2 not a
    // column), and the row each builder was last filled in, to catch a repeated key.
    private var flat: [FlatMember] = []
    private var keys = ByteDictionary()
    private var keyPositions: [Int] = []
    private var memberPositions: [Int] = []
    private var filledInRow: [Int]
    private var rowStamp = 0

    init(source: ByteSource, options: ReadOptions) throws(TableError) {
        window = ByteWindow(source: source)
        // Sample the first lines for columns and types.
        var names: [String] = []
        var index: [String: Int] = [:]
        var inference: [TypeInference] = []
        var sample: [([(String, JSONScalar)], Int)] = []
        var line = 0
        while sample.count < options.inferenceRows,
            let members = try Self.nextObject(&window, line: &line)
        {
            for (key, value) in members {
                if index[key] == nil {
                    index[key] = names.count
                    names.append(key)
                    inference.append(TypeInference())
                }
                inference[index[key]!].add(json: value)
            }
            sample.append((members, line))
        }
        if sample.isEmpty {
            throw TableError(.emptyFile, "'\(source.name)' has no JSON object lines")
        }
        let options = try options.planned(for: names)
        self.options = options
        var kept = Array(names.indices)
        if let wanted = options.columns {
            kept = try wanted.map { name throws(TableError) in
                guard let i = index[name] else {
                    throw TableError(
                        .unknownColumn,
                        "'\(source.name)' has no column '\(name)' (columns: \(names.joined(separator: ", ")))")
                }
                return i
            }.sorted()
        }
        self.names = names
        var columnIndex: [String: Int] = [:]
        builders = kept.enumerated().map { position, i in
            let name = names[i]
            columnIndex[name] = position
            let declared = options.types[name]
            return ColumnBuilder(
                name: name, type: declared ?? inference[i].type, inferred: declared == nil,
                capacity: options.batchRows)
        }
        self.columnIndex = columnIndex
        self.line = line
        pending = sample
        cells = [JSONScalar](repeating: .missing, count: kept.count)
        filledInRow = [Int](repeating: -1, count: kept.count)
    }

    /// Adds a line the fast path split; false (having added nothing) when a key repeats, so the full parser
    /// decides as JSON does (the last one wins).
    private func addFlat(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(TableError) -> Bool {
        rowStamp += 1
        memberPositions.removeAll(keepingCapacity: true)
        var unknown: String? = nil
        for member in flat {
            let key = UnsafeBufferPointer(rebasing: bytes[member.keyStart..<member.keyEnd])
            let id = Int(keys.index(of: key))
            if id == keyPositions.count {
                let name = keys.strings[id]
                keyPositions.append(columnIndex[name] ?? (names.contains(name) ? -1 : -2))
            }
            let position = keyPositions[id]
            if position >= 0 {
                if filledInRow[position] == rowStamp { return false }
                filledInRow[position] = rowStamp
            } else if position == -2 && unknown == nil {
                unknown = keys.strings[id]
            }
            memberPositions.append(position)
        }
        if let unknown {
            if case .fail = options.raggedRows {
                throw TableError(
                    .raggedRow, at: TableLocation(file: window.name, line: line),
                    "key '\(unknown)' is not among the columns of the first \(options.inferenceRows) lines")
            }
            report.noteRagged(line: line, short: false)
        }
        for (member, position) in zip(flat, memberPositions) where position >= 0 {
            let builder = builders[position]
            let value = UnsafeBufferPointer(rebasing: bytes[member.valueStart..<member.valueEnd])
            let ok: Bool
            switch member.kind {
            case .null:
                builder.appendMissing()
                ok = true
            case .number, .string:
                if builder.type == .string {
                    builder.appendText(value)
                    ok = true
                } else {
                    ok = builder.append(value)
                }
            case .trueValue, .falseValue:
                let b = member.kind == .trueValue
                if builder.type == .string {
                    builder.append(string: b ? "true" : "false")
                    ok = true
                } else {
                    ok = builder.append(boolean: b)
                }
            }
            if !ok { try invalid(shown: Array(value), builder: builder, line: line) }
        }
        for (position, builder) in builders.enumerated() where filledInRow[position] != rowStamp {
            builder.appendMissing()
        }
        rowsInBatch += 1
        report.rows += 1
        return true
    }

    public var schema: Schema { Schema(builders.map { Field(name: $0.name, type: $0.type) }) }

    public func nextBatch() throws(TableError) -> RecordBatch? {
        if finished { return nil }
        while rowsInBatch < options.batchRows {
            let members: [(String, JSONScalar)]
            let rowLine: Int
            if pendingIndex < pending.count {
                (members, rowLine) = pending[pendingIndex]
                pendingIndex += 1
                if pendingIndex == pending.count { pending = [] }
            } else if let bytes = try Self.nextLine(&window, line: &line) {
                if FlatJSONLine.tokenize(bytes, into: &flat), try addFlat(bytes, line: line) { continue }
                members = try Self.parseObject(bytes, line: line, file: window.name)
                rowLine = line
            } else {
                finished = true
                break
            }
            try add(members, line: rowLine)
        }
        if rowsInBatch == 0 { return nil }
        let columns = builders.map { $0.finish() }
        let batch = RecordBatch(schema: schema, columns: columns, rowCount: rowsInBatch, firstRow: firstRow)
        firstRow += rowsInBatch
        rowsInBatch = 0
        return batch
    }

    private func add(_ members: [(String, JSONScalar)], line: Int) throws(TableError) {
        for i in cells.indices { cells[i] = .missing }
        var ragged = false
        for (key, value) in members {
            if let i = columnIndex[key] {
                cells[i] = value
            } else if !names.contains(key) {
                ragged = true
                if case .fail = options.raggedRows {
                    throw TableError(
                        .raggedRow, at: TableLocation(file: window.name, line: line),
                        "key '\(key)' is not among the columns of the first \(options.inferenceRows) lines")
                }
            }
        }
        if ragged { report.noteRagged(line: line, short: false) }
        for (builder, cell) in zip(builders, cells) {
            let ok: Bool
            switch cell {
            case .missing:
                builder.appendMissing()
                ok = true
            case .number(let literal, _):
                var literal = literal
                if builder.type == .string {
                    literal.withUTF8 { builder.appendText($0) }
                    ok = true
                } else {
                    ok = literal.withUTF8 { builder.append($0) }
                }
            case .boolean(let b):
                if builder.type == .string {
                    builder.append(string: b ? "true" : "false")
                    ok = true
                } else {
                    ok = builder.append(boolean: b)
                }
            case .text(let s):
                if builder.type == .string {
                    var s = s
                    s.withUTF8 { builder.appendText($0) }
                    ok = true
                } else {
                    // A number or boolean column may hold its values as text ("1.5", "true").
                    var s = s
                    ok = s.withUTF8 { builder.append($0) }
                }
            }
            if !ok { try invalid(cell, builder: builder, line: line) }
        }
        rowsInBatch += 1
        report.rows += 1
    }

    private func invalid(_ cell: JSONScalar, builder: ColumnBuilder, line: Int) throws(TableError) {
        let shown: String
        switch cell {
        case .missing: shown = "null"
        case .number(let literal, _): shown = literal
        case .boolean(let b): shown = b ? "true" : "false"
        case .text(let s): shown = s
        }
        try invalid(shown: Array(shown.utf8), builder: builder, line: line)
    }

    private func invalid(shown: [UInt8], builder: ColumnBuilder, line: Int) throws(TableError) {
        switch options.invalidValues {
        case .fail:
            throw TableError(
                .invalidValue, at: TableLocation(file: window.name, line: line, column: builder.name),
                "\(TableError.shown(shown)) is not \(builder.type.described)")
        case .treatAsMissing:
            builder.appendMissing()
            report.noteInvalid(column: builder.name, value: shown, line: line)
        }
    }

    /// The next non-blank line's bytes (without its line end), valid until the next call; nil at the end.
    /// `line` becomes that line's number.
    private static func nextLine(_ window: inout ByteWindow, line: inout Int) throws(TableError)
        -> UnsafeBufferPointer<UInt8>?
    {
        while true {
            // Find the next line end in the window, refilling as needed.
            var newline: Int? = nil
            var searched = 0
            while true {
                var i = window.start + searched
                while i < window.end && window.base[i] != 0x0A { i += 1 }
                if i < window.end {
                    newline = i
                    break
                }
                searched = i - window.start
                if try !window.refill() { break }
            }
            let end = newline ?? window.end
            if window.start == end && newline == nil { return nil }
            line += 1
            var start = window.start
            window.start = newline.map { $0 + 1 } ?? end
            var stop = end
            if stop > start && window.base[stop - 1] == 0x0D { stop -= 1 }
            if line == 1 && stop - start >= 3 && window.base[start] == 0xEF && window.base[start + 1] == 0xBB
                && window.base[start + 2] == 0xBF
            {
                start += 3
            }
            let bytes = UnsafeBufferPointer(start: window.base + start, count: stop - start)
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            return bytes
        }
    }

    /// The next non-blank line's object, flattened; nil at the end.
    private static func nextObject(_ window: inout ByteWindow, line: inout Int) throws(TableError)
        -> [(String, JSONScalar)]?
    {
        guard let bytes = try nextLine(&window, line: &line) else { return nil }
        return try parseObject(bytes, line: line, file: window.name)
    }

    /// Parses a line in full: any JSON object, flattened.
    private static func parseObject(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, file: String)
        throws(TableError) -> [(String, JSONScalar)]
    {
        let value: JSON
        do {
            value = try JSONParser.parse(Array(bytes))
        } catch {
            throw TableError(
                .malformedRecord, at: TableLocation(file: file, line: line),
                "not valid JSON (\(error.reason) at byte \(error.position + 1))")
        }
        guard case .object(let object) = value else {
            throw TableError(
                .malformedRecord, at: TableLocation(file: file, line: line), "each line must be a JSON object")
        }
        var out: [(String, JSONScalar)] = []
        flatten(object, prefix: "", into: &out)
        return out
    }

    private static func flatten(_ object: JSONObject, prefix: String, into out: inout [(String, JSONScalar)]) {
        for (key, value) in object.members {
            let name = prefix.isEmpty ? key : prefix + "." + key
            switch value {
            case .null: out.append((name, .missing))
            case .bool(let b): out.append((name, .boolean(b)))
            case .number(let literal):
                out.append((name, .number(literal, Int64(literal))))
            case .string(let s): out.append((name, .text(s)))
            case .object(let nested): flatten(nested, prefix: name, into: &out)
            case .array:
                var writer = JSONWriter()
                writer.value(value)
                out.append((name, .text(String(decoding: writer.bytes, as: UTF8.self))))
            }
        }
    }
}
