/// An error from reading data or writing a drift report; `description` is safe to show a user.
public struct DriftError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: Sendable, Hashable {
            case unreadableFile
            case emptyFile
            case badProfile
            case unknownColumn
            case noColumns
        }
        let base: Base
        /// A file could not be opened or read.
        public static let unreadableFile = Code(base: .unreadableFile)
        /// A CSV file has no header row.
        public static let emptyFile = Code(base: .emptyFile)
        /// A saved profile could not be read.
        public static let badProfile = Code(base: .badProfile)
        /// A column named in an option is in neither dataset.
        public static let unknownColumn = Code(base: .unknownColumn)
        /// The two datasets share no column to test.
        public static let noColumns = Code(base: .noColumns)

        public var description: String { "\(base)" }
    }

    /// What went wrong.
    public var code: Code
    /// A message a person can act on.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
