import Foundation

/// Profiles of every column of a dataset, serialisable to a compact, versioned JSON document.
///
/// The document is `{"format": "skiff-profile", "version": 1, "rows": n, "columns": [...]}`; sketches are
/// stored as their retained items (quantiles), base64 registers (HyperLogLog) and counts. Non-finite
/// numbers are written as the strings "inf", "-inf" and "nan".
public struct DatasetProfile: Sendable, Codable, Equatable {
    /// The `format` field every profile carries.
    public static let formatName = "skiff-profile"
    /// The version this code writes; it reads this version only.
    public static let currentVersion = 1

    /// Always ``formatName``.
    public var format: String
    /// The serialisation version.
    public var version: Int
    /// Rows profiled.
    public var rows: Int
    /// Column profiles in source order.
    public var columns: [ColumnProfile]

    /// A profile of `rows` rows with the given columns.
    public init(rows: Int = 0, columns: [ColumnProfile]) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.rows = rows
        self.columns = columns
    }

    /// The profile of the column called `name`, if any.
    public func column(named name: String) -> ColumnProfile? { columns.first { $0.name == name } }

    /// Merges another profile of the same columns: counts add, sketches merge, columns on one side are kept.
    ///
    /// - Throws: `.incompatibleSketches` when a shared column differs in kind or sketch parameters.
    /// - Complexity: O(columns × sketch size).
    public mutating func merge(_ other: DatasetProfile) throws(StatsError) {
        rows += other.rows
        for column in other.columns {
            if let index = columns.firstIndex(where: { $0.name == column.name }) {
                try columns[index].merge(column)
            } else {
                columns.append(column)
            }
        }
    }

    /// The JSON form.
    public func serialized() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Reads a profile written by ``serialized()``.
    ///
    /// - Throws: `StatsError` `.unsupportedFormat` when the data is not a Skiff profile of a known version.
    public static func deserialized(_ data: Data) throws(StatsError) -> DatasetProfile {
        struct Header: Decodable {
            var format: String?
            var version: Int?
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == formatName else {
            throw StatsError(
                .unsupportedFormat, "not a Skiff profile (expected a JSON document with format \"\(formatName)\")")
        }
        guard header.version == currentVersion else {
            throw StatsError(
                .unsupportedFormat,
                "profile version \(header.version.map(String.init) ?? "?") is not supported (this build reads \(currentVersion))"
            )
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(DatasetProfile.self, from: data)
        } catch {
            throw StatsError(.unsupportedFormat, "the profile is damaged: \(error)")
        }
    }
}
