/// An error from a statistics computation; `code` says which, and can gain cases without breaking callers.
public struct StatsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: Sendable, Hashable {
            case emptyReference
            case emptyCurrent
            case methodNotApplicable
            case incompatibleSketches
            case unsupportedFormat
        }
        let base: Base
        /// The reference sample has no usable (non-missing, finite) value.
        public static let emptyReference = Code(base: .emptyReference)
        /// The current sample has no usable (non-missing, finite) value.
        public static let emptyCurrent = Code(base: .emptyCurrent)
        /// The method cannot test this column type (KS or Wasserstein on a categorical column).
        public static let methodNotApplicable = Code(base: .methodNotApplicable)
        /// Two sketches with different parameters cannot be merged.
        public static let incompatibleSketches = Code(base: .incompatibleSketches)
        /// A serialised profile has an unknown format or version.
        public static let unsupportedFormat = Code(base: .unsupportedFormat)

        public var description: String { "\(base)" }
    }

    /// What went wrong.
    public var code: Code
    /// A message safe to show a user.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
