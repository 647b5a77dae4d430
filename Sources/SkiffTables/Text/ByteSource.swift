#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file, standard input or bytes in memory, read front to back in blocks; a file is closed when released.
final class ByteSource {
    /// The name shown in messages.
    let name: String
    private let file: UnsafeMutablePointer<FILE>?
    private let ownsFile: Bool
    private let memory: [UInt8]
    private var memoryOffset = 0

    /// Bytes already in memory (a request body), named `name` in messages.
    init(bytes: [UInt8], name: String) {
        file = nil
        ownsFile = false
        memory = bytes
        self.name = name
    }

    /// Opens `path`; `-` is standard input.
    init(path: String) throws(TableError) {
        if path == "-" {
            // A stream of its own on descriptor 0, so the C library's shared `stdin` is not touched.
            guard let input = fdopen(0, "rb") else {
                throw TableError(.unreadableFile, "cannot read standard input: \(String(cString: strerror(errno)))")
            }
            file = input
            ownsFile = false
            memory = []
            name = "standard input"
            return
        }
        guard let opened = fopen(path, "rb") else {
            throw TableError(.unreadableFile, "cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(fileno(opened), &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            fclose(opened)
            throw TableError(.unreadableFile, "cannot read '\(path)': it is a directory")
        }
        file = opened
        ownsFile = true
        memory = []
        name = path
    }

    deinit {
        if ownsFile, let file { fclose(file) }
    }

    /// Reads up to `count` bytes into `buffer`; 0 at the end of the input.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(TableError) -> Int {
        guard let file else {
            let n = min(count, memory.count - memoryOffset)
            memory.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + memoryOffset, count: n) }
            memoryOffset += n
            return n
        }
        let n = fread(buffer, 1, count, file)
        if n == 0 && ferror(file) != 0 {
            throw TableError(.unreadableFile, "cannot read '\(name)': \(String(cString: strerror(errno)))")
        }
        return n
    }
}

/// A growable window over a `ByteSource`: bytes are consumed from the front, and refilled at the back, so a
/// reader keeps only the unread tail of the current block in memory.
struct ByteWindow: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Valid bytes are `base[start..<end]`.
    var start = 0
    private(set) var end = 0
    private(set) var atEOF = false
    private let source: ByteSource

    init(source: ByteSource, capacity: Int = 1 << 20) {
        self.source = source
        self.capacity = capacity
        base = .allocate(capacity: capacity + 1)
    }

    deinit { base.deallocate() }

    /// Moves the unread bytes to the front and reads more behind them, growing the window when it is full
    /// (a record longer than the window). Returns false at the end of the input.
    mutating func refill() throws(TableError) -> Bool {
        if atEOF { return false }
        if start > 0 {
            let rest = end - start
            if rest > 0 { base.update(from: base + start, count: rest) }
            end = rest
            start = 0
        }
        if end == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2 + 1)
            bigger.update(from: base, count: end)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        let n = try source.read(into: base + end, count: capacity - end)
        if n == 0 {
            atEOF = true
            return false
        }
        end += n
        return true
    }

    var name: String { source.name }
}
