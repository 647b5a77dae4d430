/// Builds JSON text directly into a byte array: no intermediate tree, no reflection.
///
/// Callers write objects with `field` helpers that omit unset values, matching protobuf-JSON's habit of
/// leaving defaults out. Doubles follow protobuf-JSON: NaN and ±infinity are the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"`.
public struct JSONWriter {
    public var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"name":` inside an object; the value follows.
    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        appendString(value)
        needsComma = true
    }

    public mutating func int(_ value: Int64) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    public mutating func double(_ value: Double) {
        separate()
        if value.isNaN {
            appendString("NaN")
        } else if value.isInfinite {
            appendString(value > 0 ? "Infinity" : "-Infinity")
        } else if value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
            bytes.append(contentsOf: ".0".utf8)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
        needsComma = true
    }

    /// Writes a float in its shortest round-trip form (NaN and ±infinity as strings, like `double`).
    public mutating func float(_ value: Float) {
        guard value.isFinite else {
            double(Double(value))
            return
        }
        separate()
        bytes.append(contentsOf: value.description.utf8)
        needsComma = true
    }

    /// Writes a number given as JSON number text (as `JSONParser` keeps it), unchanged.
    public mutating func number(_ text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    /// Writes a parsed value back as compact JSON (numbers keep their literal text).
    public mutating func value(_ value: JSON) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let text): number(text)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let object):
            beginObject()
            for (name, item) in object.members {
                key(name)
                self.value(item)
            }
            endObject()
        }
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: Int64?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    public mutating func field(_ name: String, _ value: Double) {
        key(name)
        double(value)
    }

    public mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// Writes `"name": [...]` with one element per item; omitted when `items` is empty.
    public mutating func array<S: Collection>(
        _ name: String, _ items: S, _ element: (inout JSONWriter, S.Element) -> Void
    ) {
        guard !items.isEmpty else { return }
        key(name)
        beginArray()
        for item in items { element(&self, item) }
        endArray()
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        let clean = s.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            for c in buffer where c < 0x20 || c == 0x22 || c == 0x5C { return false }
            bytes.append(contentsOf: buffer)
            return true
        }
        if clean != true {
            for c in s.utf8 {
                switch c {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
                default: bytes.append(c)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
