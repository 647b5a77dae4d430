/// A dense, row-major tensor: the values a model reads and writes.
public struct Tensor: Sendable {
    /// The type of a tensor's elements.
    public enum ElementType: String, Sendable, Hashable {
        case float
        case double
        case int64
        case string
        case bool
    }

    /// A tensor's elements, row-major.
    public enum Storage: Sendable {
        case float([Float])
        case double([Double])
        case int64([Int64])
        case string([String])
        case bool([Bool])
    }

    /// The size of each dimension; their product is the element count.
    public var shape: [Int]
    /// The elements.
    public var storage: Storage

    /// Creates a tensor.
    /// - Parameters:
    ///   - shape: The size of each dimension.
    ///   - storage: The elements, row-major; their count must be the product of `shape`.
    public init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    /// The type of the elements.
    public var elementType: ElementType {
        switch storage {
        case .float: .float
        case .double: .double
        case .int64: .int64
        case .string: .string
        case .bool: .bool
        }
    }

    /// The number of elements.
    public var count: Int {
        switch storage {
        case .float(let values): values.count
        case .double(let values): values.count
        case .int64(let values): values.count
        case .string(let values): values.count
        case .bool(let values): values.count
        }
    }

    /// The elements as doubles (strings that are not numbers become NaN; booleans 0 or 1).
    public var doubles: [Double] {
        switch storage {
        case .float(let values): values.map { Double($0) }
        case .double(let values): values
        case .int64(let values): values.map { Double($0) }
        case .string(let values): values.map { Double($0) ?? .nan }
        case .bool(let values): values.map { $0 ? 1 : 0 }
        }
    }

    /// The element at `index` formatted for a CSV cell: shortest round-trip text for numbers.
    public func formattedElement(_ index: Int) -> String {
        switch storage {
        case .float(let values): "\(values[index])"
        case .double(let values): "\(values[index])"
        case .int64(let values): "\(values[index])"
        case .string(let values): values[index]
        case .bool(let values): values[index] ? "1" : "0"
        }
    }
}
