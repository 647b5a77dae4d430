import SkiffJSON

/// A JSON value as a table cell.
enum JSONScalar {
    case missing
    /// A number, with its exact integer value when the literal is one that fits Int64.
    case number(Double, Int64?)
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
            } else if let next = try Self.nextObject(&window, line: &line) {
                members = next
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
            case .number(let x, let integer):
                if builder.type == .string {
                    builder.append(string: integer.map(String.init) ?? x.description)
                    ok = true
                } else {
                    ok = builder.append(number: x, integer: integer)
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
                    builder.append(string: s)
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
        case .number(let x, let integer): shown = integer.map(String.init) ?? x.description
        case .boolean(let b): shown = b ? "true" : "false"
        case .text(let s): shown = s
        }
        switch options.invalidValues {
        case .fail:
            throw TableError(
                .invalidValue, at: TableLocation(file: window.name, line: line, column: builder.name),
                "\(TableError.shown(Array(shown.utf8))) is not \(builder.type.described)")
        case .treatAsMissing:
            builder.appendMissing()
            report.noteInvalid(column: builder.name, value: Array(shown.utf8), line: line)
        }
    }

    /// The next non-blank line's object, flattened; nil at the end. `line` becomes that line's number.
    private static func nextObject(_ window: inout ByteWindow, line: inout Int) throws(TableError)
        -> [(String, JSONScalar)]?
    {
        while true {
            // Find the next line end in the window, refilling as needed.
            var newline: Int? = nil
            var searched = window.start
            while true {
                var i = searched
                while i < window.end && window.base[i] != 0x0A { i += 1 }
                if i < window.end {
                    newline = i
                    break
                }
                searched = i - window.start
                if try !window.refill() { break }
                searched += window.start
            }
            let end = newline ?? window.end
            if window.start == end && newline == nil { return nil }
            line += 1
            var bytes = Array(UnsafeBufferPointer(start: window.base + window.start, count: end - window.start))
            window.start = newline.map { $0 + 1 } ?? end
            if bytes.last == 0x0D { bytes.removeLast() }
            if line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let value: JSON
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                throw TableError(
                    .malformedRecord, at: TableLocation(file: window.name, line: line),
                    "not valid JSON (\(error.reason) at byte \(error.position + 1))")
            }
            guard case .object(let object) = value else {
                throw TableError(
                    .malformedRecord, at: TableLocation(file: window.name, line: line),
                    "each line must be a JSON object")
            }
            var out: [(String, JSONScalar)] = []
            flatten(object, prefix: "", into: &out)
            return out
        }
    }

    private static func flatten(_ object: JSONObject, prefix: String, into out: inout [(String, JSONScalar)]) {
        for (key, value) in object.members {
            let name = prefix.isEmpty ? key : prefix + "." + key
            switch value {
            case .null: out.append((name, .missing))
            case .bool(let b): out.append((name, .boolean(b)))
            case .number(let literal):
                out.append((name, .number(DecimalParsing.double(literal) ?? .nan, Int64(literal))))
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
