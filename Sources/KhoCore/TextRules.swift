// What text may hold and how it is shown: one-line fields fold line breaks, control characters
// are refused in what is stored and made visible in what is printed, and CSV cells never start
// a spreadsheet formula.

public enum TextRules {
    /// A control character other than a line break or a tab: ESC, BEL, NUL, DEL, the C1 range,
    /// and the bidirectional overrides and isolates (U+202A–202E, U+2066–2069), which can make a
    /// name read differently from what it is.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\n" && scalar != "\r" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
            || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// A line break in any of its spellings: LF, CR, vertical tab, form feed, NEL, U+2028, U+2029.
    public static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        [0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains(scalar.value)
    }

    public static func hasControl(_ text: String) -> Bool { text.unicodeScalars.contains(where: isControl) }

    /// False when UTF-8 `bytes` surely hold no control character but C0's (JSON escapes those):
    /// no DEL, and no lead byte of C1 controls (C2) or of the bidirectional ones (E2). A quick
    /// look at bytes about to be printed; true sends them the careful way (`jsonSafe`).
    public static func mayHoldControl(utf8 bytes: [UInt8]) -> Bool {
        bytes.contains { $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }
    }

    /// One-line text: line breaks (any spelling), tabs and runs of spaces become one space.
    /// `folded` says whether a line break was among them (worth a warning: Excel's Alt+Enter).
    public static func oneLine(_ text: String) -> (text: String, folded: Bool) {
        var out = String.UnicodeScalarView()
        var folded = false
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isLineBreak(scalar) { folded = true }
            if isLineBreak(scalar) || scalar == "\t" || scalar == " " {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        return (String(out), folded)
    }

    /// Text as it may be shown on a terminal or written to a file: each control character as
    /// `\u{1B}`, so what a clerk (or an attacker) typed cannot drive the terminal. Line breaks
    /// and tabs are kept with `keepLines`, escaped otherwise.
    public static func visible(_ text: String, keepLines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) || (!keepLines && ($0 == "\n" || $0 == "\r" || $0 == "\t")) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) || (!keepLines && (scalar == "\n" || scalar == "\r" || scalar == "\t")) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// JSON text safe for a terminal and still valid JSON: every control character a JSON
    /// encoder leaves raw (the C1 range, the bidirectional overrides) written as `\uXXXX`.
    public static func jsonSafe(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: isControl) else { return json }
        var out = ""
        for scalar in json.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A CSV cell a spreadsheet reads as text: one starting with `=`, `+`, `-`, `@`, a tab or
    /// CR gets a leading `'` (OWASP's rule for CSV injection); a plain number stays a number.
    public static func csvCell(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        if Double(text) != nil && !text.contains(where: { $0.isLetter }) { return text }
        return "'" + text
    }
}
