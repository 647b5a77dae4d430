/// The parts of Parquet's Thrift metadata (parquet-format's `parquet.thrift`) that a flat reader needs; fields
/// it does not use are skipped. Decoding checks that required fields are present, not that values make sense:
/// the reader checks those where it knows the file, row group and column to name.
enum ParquetPhysicalType: Int32 {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case int96 = 3
    case float = 4
    case double = 5
    case byteArray = 6
    case fixedLenByteArray = 7

    /// The name in the Parquet specification.
    var name: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// A `LogicalType` union member, reduced to what decides the column's type.
enum ParquetLogicalType: Equatable {
    case string, map, list, enumeration, decimal, date, time, timestamp, unknown, json, bson, uuid, float16
    case integer(bitWidth: Int, signed: Bool)
    case other(Int)
}

struct ParquetSchemaElement {
    static let requiredRepetition: Int32 = 0
    static let optionalRepetition: Int32 = 1
    static let repeatedRepetition: Int32 = 2

    var type: Int32?
    var repetition: Int32?
    var name = ""
    var numChildren: Int32?
    var convertedType: Int32?
    var logicalType: ParquetLogicalType?
}

struct ParquetColumnMetaData {
    var type: Int32 = -1
    var pathInSchema: [String] = []
    var codec: Int32 = -1
    var numValues: Int64 = -1
    var totalCompressedSize: Int64 = -1
    var dataPageOffset: Int64 = -1
    var dictionaryPageOffset: Int64?
}

struct ParquetColumnChunk {
    var filePath: String?
    var metaData: ParquetColumnMetaData?
    var isEncrypted = false
}

struct ParquetRowGroup {
    var columns: [ParquetColumnChunk] = []
    var numRows: Int64 = -1
}

struct ParquetFileMetaData {
    var schema: [ParquetSchemaElement] = []
    var numRows: Int64 = -1
    var rowGroups: [ParquetRowGroup] = []
}

/// A page's header; exactly one of the three kinds of header is expected, matching `type`.
struct ParquetPageHeader {
    static let dataPage: Int32 = 0
    static let dictionaryPage: Int32 = 2
    static let dataPageV2: Int32 = 3

    struct DataPage {
        var numValues: Int32 = -1
        var encoding: Int32 = -1
        var definitionLevelEncoding: Int32 = -1
    }

    struct DictionaryPage {
        var numValues: Int32 = -1
        var encoding: Int32 = -1
    }

