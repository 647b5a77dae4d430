import Foundation
import SkiffTables

// Times SkiffTables reading a file (CSV, JSON Lines or Parquet, by extension) and, with --write, writing its
// numeric columns back out as CSV (or the batches as Parquet, for OUT.parquet).
// Usage: TablesBenchmark FILE [--rounds 5] [--write OUT.csv|OUT.parquet]
// Prints one JSON object: the best round's seconds, rows, bytes and MB/s for each step.

var arguments = Array(CommandLine.arguments.dropFirst())
var rounds = 5
var writePath: String?
var positional: [String] = []
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--rounds": rounds = Int(arguments.removeFirst()) ?? 5
    case "--write": writePath = arguments.removeFirst()
    default: positional.append(argument)
    }
}
guard positional.count == 1 else {
    FileHandle.standardError.write(Data("usage: TablesBenchmark FILE [--rounds 5] [--write OUT.csv]\n".utf8))
    exit(64)
}
let path = positional[0]
let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

do {
    var bestRead = Double.infinity
    var rows = 0
    var checksum = 0.0
    var batches: [RecordBatch] = []
    for round in 0..<rounds {
        var kept: [RecordBatch] = []
        let t = try seconds {
            let reader = try Tables.open(path: path)
            rows = 0
            checksum = 0
            while let batch = try reader.nextBatch() {
                rows += batch.rowCount
                if let first = batch.columns.first, let x = first.double(at: 0) { checksum += x }
                if round == rounds - 1 { kept.append(batch) }
            }
        }
        bestRead = min(bestRead, t)
        if round == rounds - 1 { batches = kept }
    }
    var result = "{\"file\":\"\(path)\",\"rows\":\(rows),\"bytes\":\(bytes),\"read_s\":\(bestRead),"
    result += "\"read_mb_s\":\(Double(bytes) / bestRead / 1e6),\"checksum\":\(checksum)"
    if let writePath {
        var bestWrite = Double.infinity
        for _ in 0..<rounds {
            let t = try seconds {
                if writePath.hasSuffix(".parquet") {
                    let writer = try ParquetWriter(path: writePath, schema: batches[0].schema)
                    for batch in batches { try writer.write(batch) }
                    try writer.close()
                    return
                }
                let writer = try CSVWriter(path: writePath)
                for name in batches.first?.schema.names ?? [] { writer.field(name) }
                try writer.endRow()
                for batch in batches {
                    let columns = batch.columns.map { $0.doubles() }
                    for r in 0..<batch.rowCount {
                        for column in columns { writer.field(column[r]) }
                        try writer.endRow()
                    }
                }
                try writer.close()
            }
            bestWrite = min(bestWrite, t)
        }
        let written = (try? FileManager.default.attributesOfItem(atPath: writePath)[.size] as? Int) ?? 0
        result += ",\"write_s\":\(bestWrite),\"write_mb_s\":\(Double(written) / bestWrite / 1e6)"
    }
    print(result + "}")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
