/// An error from reading or writing a table; `description` names the file, the place in it, the column and the
/// offending value, so a user can fix the input.
public struct TableError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kinds of failure.
    public enum Code: String, Sendable, Hashable {
        /// The file could not be opened, read or written.
        case unreadableFile
        /// The file has no header row (CSV) or no rows at all.
        case emptyFile
        /// A record is not well formed: an unterminated quote, a line that is not a JSON object.
        case malformedRecord
        /// A CSV row has more or fewer fields than the header.
        case raggedRow
        /// A value does not have its column's type.
        case invalidValue
        /// A column named by the caller is not in the file.
        case unknownColumn
        /// The format could not be told from the name, or is not one Skiff reads.
        case unsupportedFormat
        /// A binary file is truncated or its metadata is inconsistent.
        case corruptFile
        /// The file uses a feature of its format that Skiff does not read (named in the message).
        case unsupportedFeature
    }

    /// What went wrong.
    public var code: Code
    /// The whole message: file, place, column, value and what was expected.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Where in a file a value came from, for messages.
public struct TableLocation: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// The 1-based line (text formats) or nil.
    public var line: Int?
    /// The row group (Parquet) or nil.
    public var rowGroup: Int?
    /// The column's name, when one column is at fault.
    public var column: String?

    public init(file: String, line: Int? = nil, rowGroup: Int? = nil, column: String? = nil) {
        self.file = file
        self.line = line
        self.rowGroup = rowGroup
        self.column = column
    }

    public var description: String {
        var text = file
        if let line { text += ", line \(line)" }
        if let rowGroup { text += ", row group \(rowGroup)" }
        if let column { text += ", column '\(column)'" }
        return text
    }
}

extension TableError {
    /// An error at a place in a file: "file, line 3, column 'age': …".
    public init(_ code: Code, at location: TableLocation, _ detail: String) {
        self.init(code, "\(location): \(detail)")
    }

    /// Shows at most 60 characters of an offending value, quoted, with control characters escaped.
    static func shown(_ value: some Collection<UInt8>) -> String {
        var text = String(decoding: value.prefix(60), as: UTF8.self)
        text = String(text.unicodeScalars.map { $0.value < 0x20 ? "?" : Character($0) })
        return "'\(text)\(value.count > 60 ? "…" : "")'"
    }
}
