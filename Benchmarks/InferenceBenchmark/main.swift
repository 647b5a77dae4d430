import Foundation
import SkiffInference

// Times SkiffInference on one model and a CSV of rows, for several batch sizes and thread counts.
// Usage: InferenceBenchmark MODEL ROWS.csv [--batches 1,64,10000] [--threads 1,2] [--seconds 0.3]
// Prints one JSON object per (batch, threads): the best of five rounds, in nanoseconds per row.

struct Options {
    var model = ""
    var rows = ""
    var batches = [1, 64, 10_000]
    var threads = [1, ProcessInfo.processInfo.activeProcessorCount]
    var seconds = 0.3
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = Array(CommandLine.arguments.dropFirst())
    var positional = [String]()
    while !arguments.isEmpty {
        let argument = arguments.removeFirst()
        switch argument {
        case "--batches": options.batches = arguments.removeFirst().split(separator: ",").compactMap { Int($0) }
        case "--threads": options.threads = arguments.removeFirst().split(separator: ",").compactMap { Int($0) }
        case "--seconds": options.seconds = Double(arguments.removeFirst()) ?? 0.3
        default: positional.append(argument)
        }
    }
    guard positional.count == 2 else {
        FileHandle.standardError.write(
            Data("usage: InferenceBenchmark MODEL ROWS.csv [--batches ..] [--threads ..]\n".utf8))
        exit(64)
    }
    options.model = positional[0]
    options.rows = positional[1]
    return options
}

func readRows(_ path: String) -> (columns: Int, values: [Double]) {
    let text = try! String(contentsOfFile: path, encoding: .utf8)
    var lines = text.split(separator: "\n")
    let header = lines.removeFirst()
    let columns = header.split(separator: ",").count
    var values = [Double]()
    values.reserveCapacity(lines.count * columns)
    for line in lines {
        for field in line.split(separator: ",", omittingEmptySubsequences: false) {
            values.append(field.isEmpty ? .nan : Double(field) ?? .nan)
        }
    }
    return (columns, values)
}

let options = parseOptions()
let predictor = try ModelLoader.load(path: options.model)
let (columns, values) = readRows(options.rows)
let rowCount = values.count / columns
let inputName = predictor.inputs[0].name
let clock = ContinuousClock()

for threads in options.threads {
    let pool = ComputePool(threadCount: threads)
    let predictionOptions = PredictionOptions(pool: pool)
    for batch in options.batches where batch <= rowCount {
        // Pre-build the batches so tensor construction is outside the timing, as numpy arrays are for the others.
        let batchCount = max(1, min(64, rowCount / batch))
        let feeds: [[String: Tensor]] = (0..<batchCount).map { index in
            let start = (index * batch) % (rowCount - batch + 1)
            let slice = Array(values[start * columns..<(start + batch) * columns])
            return [inputName: Tensor(shape: [batch, columns], storage: .double(slice))]
        }
        var best = Double.infinity
        var checksum = 0.0
        for _ in 0..<5 {
            var calls = 0
            let start = clock.now
            var elapsed = Duration.zero
            repeat {
                let outputs = try predictor.predict(feeds[calls % batchCount], options: predictionOptions)
                checksum += outputs[outputs.count - 1].tensor.doubles.first ?? 0
                calls += 1
                elapsed = clock.now - start
            } while elapsed < .seconds(options.seconds / 5)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds * 1e9 / Double(calls * batch))
        }
        print(
            "{\"batch\": \(batch), \"threads\": \(threads), \"ns_per_row\": \(best), \"checksum\": \(checksum.isFinite ? checksum : 0)}"
        )
    }
}
