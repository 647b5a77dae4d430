import Foundation

/// Converts ONNX `TensorProto`s (initializers, constants) into `Tensor`s.
enum TensorConversion {
    /// The element type of an ONNX data type code.
    static func elementType(_ code: Int32) -> Tensor.ElementType? {
        switch code {
        case 1: .float
        case 11: .double
        case 6, 7, 2, 3, 4, 5, 12, 13: .int64
        case 8: .string
        case 9: .bool
        default: nil
        }
    }

    /// Converts a tensor proto.
    /// - Throws: `corruptModel` when the data does not match the dims, `unsupportedModel` for external data or an
    ///   element type Skiff does not handle.
    static func tensor(from proto: Onnx_TensorProto, context: String) throws -> Tensor {
        var count = 1
        for dim in proto.dims {
            guard dim >= 0, dim < 1 << 31 else { throw InferenceError.corrupt("The \(context) has an invalid shape.") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product < 1 << 31 else { throw InferenceError.corrupt("The \(context) is too large.") }
            count = product
        }
        let shape = proto.dims.map { Int($0) }
        guard proto.dataLocation != .external else {
            throw InferenceError(.unsupportedModel, "The \(context) uses external data, which is not supported.")
        }
        let raw = proto.rawData
        func fromRaw<T>(_ type: T.Type, width: Int, _ convert: (UInt64) -> T) throws -> [T] {
            guard raw.count == count * width else {
                throw InferenceError.corrupt("The \(context) has \(raw.count) bytes of data for \(count) elements.")
            }
            var values = [T]()
            values.reserveCapacity(count)
            raw.withUnsafeBytes { buffer in
                for index in 0..<count {
                    var bits: UInt64 = 0
                    for byte in 0..<width {
                        bits |= UInt64(buffer[index * width + byte]) << (8 * UInt64(byte))
                    }
                    values.append(convert(bits))
                }
            }
            return values
        }
        func checked<T>(_ values: [T]) throws -> [T] {
            guard values.count == count else {
                throw InferenceError.corrupt("The \(context) has \(values.count) values for shape \(shape).")
            }
            return values
        }
        let storage: Tensor.Storage
        switch proto.dataType {
        case 1:
            storage = .float(
                raw.isEmpty
                    ? try checked(proto.floatData)
                    : try fromRaw(Float.self, width: 4) {
                        Float(bitPattern: UInt32(truncatingIfNeeded: $0))
                    })
        case 11:
            storage = .double(
                raw.isEmpty
                    ? try checked(proto.doubleData)
                    : try fromRaw(Double.self, width: 8) {
                        Double(bitPattern: $0)
                    })
        case 7:
            storage = .int64(
                raw.isEmpty
                    ? try checked(proto.int64Data)
                    : try fromRaw(Int64.self, width: 8) {
                        Int64(bitPattern: $0)
                    })
        case 6, 5, 3:
            let width = proto.dataType == 6 ? 4 : 2
            if raw.isEmpty {
                storage = .int64(try checked(proto.int32Data).map { Int64($0) })
            } else if proto.dataType == 3 {
                storage = .int64(try fromRaw(Int64.self, width: 1) { Int64(Int8(truncatingIfNeeded: $0)) })
            } else {
                storage = .int64(
                    try fromRaw(Int64.self, width: width) {
                        width == 4 ? Int64(Int32(truncatingIfNeeded: $0)) : Int64(Int16(truncatingIfNeeded: $0))
                    })
            }
        case 2, 4, 12, 13:
            let width = [2: 1, 4: 2, 12: 4, 13: 8][Int(proto.dataType)]!
            if raw.isEmpty {
                storage = .int64(
                    proto.dataType == 13
                        ? try checked(proto.uint64Data).map { Int64(bitPattern: $0) }
                        : try checked(proto.int32Data).map { Int64($0) })
            } else {
                storage = .int64(try fromRaw(Int64.self, width: width) { Int64(bitPattern: $0) })
            }
        case 9:
            storage = .bool(
                raw.isEmpty
                    ? try checked(proto.int32Data).map { $0 != 0 } : try fromRaw(Bool.self, width: 1) { $0 != 0 })
        case 8:
            storage = .string(try checked(proto.stringData).map { String(decoding: $0, as: UTF8.self) })
        default:
            throw InferenceError(
                .unsupportedModel, "The \(context) has element type \(proto.dataType), which is not supported.")
        }
        return Tensor(shape: shape, storage: storage)
    }
}
