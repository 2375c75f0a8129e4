// Turning a manifest's bytes into text: UTF-8 (with or without BOM), UTF-16 with BOM, and,
// for files that are not UTF-8, Windows-1258 — what Vietnamese Excel writes for plain "CSV".

public struct DecodedText: Sendable {
    /// UTF-8 bytes of the text, without a BOM, in NFC.
    public var utf8: [UInt8]
    /// What the bytes were: "UTF-8", "UTF-8 with BOM", "UTF-16LE", "Windows-1258".
    public var encoding: String
    /// Set when the encoding was a guess the user should know about.
    public var warning: String?
}

public enum TextDecoding {
    public static func decode(_ bytes: [UInt8]) -> DecodedText {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return finish(Array(bytes.dropFirst(3)), "UTF-8 with BOM", warning: nil)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var i = 2
            while i + 1 < bytes.count {
                units.append(little ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
                i += 2
            }
            return finish(Array(String(decoding: units, as: UTF16.self).utf8), little ? "UTF-16LE" : "UTF-16BE", warning: nil)
        }
        if String(validating: bytes, as: UTF8.self) != nil {
            return finish(bytes, "UTF-8", warning: nil)
        }
        let text = String(String.UnicodeScalarView(bytes.map(windows1258)))
        return finish(Array(text.utf8), "Windows-1258",
                      warning: "the manifest is not UTF-8; it was read as Windows-1258 (Vietnamese Windows). If the text looks wrong, save it from Excel as \"CSV UTF-8\"")
    }

    private static func finish(_ utf8: [UInt8], _ encoding: String, warning: String?) -> DecodedText {
        // Only text with combining marks needs composing; most manifests are already NFC.
        let needsNFC = utf8.contains { $0 == 0xCC || $0 == 0xCD }
        let bytes = needsNFC ? Array(VietnameseText.nfc(String(decoding: utf8, as: UTF8.self)).utf8) : utf8
        return DecodedText(utf8: bytes, encoding: encoding, warning: warning)
    }

    /// Windows-1258: Latin-1 with Vietnamese letters and combining tone marks in place of some.
    static func windows1258(_ byte: UInt8) -> Unicode.Scalar {
        if byte < 0x80 { return Unicode.Scalar(byte) }
        let value: UInt32
        switch byte {
        case 0x80: value = 0x20AC
        case 0x82: value = 0x201A
        case 0x83: value = 0x0192
        case 0x84: value = 0x201E
        case 0x85: value = 0x2026
        case 0x86: value = 0x2020
        case 0x87: value = 0x2021
        case 0x88: value = 0x02C6
        case 0x89: value = 0x2030
        case 0x8B: value = 0x2039
        case 0x8C: value = 0x0152
        case 0x91: value = 0x2018
        case 0x92: value = 0x2019
        case 0x93: value = 0x201C
        case 0x94: value = 0x201D
        case 0x95: value = 0x2022
        case 0x96: value = 0x2013
        case 0x97: value = 0x2014
        case 0x98: value = 0x02DC
        case 0x99: value = 0x2122
        case 0x9B: value = 0x203A
        case 0x9C: value = 0x0153
        case 0x9F: value = 0x0178
        case 0xC3: value = 0x0102
        case 0xCC: value = 0x0300
        case 0xD0: value = 0x0110
        case 0xD2: value = 0x0309
        case 0xD5: value = 0x01A0
        case 0xDD: value = 0x01AF
        case 0xDE: value = 0x0303
        case 0xE3: value = 0x0103
        case 0xEC: value = 0x0301
        case 0xF0: value = 0x0111
        case 0xF2: value = 0x0323
        case 0xF5: value = 0x01A1
        case 0xFD: value = 0x01B0
        case 0xFE: value = 0x20AB
        case 0x81, 0x8A, 0x8D, 0x8E, 0x8F, 0x90, 0x9A, 0x9D, 0x9E: value = 0xFFFD
        default: value = UInt32(byte)
        }
        return Unicode.Scalar(value)!
    }
}
