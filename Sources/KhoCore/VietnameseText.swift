// Vietnamese text rules (DOMAIN.md): NFC on the way in, diacritic-free folding
// for search, and Vietnamese collation for sorting.
import Foundation

public enum VietnameseText {
    /// Canonical composition, as every stored text and file name must be.
    public static func nfc(_ text: String) -> String {
        LatinDecomposition.isTriviallyNFC(text) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Canonical decomposition (a Mac's way of writing names). Text of Latin letters without
    /// combining marks is decomposed by table, without Foundation.
    public static func nfd(_ text: String) -> String {
        guard LatinDecomposition.isTriviallyNFC(text) else { return text.decomposedStringWithCanonicalMapping }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value >= 0xC0, let parts = LatinDecomposition.table[scalar.value] { out.append(contentsOf: parts) } else { out.append(scalar) }
        }
        return String(out)
    }

    /// Lower case, no diacritics, `đ` → `d`: "Quyền", "quyen" and "QUYỀN" fold alike,
    /// and so do the old and new tone placements ("hoà"/"hòa").
    public static func fold(_ text: String) -> String {
        if LatinDecomposition.isTriviallyNFC(text) { return fastFold(text) }
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

    /// `fold` for Latin text without combining marks, by table.
    private static func fastFold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                out.append((0x41...0x5A).contains(v) ? Unicode.Scalar(v + 32)! : scalar)
                continue
            }
            if v == 0x0111 || v == 0x0110 || v == 0x0189 { out.append("d"); continue }
            let base = LatinDecomposition.table[v]?.first ?? scalar
            for lower in base.properties.lowercaseMapping.unicodeScalars { out.append(lower) }
        }
        return String(out)
    }

    /// Words of folded text: runs of letters and digits.
    public static func foldedWords(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in fold(text).unicodeScalars {
            let v = scalar.value
            let isWordChar = v < 0x80 ? ((0x61...0x7A).contains(v) || (0x30...0x39).contains(v) || (0x41...0x5A).contains(v))
                : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
            if isWordChar {
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
        // Walk the scalars, decomposing by table; a combining mark modifies the letter before it.
        var pending: (base: Unicode.Scalar, modifier: UInt32, tone: UInt8, upper: Bool)?
        func flush() {
            guard let p = pending else { return }
            let lower = p.base.value < 0x80 ? (p.upper ? Unicode.Scalar(p.base.value + 32)! : p.base)
                : (p.base.properties.lowercaseMapping.unicodeScalars.first ?? p.base)
            primary.append(primaryWeight(lower, modifier: p.modifier))
            secondary.append(p.tone)
            tertiary.append(p.upper ? 1 : 0)
            pending = nil
        }
        func mark(_ m: Unicode.Scalar) {
            guard pending != nil else { return }
            switch m.value {
            case 0x0306, 0x0302, 0x031B: pending!.modifier = m.value
            case 0x0300: pending!.tone = 1 // huyền
            case 0x0309: pending!.tone = 2 // hỏi
            case 0x0303: pending!.tone = 3 // ngã
            case 0x0301: pending!.tone = 4 // sắc
            case 0x0323: pending!.tone = 5 // nặng
            default: pending!.tone = max(pending!.tone, 6)
            }
        }
        let scalars = LatinDecomposition.isTriviallyNFC(text) || text.unicodeScalars.allSatisfy({ $0.value < 0x0370 || (0x1E00...0x1EFF).contains($0.value) })
            ? text.unicodeScalars : text.decomposedStringWithCanonicalMapping.unicodeScalars
        for scalar in scalars {
            if LatinDecomposition.isCombiningMark(scalar) { mark(scalar); continue }
            flush()
            if scalar.value < 0x80 {
                pending = (scalar, 0, 0, (0x41...0x5A).contains(scalar.value))
            } else if let parts = LatinDecomposition.table[scalar.value], let base = parts.first {
                pending = (base, 0, 0, scalar.properties.isUppercase)
                for m in parts.dropFirst() { mark(m) }
            } else {
                pending = (scalar, 0, 0, scalar.properties.isUppercase)
            }
        }
        flush()
        // Primary weights take one byte each (two more for scripts beyond Latin); the tone and
        // case bytes drop their trailing defaults, which keeps the order and halves the key.
        var key: [UInt8] = []
        key.reserveCapacity(primary.count * 2 + 2)
        for weight in primary {
            if weight < 0x1000 { key.append(UInt8(weight)) } else {
                let code = UInt32(weight - 0x1000)
                key.append(0xF0)
                key.append(UInt8((code >> 8) & 0xFF))
                key.append(UInt8(code & 0xFF))
            }
        }
        key.append(0)
        var tones = secondary.map { $0 + 1 }
        while tones.last == 1 { tones.removeLast() }
        key.append(contentsOf: tones)
        key.append(0)
        var cases = tertiary.map { $0 + 1 }
        while cases.last == 1 { cases.removeLast() }
        key.append(contentsOf: cases)
        return key
    }

    /// Positions in the Vietnamese alphabet (a ă â b c d đ e ê f … o ô ơ … u ư v w x y z) of the
    /// ASCII letters; a modifier or đ adds 1 or 2 to the base letter's position.
    private static let asciiPositions: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 128)
        let order = Array("a__bcd_e_fghijklmno__pqrstu_vwxyz".unicodeScalars)
        for (i, c) in order.enumerated() where c != "_" { table[Int(c.value)] = UInt16(i) }
        return table
    }()

    /// One-byte weights: space 0x01 < punctuation 0x02–0x21 < digits 0x22–0x2B < letters
    /// 0x2C–0x4C (Vietnamese order) < other characters (0x1000 + code point, escaped).
    private static func primaryWeight(_ base: Unicode.Scalar, modifier: UInt32) -> UInt16 {
        let v = base.value
        if v < 0x80 {
            if v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D { return 0x01 }
            if (0x30...0x39).contains(v) { return UInt16(0x22 + v - 0x30) }
            if (0x61...0x7A).contains(v) {
                var position = asciiPositions[Int(v)]
                switch (v, modifier) {
                case (0x61, 0x0306), (0x65, 0x0302), (0x6F, 0x0302), (0x75, 0x031B): position += 1 // ă ê ô ư
                case (0x61, 0x0302), (0x6F, 0x031B): position += 2                                // â ơ
                default: break
                }
                return 0x2C + position
            }
            switch v {
            case 0x21...0x2F: return UInt16(0x02 + v - 0x21)
            case 0x3A...0x40: return UInt16(0x11 + v - 0x3A)
            case 0x5B...0x60: return UInt16(0x18 + v - 0x5B)
            case 0x7B...0x7E: return UInt16(0x1E + v - 0x7B)
            default: return 0x02
            }
        }
        if v == 0x0111 { return 0x2C + asciiPositions[0x64] + 1 } // đ
        if base.properties.isWhitespace { return 0x01 }
        // Other scripts after Latin, by code point (up to U+FFFF; beyond, together at the end).
        return UInt16(truncatingIfNeeded: 0x1000 + min(v, 0xEFFF))
    }

    /// Compares two strings in Vietnamese order.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        collationKey(lhs).lexicographicallyPrecedes(collationKey(rhs))
    }
}

/// A stable 64-bit key of a title (FNV-1a over its UTF-8), so the catalog can index 8 bytes
/// instead of the whole title when it looks for a product with the same title.
public enum TitleKey {
    public static func of(_ title: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in title.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }
}

/// A title as a dictionary key: hashed by its 8-byte key, equal when the bytes are equal.
/// Titles are NFC already, so byte equality is the equality that matters, and it spares
/// Swift's Unicode-aware hashing and comparison of every Vietnamese title.
public struct TitleBytes: Hashable, Sendable {
    public let key: Int64
    public let title: String

    public init(_ title: String) {
        self.title = title
        key = TitleKey.of(title)
    }

    public static func == (lhs: TitleBytes, rhs: TitleBytes) -> Bool {
        lhs.key == rhs.key && lhs.title.utf8.elementsEqual(rhs.title.utf8)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}
