import Crypto

/// The name of a content-addressed object: the SHA-256 of its bytes, as 64 lowercase hex digits.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hex: String

    /// Accepts exactly 64 lowercase hex digits; anything else (from a pointer file, a manifest or a remote) is
    /// rejected so that an object name can never become a path component other than its own.
    public init?(hex: some StringProtocol) {
        let utf8 = hex.utf8
        guard utf8.count == 64, utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            return nil
        }
        self.hex = String(hex)
    }

    init(digest: SHA256.Digest) {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        self.hex = String(decoding: text, as: UTF8.self)
    }

    static func of(_ bytes: UnsafeRawBufferPointer) -> ObjectID {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return ObjectID(digest: hasher.finalize())
    }

    /// The hash of `bytes`.
    public static func of(_ bytes: some Sequence<UInt8>) -> ObjectID {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return ObjectID(digest: hasher.finalize())
    }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }
}

/// What a pointer or manifest entry says about one tracked file: its content and size.
public struct FileVersion: Hashable, Sendable {
    public let id: ObjectID
    public let size: Int64

    public init(id: ObjectID, size: Int64) {
        self.id = id
        self.size = size
    }
}
