// A list of strings as a JSON array, the form the catalog keeps languages, channels and
// topics in (SQLite's json_each can query it). Small and exact: strings only.

public enum JSONList {
    public static func encode(_ values: [String]) -> String {
        var out = "["
        for (i, value) in values.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            out += "\""
        }
        return out + "]"
    }

    /// The strings of a JSON array of strings; nil if the text is not one.
    public static func decode(_ text: String) -> [String]? {
        var scalars = text.unicodeScalars[...]
        func skipSpace() { while let c = scalars.first, c == " " || c == "\n" || c == "\t" || c == "\r" { scalars.removeFirst() } }
        skipSpace()
        guard scalars.popFirst() == "[" else { return nil }
        var out: [String] = []
        skipSpace()
        if scalars.first == "]" { scalars.removeFirst(); return out }
        while true {
            skipSpace()
            guard scalars.popFirst() == "\"" else { return nil }
            var value = String.UnicodeScalarView()
            while true {
                guard let c = scalars.popFirst() else { return nil }
                if c == "\"" { break }
                if c != "\\" { value.append(c); continue }
                guard let e = scalars.popFirst() else { return nil }
                switch e {
                case "n": value.append("\n")
                case "r": value.append("\r")
                case "t": value.append("\t")
                case "b": value.append("\u{8}")
                case "f": value.append("\u{C}")
                case "u":
                    let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                    scalars.removeFirst(min(4, scalars.count))
                    guard let code = UInt32(hex, radix: 16) else { return nil }
                    if (0xD800...0xDBFF).contains(code), scalars.starts(with: "\\u".unicodeScalars) {
                        scalars.removeFirst(2)
                        let low = String(String.UnicodeScalarView(scalars.prefix(4)))
                        scalars.removeFirst(min(4, scalars.count))
                        guard let lowCode = UInt32(low, radix: 16), let s = Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (lowCode - 0xDC00)) else { return nil }
                        value.append(s)
                    } else {
                        guard let s = Unicode.Scalar(code) else { return nil }
                        value.append(s)
                    }
                default: value.append(e)
                }
            }
            out.append(String(value))
            skipSpace()
            guard let c = scalars.popFirst() else { return nil }
            if c == "]" { return out }
            guard c == "," else { return nil }
        }
    }
}
