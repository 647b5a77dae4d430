/// A problem found while decoding one part of a Parquet file, before the reader knows where it is: the reader
/// adds the file, row group and column and turns it into a ``TableError``.
struct ParquetFault: Error {
    /// `.corruptFile` or `.unsupportedFeature`.
    var code: TableError.Code
    /// What is wrong, without the place.
    var detail: String

    static func corrupt(_ detail: String) -> ParquetFault { ParquetFault(code: .corruptFile, detail: detail) }

    static func unsupported(_ detail: String) -> ParquetFault {
        ParquetFault(code: .unsupportedFeature, detail: detail)
    }

    /// The error at `location`.
    func error(at location: TableLocation) -> TableError { TableError(code, at: location, detail) }
}
