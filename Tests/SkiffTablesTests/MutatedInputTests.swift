import Foundation
import Testing

@testable import SkiffTables

/// Hostile input: valid files with bytes flipped, inserted, deleted and cut, read to the end under strict and
/// lenient options. Every outcome must be batches or a `TableError`, never a crash, and batches stay bounded.
@Suite("Mutated CSV and JSON Lines inputs")
struct MutatedInputTests {
    static let seeds: [(TableFormat, String)] = [
        (.csv, "a,b,c,d\n1,2.5,x,True\n-3,,\"q,\"\"r\"\"\",false\n4,1e5,\"multi\nline\",True\r\n5,NA,z,\n"),
        (
            .jsonl,
            "{\"a\": 1, \"b\": 2.5, \"c\": \"x\"}\n{\"a\": -3, \"b\": null, \"c\": \"q\\\"r\"}\n{\"a\": 4, \"d\": [1]}\n"
        ),
    ]
    static let interesting: [UInt8] = Array(",\"\n\r{}[]:\\-.e0123456789NAtrufls \t".utf8) + [0x00, 0xFF, 0xC3]

    func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !out.isEmpty: out[position] = Self.interesting.randomElement(using: &rng)!
            case 1: out.insert(Self.interesting.randomElement(using: &rng)!, at: position)
            case 2 where !out.isEmpty: out.remove(at: position)
            case 3: out = Array(out.prefix(position))
            default:
                let chunk = out[position...].prefix(Int.random(in: 1...12, using: &rng))
                out.insert(contentsOf: chunk, at: position)
            }
        }
        return out
    }

    /// Inputs per format: 20,000 by default; `SKIFF_TABLES_FUZZ_INPUTS` asks for a longer run (and
    /// `SKIFF_TABLES_FUZZ_SEED` for another sequence).
    static let inputsPerFormat =
        ProcessInfo.processInfo.environment["SKIFF_TABLES_FUZZ_INPUTS"].flatMap { Int($0) } ?? 20_000

    @Test("Tens of thousands of mutated inputs give batches or a TableError, never a crash")
    func mutations() throws {
        let seed = ProcessInfo.processInfo.environment["SKIFF_TABLES_FUZZ_SEED"].flatMap { UInt64($0) } ?? 2026
        var rng = SeededGenerator(seed: seed)
        var failures = 0
        var successes = 0
        for (format, seed) in Self.seeds {
            for round in 0..<Self.inputsPerFormat {
                let bytes = mutate(Array(seed.utf8), &rng)
                var options = ReadOptions(batchRows: 2, inferenceRows: round % 3 + 1)
                if round % 2 == 0 {
                    options.invalidValues = .treatAsMissing
                    options.raggedRows = .pad
                }
                do {
                    let reader = try Tables.reader(bytes: bytes, name: "mutated", format: format, options: options)
                    var rows = 0
                    while let batch = try reader.nextBatch() {
                        #expect(batch.rowCount <= 2 && batch.columns.count == batch.schema.fields.count)
                        rows += batch.rowCount
                        #expect(rows <= bytes.count)
                    }
                    successes += 1
                } catch {
                    failures += 1
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(successes > 100 && failures > 100)
    }
}
