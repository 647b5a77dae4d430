import Foundation
import SkiffInference

/// One correctness fixture written by scripts/fixtures/make_inference_fixtures.py: a model file, inputs, and the
/// reference library's outputs.
struct FixtureCase: Decodable {
    struct Value: Decodable {
        let number: Double?
        let text: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                number = .nan
                text = nil
            } else if let value = try? container.decode(Double.self) {
                number = value
                text = nil
            } else {
                number = nil
                text = try container.decode(String.self)
            }
        }
    }

    struct TensorValue: Decodable {
        let name: String
        let dtype: String
        let shape: [Int]
        let data: [Value]

        var tensor: Tensor {
            switch dtype {
            case "string": Tensor(shape: shape, storage: .string(data.map { $0.text ?? "" }))
            case "int64": Tensor(shape: shape, storage: .int64(data.map { Int64($0.number ?? 0) }))
            case "bool": Tensor(shape: shape, storage: .bool(data.map { ($0.number ?? 0) != 0 }))
            case "float": Tensor(shape: shape, storage: .float(data.map { Float($0.number ?? .nan) }))
            default: Tensor(shape: shape, storage: .double(data.map { $0.number ?? .nan }))
            }
        }
    }

    let name: String
    let model: String
    let kind: String
    let inputs: [TensorValue]
    let outputs: [TensorValue]
    let rawOutputs: [TensorValue]?
    let tolerance: Double

    enum CodingKeys: String, CodingKey {
        case name, model, kind, inputs, outputs, tolerance
        case rawOutputs = "raw_outputs"
    }

    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    /// The names of every committed fixture case.
    static let names: [String] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("index.json")),
            let names = try? JSONDecoder().decode([String].self, from: data)
        else { return [] }
        return names
    }()

    static func load(_ name: String) throws -> FixtureCase {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).case.json"))
        return try JSONDecoder().decode(FixtureCase.self, from: data)
    }

    var modelPath: String { Self.directory.appendingPathComponent(model).path }

    var feeds: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, $0.tensor) })
    }
}
