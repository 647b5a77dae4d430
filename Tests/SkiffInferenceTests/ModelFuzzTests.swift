import Foundation
import SkiffInference
import Testing

/// Hostile bytes never crash the loaders: truncated and mutated copies of every fixture model either load (and then
/// predict or throw) or throw `InferenceError`. The mutations are seeded, so a failure reproduces.
@Suite("Model parsing survives hostile bytes")
struct ModelFuzzTests {
    /// SplitMix64: a small seeded generator, so every run mutates the same way.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let modelFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FixtureCase.directory.path)) ?? []
        return names.filter { !$0.hasSuffix(".case.json") && $0 != "index.json" }.sorted()
    }()

    @Test("the fuzz corpus is present")
    func corpusIsPresent() {
        #expect(Self.modelFiles.count >= 40)
    }

    @Test("mutated model files throw or load, never trap", arguments: modelFiles)
    func mutatedModels(file: String) throws {
        let original = [UInt8](try Data(contentsOf: FixtureCase.directory.appendingPathComponent(file)))
        let format = try #require(ModelFormat(path: file))
        let caseName = file.replacingOccurrences(of: ".", with: "_")
        let fixture =
            (try? FixtureCase.load(caseName)) ?? (try? FixtureCase.load(String(file.split(separator: ".")[0])))
        var generator = SeededGenerator(state: UInt64(truncatingIfNeeded: file.hashValueStable))
        for round in 0..<48 {
            var mutated = original
            switch round % 4 {
            case 0:
                mutated = Array(mutated.prefix(Int.random(in: 0..<max(1, mutated.count), using: &generator)))
            case 1:
                for _ in 0..<Int.random(in: 1...8, using: &generator) where !mutated.isEmpty {
                    mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            case 2:
                let start = Int.random(in: 0..<max(1, mutated.count), using: &generator)
                let length = min(mutated.count - start, Int.random(in: 1...64, using: &generator))
                mutated.removeSubrange(start..<start + length)
            default:
                let position = Int.random(in: 0...mutated.count, using: &generator)
                let junk = (0..<Int.random(in: 1...16, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
                mutated.insert(contentsOf: junk, at: position)
            }
            do {
                let predictor = try ModelLoader.load(bytes: mutated, format: format)
                if let fixture {
                    _ = try? predictor.predict(fixture.feeds, options: PredictionOptions())
                }
            } catch is InferenceError {
                // Expected: a clear error.
            } catch {
                Issue.record("\(file) round \(round): unexpected error type \(type(of: error))")
            }
        }
    }
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per process).
    fileprivate var hashValueStable: UInt64 {
        utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
