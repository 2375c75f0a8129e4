// A JSON document written byte for byte as Foundation's JSONEncoder writes it with
// [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]: two-space indents, " : " between
// key and value, keys in byte order (as given), only `"`, `\` and control characters escaped.
// For documents written in bulk (a sidecar per product, an export's metadata.json), where the
// Codable machinery costs far more than the bytes. Written as it goes, into one buffer: no tree
// of values is built and thrown away per document. Tests hold it to JSONEncoder's output.

public struct PrettyJSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Open containers, innermost last: whether each is an array, whether it has an item yet.
    private var open: [(array: Bool, empty: Bool)] = []

    /// Where the bytes go a part at a time, when set: a long document (a million IDs) is not
    /// held whole. Parts end between items, never inside a string.
    private let sink: (([UInt8]) -> Void)?

    public init(capacity: Int = 4096) {
        sink = nil
        bytes.reserveCapacity(capacity)
    }

    /// A writer that hands its bytes to `sink` each time more than 64 KB are waiting, and the
    /// rest with `finishedWithNewline`.
    public init(sink: @escaping ([UInt8]) -> Void) {
        self.sink = sink
        bytes.reserveCapacity(Self.part + 4096)
    }

    private static let part = 1 << 16

    // MARK: containers

    public mutating func beginObject() { begin(UInt8(ascii: "{"), array: false) }
    public mutating func endObject() { end(UInt8(ascii: "}")) }
    public mutating func beginArray() { begin(UInt8(ascii: "["), array: true) }
    public mutating func endArray() { end(UInt8(ascii: "]")) }

    /// The next field of the open object. Keys must come in the byte order of their UTF-8
    /// (JSONEncoder's .sortedKeys); the tests that compare the two writers catch one out of order.
    public mutating func key(_ name: String) {
        precondition(open.last?.array == false, "a key outside an object")
        item()
        Self.writeString(name, into: &bytes)
        bytes.append(contentsOf: [32, UInt8(ascii: ":"), 32])
    }

    // MARK: values (in an array: its next item; in an object: the value of the last key)

    public mutating func string(_ value: String) {
        arrayItem()
        Self.writeString(value, into: &bytes)
    }

    /// `value`, or null when absent.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func int(_ value: Int64) {
        arrayItem()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func int(_ value: Int) { int(Int64(value)) }

    public mutating func bool(_ value: Bool) {
        arrayItem()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        arrayItem()
        bytes.append(contentsOf: "null".utf8)
    }

    /// An array of strings.
    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// The finished document, with a final newline (as Kho writes its documents to files).
    public mutating func finishedWithNewline() -> [UInt8] {
        precondition(open.isEmpty, "a container left open")
        bytes.append(10)
        return bytes
    }

    // MARK: layout

    private mutating func begin(_ bracket: UInt8, array: Bool) {
        arrayItem()
        bytes.append(bracket)
        bytes.append(10)
        open.append((array, true))
    }

    /// An empty container is written as JSONEncoder writes it: its brackets around an empty line.
    private mutating func end(_ bracket: UInt8) {
        open.removeLast()
        bytes.append(10)
        indent(open.count)
        bytes.append(bracket)
    }

    /// Before an item of the innermost container: the comma after the one before, and the indent.
    private mutating func item() {
        if let sink, bytes.count >= Self.part {
            sink(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
        guard !open.isEmpty else { return }
        if open[open.count - 1].empty { open[open.count - 1].empty = false } else {
            bytes.append(UInt8(ascii: ","))
            bytes.append(10)
        }
        indent(open.count)
    }

    private mutating func arrayItem() {
        if open.last?.array == true { item() }
    }

    private mutating func indent(_ depth: Int) {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = s
        let plain = text.withUTF8 { bytes in
            if bytes.contains(where: { $0 < 32 || $0 == UInt8(ascii: "\"") || $0 == 92 }) { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, byte])
            case 92: out.append(contentsOf: [92, 92])
            case 8: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 12: out.append(contentsOf: [92, UInt8(ascii: "f")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0..<32: out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A result the command line prints with --json through PrettyJSONWriter: the bytes JSONEncoder
/// would write, without the tree of values it builds first. For results that may list a million
/// product IDs (an export, a bundle's import), where that tree cost 100 MB more than the text.
public protocol PrettyJSONResult: Encodable {
    /// Writes the document (not its final newline).
    func write(to w: inout PrettyJSONWriter)
}

extension PrettyJSONResult {
    /// The document and a final newline, whole.
    public func prettyJSON() -> [UInt8] {
        var w = PrettyJSONWriter()
        write(to: &w)
        return w.finishedWithNewline()
    }
}

extension PrettyJSONWriter {
    /// An array of product IDs, as their hyphenated text.
    public mutating func productIDs(_ ids: [ProductID]) {
        beginArray()
        for id in ids { string(id.description) }
        endArray()
    }
}
