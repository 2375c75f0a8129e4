// A JSON value written byte for byte as Foundation's JSONEncoder writes it with
// [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]: two-space indents, " : " between
// key and value, keys in byte order (as given), only `"`, `\` and control characters escaped. For
// documents written in bulk (an export's metadata.json), where the Codable machinery costs
// far more than the bytes; tests hold the two writers to the same output.

public indirect enum PrettyJSON: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case array([PrettyJSON])
    /// Written in the order given, which must be the byte order of the keys (JSONEncoder's
    /// .sortedKeys): sorting each object here cost a tenth of an export's first pass.
    case object([(String, PrettyJSON)])

    public static func == (a: PrettyJSON, b: PrettyJSON) -> Bool { a.bytes() == b.bytes() }

    /// `value` as a string, or null when absent.
    public static func optional(_ value: String?) -> PrettyJSON { value.map { .string($0) } ?? .null }

    /// The document's bytes, without a final newline.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(into: &out, depth: 0)
        return out
    }

    private func write(into out: inout [UInt8], depth: Int) {
        switch self {
        case .string(let s): Self.writeString(s, into: &out)
        case .int(let n): out.append(contentsOf: String(n).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            out.append(10)
            for (i, item) in items.enumerated() {
                if i > 0 {
                    out.append(UInt8(ascii: ","))
                    out.append(10)
                }
                Self.indent(depth + 1, into: &out)
                item.write(into: &out, depth: depth + 1)
            }
            out.append(10)
            Self.indent(depth, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            out.append(10)
            assert(zip(fields, fields.dropFirst()).allSatisfy { Self.precedes($0.0, $1.0) }, "keys out of order: \(fields.map(\.0))")
            for (i, field) in fields.enumerated() {
                if i > 0 {
                    out.append(UInt8(ascii: ","))
                    out.append(10)
                }
                Self.indent(depth + 1, into: &out)
                Self.writeString(field.0, into: &out)
                out.append(contentsOf: " : ".utf8)
                field.1.write(into: &out, depth: depth + 1)
            }
            out.append(10)
            Self.indent(depth, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func indent(_ depth: Int, into out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Byte order of the keys' UTF-8, as JSONEncoder sorts them.
    private static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.lexicographicallyPrecedes(y) } }
    }

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
