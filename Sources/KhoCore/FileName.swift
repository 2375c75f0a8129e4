// File names as they arrive: bytes from Linux, Windows, phones and old Macs.
// Kho keeps the original bytes and shows a Unicode name in NFC.

public struct FileName: Sendable, Equatable, Codable {
    /// What the archive shows and exports: Unicode, NFC.
    public var display: String
    /// The bytes of the name as the file system gave them.
    public var original: [UInt8]
    /// How `display` was decoded from `original`.
    public var decodedAs: String

    public init(display: String, original: [UInt8], decodedAs: String) {
        self.display = display
        self.original = original
        self.decodedAs = decodedAs
    }

    /// Decodes the last path component's bytes: UTF-8 (NFD from macOS becomes NFC);
    /// bytes that are not UTF-8 are read as Windows-1252, the usual culprit.
    public init(bytes: [UInt8]) {
        original = bytes
        if let utf8 = String(validating: bytes, as: UTF8.self) {
            display = VietnameseText.nfc(utf8)
            decodedAs = "utf-8"
        } else {
            display = VietnameseText.nfc(String(String.UnicodeScalarView(bytes.map(FileName.windows1252))))
            decodedAs = "windows-1252"
        }
        display = FileName.stripControl(display)
        if display.isEmpty { display = "unnamed" }
    }

    /// This name as one safe path component, as every name entering the catalog must be: no
    /// `/`, `\\`, NUL or control character, not `.` or `..`. The original bytes are kept only
    /// when they decode to exactly that name (so a file written under them is the file shown);
    /// otherwise the safe name's UTF-8 replaces them.
    public var asComponent: FileName {
        let safe = Self.safeComponent(display)
        if Self.decodedExactly(original) == safe { return FileName(display: safe, original: original, decodedAs: decodedAs) }
        return FileName(display: safe, original: Array(safe.utf8), decodedAs: "utf-8")
    }

    /// The bytes as text, NFC, nothing replaced: UTF-8, else Windows-1252.
    static func decodedExactly(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return VietnameseText.nfc(utf8) }
        return VietnameseText.nfc(String(String.UnicodeScalarView(bytes.map(FileName.windows1252))))
    }

    /// `name` as one safe path component: `/`, `\` and control characters become `_`; empty,
    /// `.` and `..` become `file`.
    public static func safeComponent(_ name: String) -> String {
        // Most names need nothing: NFC already, no separators or control characters.
        if name.utf8.count <= 200, name != ".", name != "..", !name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0x2F || $0 == 0x5C || $0 == 0xC2 }),
           LatinDecomposition.isTriviallyNFC(name), name.trimmingWhitespace() == name, !name.isEmpty {
            return name
        }
        var out = ""
        for scalar in VietnameseText.nfc(name).unicodeScalars {
            if scalar == "/" || scalar == "\\" || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "_"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        out = out.trimmingWhitespace()
        if out.isEmpty || out == "." || out == ".." { return "file" }
        // Within common file-system limits (255 bytes), the extension kept.
        while out.utf8.count > 200 {
            let dot = out.lastIndex(of: ".").flatMap { out.distance(from: $0, to: out.endIndex) <= 16 ? $0 : nil }
            let stem = dot.map { String(out[..<$0]) } ?? out
            out = String(stem.dropLast()) + (dot.map { String(out[$0...]) } ?? "")
        }
        return out
    }

    /// Names made unique among themselves and `taken` (display names, NFC): a repeat gets
    /// "-2", "-3" before its extension. Returns the names and which of them were renamed.
    public static func unique(_ names: [FileName], taken: Set<String> = []) -> (names: [FileName], renamed: [Int]) {
        var used = taken
        var renamed: [Int] = []
        let out = names.enumerated().map { index, name -> FileName in
            var candidate = name
            var n = 2
            while used.contains(candidate.display) {
                candidate = FileName(display: numbered(name.display, n), original: Array(numbered(name.display, n).utf8), decodedAs: "utf-8")
                n += 1
            }
            if n > 2 { renamed.append(index) }
            used.insert(candidate.display)
            return candidate
        }
        return (out, renamed)
    }

    /// "name-N.ext".
    static func numbered(_ name: String, _ n: Int) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "\(name)-\(n)" }
        return "\(name[..<dot])-\(n)\(name[dot...])"
    }

    /// The last component of a path given as bytes.
    public static func lastComponent(of path: [UInt8]) -> [UInt8] {
        var end = path.count
        while end > 1, path[end - 1] == UInt8(ascii: "/") { end -= 1 }
        var start = end
        while start > 0, path[start - 1] != UInt8(ascii: "/") { start -= 1 }
        return Array(path[start..<end])
    }

    static func stripControl(_ s: String) -> String {
        // Control characters (Cc) are U+0000-U+001F and U+007F-U+009F: bytes below 0x20, 0x7F,
        // or a C2 lead. Most names have none and are returned as they are.
        guard s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? "_" : $0 }))
    }

    static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
        let high: [UInt32] = [
            0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
            0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
        ]
        if (0x80...0x9F).contains(byte) { return Unicode.Scalar(high[Int(byte) - 0x80])! }
        return Unicode.Scalar(byte)
    }
}
