/// The rows of one scoring request, decoded from any of the wire forms but not yet bound to a model.
///
/// Binding happens when the request's batch runs, against the model version loaded at that moment, so a hot swap
/// between arrival and execution cannot feed a model inputs shaped for another.
public enum ScoringPayload: Sendable {
    /// One value of a request: what JSON or CSV can carry.
    public enum Cell: Sendable, Equatable {
        case number(Double)
        case string(String)
        case bool(Bool)
        /// JSON `null`, an empty CSV field or `NaN`: a missing value.
        case missing
    }

    /// Named columns of equal length (`dataframe_split`, `dataframe_records`, CSV, columnar `inputs`, KServe v2
    /// tensors named after columns).
    case frame(Frame)
    /// Named tensors meant for the model inputs of the same names (`inputs: {name: tensor}`, KServe v2).
    case tensors([NamedCells])
    /// A single unnamed tensor of rows (`instances: [[…]]`, `inputs: [[…]]`).
    case matrix(NamedCells)

    /// A table of cells with named columns, stored row-major.
    public struct Frame: Sendable {
        /// The column names, in order.
        public var columns: [String]
        /// `rowCount × columns.count` cells, row-major.
        public var cells: [Cell]
        /// The number of rows.
        public var rowCount: Int
        /// Where the rows came from, for error messages (`dataframe_split.data`).
        public var origin: String

        /// Creates a frame.
        public init(columns: [String], cells: [Cell], rowCount: Int, origin: String) {
            self.columns = columns
            self.cells = cells
            self.rowCount = rowCount
            self.origin = origin
        }
    }

    /// A tensor of cells: a name (empty when unnamed), a shape whose first dimension is the row count, and the
    /// cells flattened row-major.
    public struct NamedCells: Sendable {
        public var name: String
        public var shape: [Int]
        public var cells: [Cell]
        /// Where the tensor came from, for error messages.
        public var origin: String

        /// Creates a tensor of cells.
        public init(name: String, shape: [Int], cells: [Cell], origin: String) {
            self.name = name
            self.shape = shape
            self.cells = cells
            self.origin = origin
        }

        /// The number of rows: the first dimension, or 1 for a scalar.
        public var rowCount: Int { shape.first ?? 1 }
    }

    /// The number of cells the request carries: its weight in the buffers that hold requests for later.
    public var cellCount: Int {
        switch self {
        case .frame(let frame): frame.cells.count
        case .tensors(let tensors): tensors.reduce(0) { $0 + $1.cells.count }
        case .matrix(let matrix): matrix.cells.count
        }
    }

    /// The number of rows the request scores.
    public var rowCount: Int {
        switch self {
        case .frame(let frame): frame.rowCount
        case .tensors(let tensors): tensors.first?.rowCount ?? 0
        case .matrix(let matrix): matrix.rowCount
        }
    }
}
