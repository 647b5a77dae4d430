/// The little XML that S3 speaks: response documents read into a tree, request documents written with escaping.
///
/// S3 answers with small, regular documents (no DTDs, no namespaces that matter, no mixed content), so a strict
/// reader of elements, text and the five named and numeric character references is enough; anything else is
/// refused as malformed rather than guessed at.
struct S3XML: Equatable {
    var name: String
    var text: String = ""
    var children: [S3XML] = []

    struct Malformed: Error {}

    /// The first child named `name`.
    func child(_ name: String) -> S3XML? { children.first { $0.name == name } }
    /// Every child named `name`.
    func all(_ name: String) -> [S3XML] { children.filter { $0.name == name } }
    /// The text of the first child named `name`.
    func value(_ name: String) -> String? { child(name)?.text }

    /// Parses a document and returns its root element.
    static func parse(_ bytes: [UInt8]) throws(Malformed) -> S3XML {
        var reader = Reader(bytes: bytes)
        return try reader.document()
    }

    /// Escapes text for an element body.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws(Malformed) -> S3XML {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }
            while true {
                skipSpace()
                if starts("<?") {
                    try skip(past: "?>")
                } else if starts("<!--") {
                    try skip(past: "-->")
                } else {
                    break
                }
            }
            guard starts("<") else { throw Malformed() }
            return try element()
        }

        mutating func element() throws(Malformed) -> S3XML {
            depth += 1
            guard depth <= 32 else { throw Malformed() }
            defer { depth -= 1 }
            at += 1  // "<"
            let name = try self.name()
            // Attributes (xmlns on the root) carry nothing S3 clients need: skipped, quotes respected.
            while at < bytes.count, bytes[at] != UInt8(ascii: ">"), bytes[at] != UInt8(ascii: "/") {
                if bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") {
                    let quote = bytes[at]
                    at += 1
                    while at < bytes.count, bytes[at] != quote { at += 1 }
                }
                at += 1
            }
            guard at < bytes.count else { throw Malformed() }
            var node = S3XML(name: name)
            if bytes[at] == UInt8(ascii: "/") {
                guard at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: ">") else { throw Malformed() }
                at += 2
                return node
            }
            at += 1  // ">"
            var text: [UInt8] = []
            while true {
                guard at < bytes.count else { throw Malformed() }
                if starts("</") {
                    at += 2
                    guard try self.name() == name else { throw Malformed() }
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else { throw Malformed() }
                    at += 1
                    node.text = String(decoding: text, as: UTF8.self)
                    return node
                } else if starts("<!--") {
                    try skip(past: "-->")
                } else if starts("<![CDATA[") {
                    at += 9
                    let start = at
                    try skip(past: "]]>")
                    text += bytes[start..<(at - 3)]
                } else if bytes[at] == UInt8(ascii: "<") {
                    node.children.append(try element())
                } else if bytes[at] == UInt8(ascii: "&") {
                    text += try reference()
                } else {
                    text.append(bytes[at])
                    at += 1
                }
            }
        }

        mutating func name() throws(Malformed) -> String {
            let start = at
            while at < bytes.count {
                let b = bytes[at]
                if b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || b == UInt8(ascii: " ") || b == 0x09
                    || b == 0x0A || b == 0x0D
                {
                    break
                }
                at += 1
            }
            guard at > start else { throw Malformed() }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        mutating func reference() throws(Malformed) -> [UInt8] {
            let start = at + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: ";"), end - start < 12 { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { throw Malformed() }
            let entity = String(decoding: bytes[start..<end], as: UTF8.self)
            at = end + 1
            switch entity {
            case "amp": return [UInt8(ascii: "&")]
            case "lt": return [UInt8(ascii: "<")]
            case "gt": return [UInt8(ascii: ">")]
            case "quot": return [UInt8(ascii: "\"")]
            case "apos": return [UInt8(ascii: "'")]
            default:
                var value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst(1))
                }
                guard let value, let scalar = Unicode.Scalar(value), value != 0 else { throw Malformed() }
                return Array(String(Character(scalar)).utf8)
            }
        }

        func starts(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            let pattern = UnsafeBufferPointer(start: text.utf8Start, count: count)
            for i in 0..<count where bytes[at + i] != pattern[i] { return false }
            return true
        }

        mutating func skip(past end: StaticString) throws(Malformed) {
            while at < bytes.count {
                if starts(end) {
                    at += end.utf8CodeUnitCount
                    return
                }
                at += 1
            }
            throw Malformed()
        }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }
    }
}
