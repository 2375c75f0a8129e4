// Lower-case hexadecimal, as digests and raw file-name bytes are written everywhere in Kho.

public enum Hex {
    /// "00ff…": two lower-case digits per byte. Inlinable, so it is specialised for the
    /// caller's sequence (a digest, an array) rather than called through the protocol per byte.
    @inlinable
    public static func lower(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inlinable
    static func digit(_ value: UInt8) -> UInt8 { value < 10 ? 48 + value : 87 + value }

    /// Whether `text` is the hex (either case) of exactly `bytes`, without building either.
    public static func matches(_ text: String, _ bytes: ArraySlice<UInt8>) -> Bool {
        var utf8 = text.utf8.makeIterator()
        for byte in bytes {
            guard let high = utf8.next().flatMap(value), let low = utf8.next().flatMap(value), high << 4 | low == byte else { return false }
        }
        return utf8.next() == nil
    }

    /// A hex digit's value (either case).
    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }

    /// The bytes of a hex string (either case); nil if it is not one.
    public static func bytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let high = value(chars[i]), let low = value(chars[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}

/// Text for XML and HTML: the five markup characters as entities, and the control characters
/// XML 1.0 has no place for as spaces (tab and line ends are kept).
public enum Markup {
    public static func escape(_ s: String) -> String {
        // Most text has nothing to escape: one pass over its bytes says so.
        var text = s
        let plain = text.withUTF8 { bytes in
            // 0xEF leads U+FFFE and U+FFFF, which XML 1.0 does not allow either.
            !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == 0xEF }
        }
        if plain { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r": out += " "
            case "\u{FFFE}", "\u{FFFF}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
