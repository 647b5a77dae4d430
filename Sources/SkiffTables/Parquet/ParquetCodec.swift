import CSnappy
import CZlib
import CZstd

/// A column chunk's page compression, decompressing into exactly the size a page header declares.
///
/// Before allocating, the declared size is checked against what the compressed bytes can produce: Snappy's own
/// length preamble (and a validation pass), Deflate's 1032:1 limit, and Zstandard's frame header or its 32768:1
/// limit (a 128 KiB RLE block from four bytes). A page that decompresses to any other size is corrupt.
enum ParquetCodec: Equatable {
    case uncompressed
    case snappy
    case gzip
    case zstd

    /// The codec of a `CompressionCodec` value; LZO, Brotli and LZ4 are not read.
    init(code: Int32) throws(ParquetFault) {
        switch code {
        case 0: self = .uncompressed
        case 1: self = .snappy
        case 2: self = .gzip
        case 6: self = .zstd
        case 3: throw .unsupported("LZO compression is not read; rewrite the file with snappy, gzip or zstd")
        case 4: throw .unsupported("Brotli compression is not read; rewrite the file with snappy, gzip or zstd")
        case 5, 7: throw .unsupported("LZ4 compression is not read; rewrite the file with snappy, gzip or zstd")
        default: throw .corrupt("unknown compression codec \(code)")
        }
    }

    /// `input` decompressed into the first `size` bytes of `output` (grown if needed, its capacity reused); it
    /// must come to exactly `size` bytes.
    func decompress(_ input: UnsafeRawBufferPointer, size: Int, into output: inout [UInt8]) throws(ParquetFault) {
        if self == .uncompressed {
            guard input.count == size else {
                throw .corrupt("an uncompressed page has \(input.count) bytes but its header says \(size)")
            }
            output = Array(input)
            return
        }
        guard let source = input.baseAddress, input.count > 0 else {
            if size == 0 { return }
            throw .corrupt("a compressed page is empty but its header says \(size) bytes")
        }
        try checkBound(source, count: input.count, size: size)
        if output.count < size { output = [UInt8](repeating: 0, count: size) }
        var failure: ParquetFault?
        output.withUnsafeMutableBufferPointer { buffer in
            do throws(ParquetFault) {
                try inflate(source, count: input.count, into: buffer.baseAddress!, size: size)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Rejects a declared size the compressed bytes cannot produce, before anything is allocated for it.
    private func checkBound(_ source: UnsafeRawPointer, count: Int, size: Int) throws(ParquetFault) {
        let limit: Int
        switch self {
        case .uncompressed: return
        case .snappy:
            var length = 0
            let pointer = source.assumingMemoryBound(to: CChar.self)
            guard snappy_uncompressed_length(pointer, count, &length) == SNAPPY_OK, length == size,
                snappy_validate_compressed_buffer(pointer, count) == SNAPPY_OK
            else { throw .corrupt("a page's snappy data is invalid or does not decompress to \(size) bytes") }
            return
        case .gzip:
            limit = count.multipliedReportingOverflow(by: 1032).partialValue + 1024
        case .zstd:
            let declared = ZSTD_getFrameContentSize(source, count)
            if declared < UInt64.max - 1 && declared != UInt64(size) {
                throw .corrupt("a page's zstd frame holds \(declared) bytes but its header says \(size)")
            }
            limit = count.multipliedReportingOverflow(by: 32_768).partialValue + 131_072
        }
        guard size <= limit else {
            throw .corrupt("a page's header says \(size) bytes, more than its \(count) compressed bytes can hold")
        }
    }

    private func inflate(_ source: UnsafeRawPointer, count: Int, into output: UnsafeMutablePointer<UInt8>, size: Int)
        throws(ParquetFault)
    {
        switch self {
        case .uncompressed: return
        case .snappy:
            var length = size
            let status = snappy_uncompress(
                source.assumingMemoryBound(to: CChar.self), count,
                UnsafeMutableRawPointer(output).assumingMemoryBound(to: CChar.self), &length)
            guard status == SNAPPY_OK, length == size else {
                throw .corrupt("a page's snappy data does not decompress to \(size) bytes")
            }
        case .zstd:
            let result = ZSTD_decompress(output, size, source, count)
            guard ZSTD_isError(result) == 0, result == size else {
                throw .corrupt("a page's zstd data does not decompress to \(size) bytes")
            }
        case .gzip:
            try gunzip(source, count: count, into: output, size: size)
        }
    }

    /// Inflates one or more gzip members (zlib streams are accepted too).
    private func gunzip(_ source: UnsafeRawPointer, count: Int, into output: UnsafeMutablePointer<UInt8>, size: Int)
        throws(ParquetFault)
    {
        var stream = z_stream()
        // 15 + 32: the largest window, and detect a gzip or zlib header.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: source.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(clamping: count)
        stream.next_out = output
        stream.avail_out = UInt32(clamping: size)
        while true {
            let status = CZlib.inflate(&stream, Z_FINISH)
            if status == Z_STREAM_END {
                // Another gzip member may follow.
                if stream.avail_in > 0 && stream.avail_out > 0 && inflateReset(&stream) == Z_OK { continue }
                break
            }
            throw .corrupt("a page's gzip data is invalid or does not decompress to \(size) bytes")
        }
        guard stream.avail_out == 0 else {
            throw .corrupt("a page's gzip data does not decompress to \(size) bytes")
        }
    }
}

extension ParquetCodec {
    /// The `CompressionCodec` value written in a column chunk's metadata.
    var code: Int32 {
        switch self {
        case .uncompressed: 0
        case .snappy: 1
        case .gzip: 2
        case .zstd: 6
        }
    }

    /// `input` compressed: Snappy, gzip at zlib's default level, or Zstandard at level 1 (pyarrow's defaults).
    func compress(_ input: [UInt8]) -> [UInt8] {
        if self == .uncompressed { return input }
        return input.withUnsafeBytes { source -> [UInt8] in
            let count = source.count
            let base = source.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            switch self {
            case .uncompressed:
                return input
            case .snappy:
                let capacity = snappy_max_compressed_length(count)
                return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                    var length = capacity
                    let status = snappy_compress(
                        base.assumingMemoryBound(to: CChar.self), count,
                        UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), &length)
                    // Snappy fails only for an output buffer smaller than its own bound.
                    precondition(status == SNAPPY_OK, "snappy_compress failed with a sufficient buffer")
                    initialized = length
                }
            case .zstd:
                let capacity = ZSTD_compressBound(count)
                return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                    let result = ZSTD_compress(buffer.baseAddress!, capacity, base, count, 1)
                    precondition(ZSTD_isError(result) == 0, "ZSTD_compress failed with a sufficient buffer")
                    initialized = result
                }
            case .gzip:
                return Self.gzip(base, count: count)
            }
        }
    }

    /// One gzip member (RFC 1952), as Parquet's GZIP codec is written.
    private static func gzip(_ source: UnsafeRawPointer, count: Int) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: the largest window, with a gzip header and trailer.
        let started = deflateInit2_(
            &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(started == Z_OK, "zlib could not start")
        defer { deflateEnd(&stream) }
        let capacity = Int(deflateBound(&stream, uLong(count)))
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            stream.next_in = UnsafeMutablePointer(mutating: source.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(count)
            stream.next_out = buffer.baseAddress!
            stream.avail_out = UInt32(capacity)
            let status = deflate(&stream, Z_FINISH)
            precondition(status == Z_STREAM_END, "deflate did not finish within deflateBound")
            initialized = capacity - Int(stream.avail_out)
        }
    }
}
