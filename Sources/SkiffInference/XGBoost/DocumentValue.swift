/// A decoded JSON or UBJSON document, as XGBoost writes its model files.
///
/// Numeric arrays are kept in typed storage (`floats`, `doubles`, `integers`) so a model with hundreds of thousands
/// of nodes does not become hundreds of thousands of enum cases.
enum DocumentValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([DocumentValue])
    case object([String: DocumentValue])
    case floats([Float])
    case doubles([Double])
    case integers([Int64])

    subscript(key: String) -> DocumentValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The member `key` of an object, or a `corruptModel` error naming `context`.
    func member(_ key: String, in context: String) throws -> DocumentValue {
        guard let value = self[key] else {
            throw InferenceError.corrupt("The model has no '\(key)' in \(context).")
        }
        return value
    }

    var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// A number, accepting integers, doubles and numeric strings (XGBoost writes several parameters as strings).
    var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        case .bool(let value): value ? 1 : 0
        case .string(let string): Double(string)
        default: nil
        }
    }

    var count: Int {
        switch self {
        case .array(let values): values.count
        case .floats(let values): values.count
        case .doubles(let values): values.count
        case .integers(let values): values.count
        case .object(let members): members.count
        default: 0
        }
    }

    /// The array as `Float`s (converting each number once), or nil when it is not a numeric array.
    func floatArray() -> [Float]? {
        switch self {
        case .floats(let values): return values
        case .doubles(let values): return values.map { Float($0) }
        case .integers(let values): return values.map { Float($0) }
        case .array(let values):
            var result = [Float]()
            result.reserveCapacity(values.count)
            for value in values {
                guard let number = value.numberValue else { return nil }
                result.append(Float(number))
            }
            return result
        default: return nil
        }
    }

    /// The array as integers, or nil when it is not an array of integral numbers in `Int32` range.
    func int32Array() -> [Int32]? {
        func convert(_ value: Double) -> Int32? {
            guard value == value.rounded(), value >= Double(Int32.min), value <= Double(Int32.max) else { return nil }
            return Int32(value)
        }
        switch self {
        case .integers(let values):
            var result = [Int32]()
            result.reserveCapacity(values.count)
            for value in values {
                guard let narrowed = Int32(exactly: value) else { return nil }
                result.append(narrowed)
            }
            return result
        case .floats(let values):
            var result = [Int32]()
            for value in values {
                guard let converted = convert(Double(value)) else { return nil }
                result.append(converted)
            }
            return result
        case .doubles(let values):
            var result = [Int32]()
            for value in values {
                guard let converted = convert(value) else { return nil }
                result.append(converted)
            }
            return result
        case .array(let values):
            var result = [Int32]()
            result.reserveCapacity(values.count)
            for value in values {
                guard let number = value.numberValue, let converted = convert(number) else { return nil }
                result.append(converted)
            }
            return result
        default:
            return nil
        }
    }
}
