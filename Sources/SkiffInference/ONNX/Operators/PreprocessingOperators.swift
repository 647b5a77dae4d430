import Foundation

/// ai.onnx.ml preprocessing operators: Scaler, Imputer, Normalizer, Binarizer, OneHotEncoder, LabelEncoder.
enum PreprocessingOperators {
    /// Picks the per-column value of a list that has one entry or one per column.
    private static func perColumn(_ values: [Float], columns: Int, _ attributes: NodeAttributes, _ name: String) throws
        -> [Float]
    {
        if values.count == columns { return values }
        if values.count == 1 { return [Float](repeating: values[0], count: columns) }
        throw InferenceError(
            .invalidInput,
            "Node '\(attributes.node)' (\(attributes.opType)): '\(name)' has \(values.count) values for \(columns) columns."
        )
    }

    static func scaler(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let offsets = attributes.floats("offset") ?? [0]
        let scales = attributes.floats("scale") ?? [1]
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let columns = x.shape.last ?? 1
            let offset = try perColumn(offsets, columns: columns, attributes, "offset")
            let scale = try perColumn(scales, columns: columns, attributes, "scale")
            var values = x.floats
            for index in values.indices {
                let column = index % columns
                values[index] = (values[index] - offset[column]) * scale[column]
            }
            return [Tensor(shape: x.shape, storage: .float(values))]
        }
    }

    static func imputer(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        if let imputedIntegers = attributes.ints("imputed_value_int64s"), !imputedIntegers.isEmpty {
            let replaced = Int64(try attributes.int("replaced_value_int64", default: 0))
            return ClosureOperator { inputs in
                let x = try ElementwiseOperators.input(inputs, 0, attributes)
                let columns = x.shape.last ?? 1
                guard imputedIntegers.count == 1 || imputedIntegers.count == columns else {
                    throw attributes.invalid("imputed_value_int64s")
                }
                var values = x.int64s
                for index in values.indices where values[index] == replaced {
                    values[index] = imputedIntegers.count == 1 ? imputedIntegers[0] : imputedIntegers[index % columns]
                }
                return [Tensor(shape: x.shape, storage: .int64(values))]
            }
        }
        let imputed = attributes.floats("imputed_value_floats") ?? []
        guard !imputed.isEmpty else { throw attributes.missing("imputed_value_floats") }
        let replaced = try attributes.float("replaced_value_float", default: .nan)
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let columns = x.shape.last ?? 1
            let fill = try perColumn(imputed, columns: columns, attributes, "imputed_value_floats")
            var values = x.floats
            for index in values.indices where values[index] == replaced || (replaced.isNaN && values[index].isNaN) {
                values[index] = fill[index % columns]
            }
            return [Tensor(shape: x.shape, storage: .float(values))]
        }
    }

    static func normalizer(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let norm = try attributes.string("norm", default: "MAX")
        guard ["MAX", "L1", "L2"].contains(norm) else { throw attributes.unsupported("norm '\(norm)'") }
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let columns = x.shape.last ?? 1
            var values = x.floats
            let rows = columns == 0 ? 0 : values.count / columns
            for row in 0..<rows {
                let range = row * columns..<(row + 1) * columns
                var divisor: Float
                switch norm {
                case "L1": divisor = values[range].reduce(0) { $0 + abs($1) }
                case "L2": divisor = values[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
                default: divisor = values[range].max() ?? 1
                }
                for index in range { values[index] /= divisor }
            }
            return [Tensor(shape: x.shape, storage: .float(values))]
        }
    }

    static func binarizer(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let threshold = try attributes.float("threshold", default: 0)
        return ClosureOperator { inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            return [x.with(floats: x.floats.map { $0 > threshold ? 1 : 0 })]
        }
    }

    static func oneHotEncoder(_ attributes: NodeAttributes) throws -> any ONNXOperator {
        let zeros = try attributes.int("zeros", default: 1) != 0
        let stringCategories = attributes.strings("cats_strings") ?? []
        let integerCategories = attributes.ints("cats_int64s") ?? []
        guard !stringCategories.isEmpty || !integerCategories.isEmpty else { throw attributes.missing("cats_strings") }
        var stringIndex = [String: Int]()
        for (index, category) in stringCategories.enumerated() where stringIndex[category] == nil {
            stringIndex[category] = index
        }
        var integerIndex = [Int64: Int]()
        for (index, category) in integerCategories.enumerated() where integerIndex[category] == nil {
            integerIndex[category] = index
        }
        let width = max(stringCategories.count, integerCategories.count)
        return ClosureOperator { [stringIndex, integerIndex] inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            var values = [Float](repeating: 0, count: x.count * width)
            let positions: [Int?]
            if !stringCategories.isEmpty {
                positions = x.strings.map { stringIndex[$0] }
            } else {
                positions = x.int64s.map { integerIndex[$0] }
            }
            for (element, position) in positions.enumerated() {
                if let position {
                    values[element * width + position] = 1
                } else if !zeros {
                    throw InferenceError(
                        .invalidValue, "Node '\(attributes.node)' (OneHotEncoder): a value is not a known category.")
                }
            }
            return [Tensor(shape: x.shape + [width], storage: .float(values))]
        }
    }

    static func labelEncoder(_ attributes: NodeAttributes, opset: Int) throws -> any ONNXOperator {
        enum Keys {
            case strings([String])
            case integers([Int64])
            case floats([Float])
        }
        enum Values {
            case strings([String], String)
            case integers([Int64], Int64)
            case floats([Float], Float)
        }
        let keys: Keys
        let values: Values
        if let classes = attributes.strings("classes_strings"), opset < 2 {
            // v1: strings ↔ their index.
            keys = .strings(classes)
            values = .integers(
                (0..<Int64(classes.count)).map { $0 }, Int64(try attributes.int("default_int64", default: -1)))
        } else {
            if let strings = attributes.strings("keys_strings"), !strings.isEmpty {
                keys = .strings(strings)
            } else if let integers = attributes.ints("keys_int64s"), !integers.isEmpty {
                keys = .integers(integers)
            } else if let floats = attributes.floats("keys_floats"), !floats.isEmpty {
                keys = .floats(floats)
            } else {
                throw attributes.missing("keys_strings")
            }
            if let strings = attributes.strings("values_strings"), !strings.isEmpty {
                values = .strings(strings, try attributes.string("default_string", default: "_Unused"))
            } else if let integers = attributes.ints("values_int64s"), !integers.isEmpty {
                values = .integers(integers, Int64(try attributes.int("default_int64", default: -1)))
            } else if let floats = attributes.floats("values_floats"), !floats.isEmpty {
                values = .floats(floats, try attributes.float("default_float", default: -0.0))
            } else {
                throw attributes.missing("values_strings")
            }
        }
        let keyCount: Int
        switch keys {
        case .strings(let k): keyCount = k.count
        case .integers(let k): keyCount = k.count
        case .floats(let k): keyCount = k.count
        }
        let valueCount: Int
        switch values {
        case .strings(let v, _): valueCount = v.count
        case .integers(let v, _): valueCount = v.count
        case .floats(let v, _): valueCount = v.count
        }
        guard keyCount == valueCount else { throw attributes.invalid("values") }
        var stringMap = [String: Int]()
        var integerMap = [Int64: Int]()
        var floatMap = [Float: Int]()
        switch keys {
        case .strings(let k): for (i, key) in k.enumerated() where stringMap[key] == nil { stringMap[key] = i }
        case .integers(let k): for (i, key) in k.enumerated() where integerMap[key] == nil { integerMap[key] = i }
        case .floats(let k): for (i, key) in k.enumerated() where floatMap[key] == nil { floatMap[key] = i }
        }
        let usesStrings: Bool
        let usesIntegers: Bool
        switch keys {
        case .strings: (usesStrings, usesIntegers) = (true, false)
        case .integers: (usesStrings, usesIntegers) = (false, true)
        case .floats: (usesStrings, usesIntegers) = (false, false)
        }
        let stringValues: [String]
        let integerValues: [Int64]
        let floatValues: [Float]
        let defaultString: String
        let defaultInteger: Int64
        let defaultFloat: Float
        let output: Tensor.ElementType
        switch values {
        case .strings(let v, let d):
            (stringValues, integerValues, floatValues, defaultString, defaultInteger, defaultFloat, output) =
                (v, [], [], d, 0, 0, .string)
        case .integers(let v, let d):
            (stringValues, integerValues, floatValues, defaultString, defaultInteger, defaultFloat, output) =
                ([], v, [], "", d, 0, .int64)
        case .floats(let v, let d):
            (stringValues, integerValues, floatValues, defaultString, defaultInteger, defaultFloat, output) =
                ([], [], v, "", 0, d, .float)
        }
        return ClosureOperator { [stringMap, integerMap, floatMap] inputs in
            let x = try ElementwiseOperators.input(inputs, 0, attributes)
            let positions: [Int?]
            if usesStrings {
                positions = x.strings.map { stringMap[$0] }
            } else if usesIntegers {
                positions = x.int64s.map { integerMap[$0] }
            } else {
                positions = x.floats.map { floatMap[$0] }
            }
            switch output {
            case .string:
                return [
                    Tensor(
                        shape: x.shape, storage: .string(positions.map { $0.map { stringValues[$0] } ?? defaultString })
                    )
                ]
            case .int64:
                return [
                    Tensor(
                        shape: x.shape,
                        storage: .int64(positions.map { $0.map { integerValues[$0] } ?? defaultInteger }))
                ]
            default:
                return [
                    Tensor(
                        shape: x.shape, storage: .float(positions.map { $0.map { floatValues[$0] } ?? defaultFloat }))
                ]
            }
        }
    }
}
