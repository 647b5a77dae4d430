import Foundation
import Testing

@testable import SkiffTables

/// Hostile input: valid files with bytes flipped, inserted, deleted and cut, read to the end under strict and
/// lenient options. Every outcome must be batches or a `TableError`, never a crash, and batches stay bounded.
@Suite("Mutated CSV, JSON Lines and Parquet inputs")
struct MutatedInputTests {
    static let seeds: [(TableFormat, String)] = [
        (.csv, "a,b,c,d\n1,2.5,x,True\n-3,,\"q,\"\"r\"\"\",false\n4,1e5,\"multi\nline\",True\r\n5,NA,z,\n"),
        (
            .jsonl,
            "{\"a\": 1, \"b\": 2.5, \"c\": \"x\"}\n{\"a\": -3, \"b\": null, \"c\": \"q\\\"r\"}\n{\"a\": 4, \"d\": [1]}\n"
        ),
    ]
    static let interesting: [UInt8] = Array(",\"\n\r{}[]:\\-.e0123456789NAtrufls \t".utf8) + [0x00, 0xFF, 0xC3]

    /// Bytes that mean something in Parquet's Thrift headers, varints, levels and lengths.
    static let interestingBinary: [UInt8] = [
        0x00, 0x01, 0x7F, 0x80, 0xFF, 0x15, 0x16, 0x18, 0x19, 0x1C, 0x2C, 0x08, 0x03,
    ]

    func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator, interesting: [UInt8] = interesting) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !out.isEmpty: out[position] = interesting.randomElement(using: &rng)!
            case 1: out.insert(interesting.randomElement(using: &rng)!, at: position)
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

    /// Parquet inputs: 3,000 by default (each is a whole file); `SKIFF_TABLES_FUZZ_INPUTS` asks for more.
    static let parquetInputs =
        ProcessInfo.processInfo.environment["SKIFF_TABLES_FUZZ_INPUTS"].flatMap { Int($0) } ?? 3_000

    @Test("Thousands of mutated Parquet files (every fixture) give batches or a TableError, never a crash")
    func parquetMutations() throws {
        let seed = ProcessInfo.processInfo.environment["SKIFF_TABLES_FUZZ_SEED"].flatMap { UInt64($0) } ?? 2026
        var rng = SeededGenerator(seed: seed)
        let fixtures = try ParquetReaderTests.fixtures.map { name in
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: ParquetReaderTests.path(name))))
        }
        var failures = 0
        var successes = 0
        for round in 0..<Self.parquetInputs {
            let bytes = mutate(fixtures[round % fixtures.count], &rng, interesting: Self.interestingBinary)
            var options = ReadOptions(batchRows: [1, 7, 8192][round % 3])
            if round % 2 == 0 {
                options.invalidValues = .treatAsMissing
                options.types = ["f64": .int64, "text": .float64, "i32": .string]
            }
            do {
                let reader = try Tables.reader(bytes: bytes, name: "mutated", format: .parquet, options: options)
                var rows = 0
                while let batch = try reader.nextBatch() {
                    #expect(batch.rowCount <= options.batchRows && batch.columns.count == batch.schema.fields.count)
                    rows += batch.rowCount
                }
                #expect(rows == reader.report.rows)
                successes += 1
            } catch {
                failures += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(successes > 10 && failures > 10)
    }
}
