import Foundation
import Logging
import ServiceLifecycle
import SkiffJSON
import Synchronization

/// Appends every prediction to rotated newline-delimited JSON segment files, for monitoring.
///
/// Requests only append a record to a bounded in-memory buffer (by records and by values held); a writer task encodes and writes them every
/// `flushInterval`. When the buffer is full a record is dropped and counted in `/metrics`
/// (`skiff_prediction_log_dropped_total`), never silently. A segment is closed and a new one begun once it passes
/// `segmentBytes`; segment names sort by creation time: `predictions-20261126T181500Z-000001.ndjson`.
final class PredictionLogger: Service, Sendable {
    /// Where and how the log is written.
    struct Configuration: Sendable {
        var directory: String
        var segmentBytes: Int = 64 << 20
        var bufferRecords: Int = 10_000
        /// The most input and output values the buffer holds, so a few huge requests cannot exhaust memory.
        var bufferValues: Int = 5_000_000
        var flushInterval: Duration = .milliseconds(200)
    }

    private let configuration: Configuration
    private let metrics: ServingMetrics
    private let logger: Logger
    private let buffer = Mutex<(records: [PredictionRecord], values: Int)>(([], 0))
    private let segment = Mutex<Segment?>(nil)

    private struct Segment {
        var handle: FileHandle
        var bytes: Int
    }

    init(configuration: Configuration, metrics: ServingMetrics, logger: Logger) throws(ServingError) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: configuration.directory, withIntermediateDirectories: true)
        } catch {
            throw ServingError(.configuration, "The prediction log directory cannot be created.")
        }
    }

    /// Queues a record; never blocks on I/O.
    func record(_ record: PredictionRecord) {
        let values = record.valueCount
        let accepted = buffer.withLock { buffered in
            guard buffered.records.count < configuration.bufferRecords,
                buffered.values + values <= configuration.bufferValues
            else { return false }
            buffered.records.append(record)
            buffered.values += values
            return true
        }
        if !accepted { metrics.predictionLog(written: 0, dropped: 1) }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.configuration.flushInterval)
                self.flush()
            }
        }
        flush()
        segment.withLock { current in
            try? current?.handle.close()
            current = nil
        }
    }

    /// Writes what is buffered; called by the writer task only.
    func flush() {
        let records = buffer.withLock { buffered in
            let taken = buffered.records
            buffered.records.removeAll(keepingCapacity: true)
            buffered.values = 0
            return taken
        }
        guard !records.isEmpty else { return }
        var lines = [UInt8]()
        lines.reserveCapacity(records.count * 256)
        for record in records {
            var writer = JSONWriter(capacity: 256)
            record.encoded(into: &writer)
            lines.append(contentsOf: writer.bytes)
            lines.append(UInt8(ascii: "\n"))
        }
        do {
            try write(lines)
            metrics.predictionLog(written: records.count, dropped: 0)
        } catch {
            metrics.predictionLog(written: 0, dropped: records.count)
            logger.error("prediction log write failed", metadata: ["error": "\(error)"])
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        try segment.withLock { current in
            var open = try current ?? openSegment()
            if open.bytes >= configuration.segmentBytes {
                try? open.handle.close()
                open = try openSegment()
            }
            current = open
            try open.handle.write(contentsOf: bytes)
            current?.bytes += bytes.count
        }
    }

    private func openSegment() throws -> Segment {
        let stamp = PredictionRecord.format(Date())
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        let prefix = "predictions-" + stamp.prefix(15) + "Z-"
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: configuration.directory)) ?? []
        let sequence = existing.filter { $0.hasPrefix("predictions-") }.count + 1
        let path = configuration.directory + "/" + prefix + String(format: "%06d", sequence) + ".ndjson"
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ServingError(.internalError, "A prediction log segment cannot be created.")
        }
        return Segment(handle: handle, bytes: 0)
    }
}
