/// A flat (top-level, non-repeated) leaf column of a Parquet file, and how it is read.
struct ParquetColumn {
    let name: String
    let physicalType: ParquetPhysicalType
    /// OPTIONAL: its pages carry definition levels (maximum 1).
    let isOptional: Bool
    /// The type its values are decoded into.
    let fileType: ColumnType
    /// The type it is read as unless one is declared: `fileType`, but float64 for an all-null column (as
    /// pandas types one).
    let preferredType: ColumnType
    /// INT32 holding unsigned values (UINT_8/16/32), widened as unsigned.
    let isUnsigned32: Bool
    /// INT64 holding UINT_64 values: one past Int64.max is not an int64.
    let isUnsigned64: Bool
    /// Its position among the file's leaf columns, which is its chunk's position in every row group.
    let leaf: Int

    /// A decoded integer: INT32 sign- or zero-extended, INT64 as is.
    @inline(__always)
    func integer(_ raw: UInt64) -> Int64 {
        if physicalType == .int64 { return Int64(bitPattern: raw) }
        return isUnsigned32 ? Int64(UInt32(truncatingIfNeeded: raw)) : Int64(Int32(truncatingIfNeeded: raw))
    }
}

/// A top-level field of a file's schema: a column that can be read, or why it cannot.
struct ParquetField {
    let name: String
    let column: Result<ParquetColumn, ParquetFault>
}

extension ParquetFileMetaData {
    /// The schema's top-level fields and its number of leaf columns. Groups, repeated fields and types
    /// Skiff has no column type for are fields that cannot be read; a malformed schema is a fault.
    func fields() throws(ParquetFault) -> (fields: [ParquetField], leafCount: Int) {
        guard let root = schema.first, let children = root.numChildren, children >= 0 else {
            throw .corrupt("the schema has no root group")
        }
        guard Int(children) < schema.count else {
            throw .corrupt("the schema's root has \(children) children but the schema has \(schema.count - 1)")
        }
        var fields: [ParquetField] = []
        var index = 1
        var leaf = 0
        for _ in 0..<children {
            guard index < schema.count else { throw .corrupt("the schema has fewer elements than its groups hold") }
            let element = schema[index]
            if element.numChildren != nil || element.type == nil {
                // A group: walk its subtree, counting its leaves.
                var pending = 1
                while pending > 0 {
                    guard index < schema.count else {
                        throw .corrupt("the schema has fewer elements than its groups hold")
                    }
                    let node = schema[index]
                    index += 1
                    pending -= 1
                    if let n = node.numChildren, n > 0 {
                        guard Int(n) <= schema.count - index else {
                            throw .corrupt("schema group '\(node.name)' has more children than the schema holds")
                        }
                        pending += Int(n)
                    } else if node.type != nil {
                        leaf += 1
                    } else {
                        throw .corrupt("schema element '\(node.name)' has neither a type nor children")
                    }
                }
                fields.append(ParquetField(name: element.name, column: .failure(Self.nested(element))))
                continue
            }
            index += 1
            fields.append(ParquetField(name: element.name, column: Self.column(element, leaf: leaf)))
            leaf += 1
        }
        guard index == schema.count else { throw .corrupt("the schema has elements outside its root group") }
        return (fields, leaf)
    }

    private static func nested(_ element: ParquetSchemaElement) -> ParquetFault {
        let kind: String
        switch (element.logicalType, element.convertedType) {
        case (.list, _), (_, 3): kind = "a list"
        case (.map, _), (_, 1), (_, 2): kind = "a map"
        default: kind = "a nested group"
        }
        return .unsupported("the column is \(kind); nested columns are not read (select flat columns instead)")
    }

    private static func column(_ element: ParquetSchemaElement, leaf: Int) -> Result<ParquetColumn, ParquetFault> {
        guard let code = element.type, let physical = ParquetPhysicalType(rawValue: code) else {
            return .failure(.corrupt("the column has unknown physical type \(element.type ?? -1)"))
        }
        switch element.repetition {
        case ParquetSchemaElement.repeatedRepetition:
            return .failure(.unsupported("the column is repeated; nested columns are not read"))
        case nil, ParquetSchemaElement.requiredRepetition, ParquetSchemaElement.optionalRepetition: break
        case let other?: return .failure(.corrupt("the column has unknown repetition \(other)"))
        }
        let logical = element.logicalType
        let converted = element.convertedType
        if logical == .decimal || converted == 5 {
            return .failure(.unsupported("the column holds decimals (\(physical.name) DECIMAL), which are not read"))
        }
        var unsigned = false
        if case .integer(_, let signed)? = logical { unsigned = !signed }
        if let converted, (11...14).contains(converted) { unsigned = true }
        let type: ColumnType
        switch physical {
        case .boolean: type = .boolean
        case .int32, .int64: type = .int64
        case .float: type = .float32
        case .double: type = .float64
        case .byteArray:
            switch logical {
            case nil, .string?, .enumeration?, .json?: break
            default:
                return .failure(.unsupported("the column's BYTE_ARRAY values have a logical type that is not text"))
            }
            if let converted, ![0, 4, 19].contains(converted) {
                return .failure(.unsupported("the column's BYTE_ARRAY values have a converted type that is not text"))
            }
            type = .string
        case .int96:
            return .failure(.unsupported("the column's type INT96 (a legacy timestamp) is not read"))
        case .fixedLenByteArray:
            return .failure(.unsupported("the column's type FIXED_LEN_BYTE_ARRAY is not read"))
        }
        return .success(
            ParquetColumn(
                name: element.name, physicalType: physical,
                isOptional: element.repetition == ParquetSchemaElement.optionalRepetition, fileType: type,
                preferredType: logical == .unknown ? .float64 : type,
                isUnsigned32: unsigned && physical == .int32, isUnsigned64: unsigned && physical == .int64,
                leaf: leaf))
    }
}