    struct DataPageV2 {
        var numValues: Int32 = -1
        var numNulls: Int32 = -1
        var numRows: Int32 = -1
        var encoding: Int32 = -1
        var definitionLevelsByteLength: Int32 = -1
        var repetitionLevelsByteLength: Int32 = -1
        var isCompressed = true
    }

    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    var dataPage: DataPage?
    var dictionaryPage: DictionaryPage?
    var dataPageV2: DataPageV2?
}

extension ParquetFileMetaData {
    /// Decodes a `FileMetaData` struct.
    init(from reader: inout ThriftCompactReader) throws(ParquetFault) {
        var sawSchema = false
        var sawRowGroups = false
        try reader.readStruct { r, field throws(ParquetFault) in
            switch field.id {
            case 2:
                sawSchema = true
                try r.list(field) { r, type throws(ParquetFault) in
                    var element = ParquetSchemaElement()
                    try r.structElement(type) { r, field throws(ParquetFault) in try element.decode(&r, field) }
                    schema.append(element)
                }
            case 3: numRows = try r.int64(field)
            case 4:
                sawRowGroups = true
                try r.list(field) { r, type throws(ParquetFault) in
                    var group = ParquetRowGroup()
                    try r.structElement(type) { r, field throws(ParquetFault) in try group.decode(&r, field) }
                    guard group.numRows >= 0 else { throw .corrupt("a row group has no row count") }
                    rowGroups.append(group)
                }
            default: return false
            }
            return true
        }
        guard sawSchema, sawRowGroups, numRows >= 0 else {
            throw .corrupt("the footer lacks its schema, row groups or row count")
        }
    }
}

extension ParquetSchemaElement {
    mutating func decode(_ r: inout ThriftCompactReader, _ field: ThriftCompactReader.Field) throws(ParquetFault)
        -> Bool
    {
        switch field.id {
        case 1: type = try r.int32(field)
        case 3: repetition = try r.int32(field)
        case 4: name = try r.string(field)
        case 5: numChildren = try r.int32(field)
        case 6: convertedType = try r.int32(field)
        case 10:
            guard field.type == .structure else { throw .corrupt("a logical type is not a struct") }
            var kind: ParquetLogicalType?
            try r.readStruct { r, member throws(ParquetFault) in
                guard member.type == .structure else { return false }
                kind = try ParquetLogicalType.decode(&r, member)
                return true
            }
            logicalType = kind
        default: return false
        }
        return true
    }
}

extension ParquetLogicalType {
    /// Reads the union member `member` (a struct), whose field id says which logical type it is.
    static func decode(_ r: inout ThriftCompactReader, _ member: ThriftCompactReader.Field) throws(ParquetFault)
        -> ParquetLogicalType
    {
        switch member.id {
        case 10:
            var bitWidth = 0
            var signed = true
            try r.readStruct { r, field throws(ParquetFault) in
                switch field.id {
                case 1: bitWidth = Int(try r.int32(field))
                case 2: signed = try r.bool(field)
                default: return false
                }
                return true
            }
            return .integer(bitWidth: bitWidth, signed: signed)
        default:
            try r.skip(.structure)
            switch member.id {
            case 1: return .string
            case 2: return .map
            case 3: return .list
            case 4: return .enumeration
            case 5: return .decimal
            case 6: return .date
            case 7: return .time
            case 8: return .timestamp
            case 11: return .unknown
            case 12: return .json
            case 13: return .bson
            case 14: return .uuid
            case 15: return .float16
            default: return .other(member.id)
            }
        }
    }
}

extension ParquetRowGroup {
    mutating func decode(_ r: inout ThriftCompactReader, _ field: ThriftCompactReader.Field) throws(ParquetFault)
        -> Bool
    {
        switch field.id {
        case 1:
            try r.list(field) { r, type throws(ParquetFault) in
                var chunk = ParquetColumnChunk()
                try r.structElement(type) { r, field throws(ParquetFault) in try chunk.decode(&r, field) }
                columns.append(chunk)
            }
        case 3: numRows = try r.int64(field)
        default: return false
        }
        return true
    }
}

extension ParquetColumnChunk {
    mutating func decode(_ r: inout ThriftCompactReader, _ field: ThriftCompactReader.Field) throws(ParquetFault)
        -> Bool
    {
        switch field.id {
        case 1: filePath = try r.string(field)
        case 3:
            guard field.type == .structure else { throw .corrupt("column metadata is not a struct") }
            var meta = ParquetColumnMetaData()
            try r.readStruct { r, field throws(ParquetFault) in try meta.decode(&r, field) }
            guard meta.type >= 0, meta.codec >= 0, meta.numValues >= 0, meta.totalCompressedSize >= 0,
                meta.dataPageOffset >= 0
            else { throw .corrupt("column metadata lacks a required field") }
            metaData = meta
        case 8, 9:
            isEncrypted = true
            return false
        default: return false
        }
        return true
    }
}

extension ParquetColumnMetaData {
    mutating func decode(_ r: inout ThriftCompactReader, _ field: ThriftCompactReader.Field) throws(ParquetFault)
        -> Bool
    {
        switch field.id {
        case 1: type = try r.int32(field)
        case 3:
            var path: [String] = []
            try r.list(field) { r, type throws(ParquetFault) in path.append(try r.stringElement(type)) }
            pathInSchema = path
        case 4: codec = try r.int32(field)
        case 5: numValues = try r.int64(field)
        case 7: totalCompressedSize = try r.int64(field)
        case 9: dataPageOffset = try r.int64(field)
        case 11: dictionaryPageOffset = try r.int64(field)
        default: return false
        }
        return true
    }
}

extension ParquetPageHeader {
    /// Decodes a `PageHeader` struct.
    init(from r: inout ThriftCompactReader) throws(ParquetFault) {
        try r.readStruct { r, field throws(ParquetFault) in
            switch field.id {
            case 1: type = try r.int32(field)
            case 2: uncompressedSize = try r.int32(field)
            case 3: compressedSize = try r.int32(field)
            case 5:
                guard field.type == .structure else { throw .corrupt("a data page header is not a struct") }
                var page = DataPage()
                try r.readStruct { r, field throws(ParquetFault) in
                    switch field.id {
                    case 1: page.numValues = try r.int32(field)
                    case 2: page.encoding = try r.int32(field)
                    case 3: page.definitionLevelEncoding = try r.int32(field)
                    default: return false
                    }
                    return true
                }
                dataPage = page
            case 7:
                guard field.type == .structure else { throw .corrupt("a dictionary page header is not a struct") }
                var page = DictionaryPage()
                try r.readStruct { r, field throws(ParquetFault) in
                    switch field.id {
                    case 1: page.numValues = try r.int32(field)
                    case 2: page.encoding = try r.int32(field)
                    default: return false
                    }
                    return true
                }
                dictionaryPage = page
            case 8:
                guard field.type == .structure else { throw .corrupt("a data page v2 header is not a struct") }
                var page = DataPageV2()
                try r.readStruct { r, field throws(ParquetFault) in
                    switch field.id {
                    case 1: page.numValues = try r.int32(field)
                    case 2: page.numNulls = try r.int32(field)
                    case 3: page.numRows = try r.int32(field)
                    case 4: page.encoding = try r.int32(field)
                    case 5: page.definitionLevelsByteLength = try r.int32(field)
                    case 6: page.repetitionLevelsByteLength = try r.int32(field)
                    case 7: page.isCompressed = try r.bool(field)
                    default: return false
                    }
                    return true
                }
                dataPageV2 = page
            default: return false
            }
            return true
        }
        guard type >= 0, uncompressedSize >= 0, compressedSize >= 0 else {
            throw .corrupt("a page header lacks its type or sizes, or has a negative size")
        }
    }
}
