// Vietnamese text rules (DOMAIN.md): NFC on the way in, diacritic-free folding
// for search, and Vietnamese collation for sorting.
import Foundation

public enum VietnameseText {
    /// Canonical composition, as every stored text and file name must be.
    public static func nfc(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    /// Lower case, no diacritics, `đ` → `d`: "Quyền", "quyen" and "QUYỀN" fold alike,
    /// and so do the old and new tone placements ("hoà"/"hòa").
    public static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark:
                continue
            default:
                break
            }
            switch scalar {
            case "\u{0111}", "\u{0110}": out.append("d") // đ, Đ: no Unicode decomposition
            case "\u{0189}": out.append("d") // African D, sometimes typed for Đ
            default:
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { out.append(lower) }
            }
        }
        return String(out)
    }

    /// Words of folded text: runs of letters and digits.
    public static func foldedWords(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in fold(text).unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    // MARK: Collation

    /// A byte key whose byte order is Vietnamese alphabetical order:
    /// a < ă < â < b < c < d < đ < e < ê … o < ô < ơ … u < ư, tones after letters
    /// (ngang, huyền, hỏi, ngã, sắc, nặng), then case. Compare keys with `<` on bytes.
    public static func collationKey(_ text: String) -> [UInt8] {
        var primary: [UInt16] = []
        var secondary: [UInt8] = []
        var tertiary: [UInt8] = []
        for character in nfc(text) {
            let decomposed = String(character).decomposedStringWithCanonicalMapping.unicodeScalars
            guard let base = decomposed.first else { continue }
            var modifier: UInt32 = 0
            var tone: UInt8 = 0
            for mark in decomposed.dropFirst() {
                switch mark.value {
                case 0x0306, 0x0302, 0x031B: modifier = mark.value
                case 0x0300: tone = 1 // huyền
                case 0x0309: tone = 2 // hỏi
                case 0x0303: tone = 3 // ngã
                case 0x0301: tone = 4 // sắc
                case 0x0323: tone = 5 // nặng
                default: tone = max(tone, 6)
                }
            }
            let isUpper = base.properties.isUppercase
            let lower = base.properties.lowercaseMapping.unicodeScalars.first ?? base
            primary.append(primaryWeight(lower, modifier: modifier))
            secondary.append(tone)
            tertiary.append(isUpper ? 1 : 0)
        }
        var key: [UInt8] = []
        key.reserveCapacity(primary.count * 4 + 2)
        for weight in primary { key.append(UInt8(weight >> 8)); key.append(UInt8(weight & 0xFF)) }
        key.append(0); key.append(0)
        key.append(contentsOf: secondary.map { $0 + 1 })
        key.append(0)
        key.append(contentsOf: tertiary.map { $0 + 1 })
        return key
    }

    private static let alphabet: [String] = [
        "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
        "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
    ]
    private static let letterWeights: [String: UInt16] = {
        var table: [String: UInt16] = [:]
        for (index, letter) in alphabet.enumerated() { table[letter] = UInt16(0x200 + index) }
        return table
    }()

    private static func primaryWeight(_ base: Unicode.Scalar, modifier: UInt32) -> UInt16 {
        if base.properties.isWhitespace { return 0x0001 }
        if let digit = base.properties.numericType != nil ? Int(String(base)) : nil, (0...9).contains(digit) {
            return UInt16(0x0100 + digit)
        }
        var letter = String(base)
        if base == "\u{0111}" { letter = "đ" }
        switch (letter, modifier) {
        case ("a", 0x0306): letter = "ă"
        case ("a", 0x0302): letter = "â"
        case ("e", 0x0302): letter = "ê"
        case ("o", 0x0302): letter = "ô"
        case ("o", 0x031B): letter = "ơ"
        case ("u", 0x031B): letter = "ư"
        default: break
        }
        if let weight = letterWeights[letter] { return weight }
        // Punctuation sorts before digits; other scripts after Latin, by code point.
        if base.value < 0x80 { return UInt16(0x0010 + base.value) }
        return UInt16(truncatingIfNeeded: 0x1000 + min(base.value, 0xEFFF))
    }

    /// Compares two strings in Vietnamese order.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        collationKey(lhs).lexicographicallyPrecedes(collationKey(rhs))
    }
}
