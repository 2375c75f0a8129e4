// Detects text typed in the legacy 8-bit Vietnamese encodings (TCVN3/ABC `.Vn…`
// fonts, VNI) that arrived as Unicode mojibake: "ViÖt Nam" instead of "Việt Nam".

public enum LegacyEncoding {
    /// Latin-1 characters that TCVN3 and VNI use for Vietnamese letters but that
    /// never occur in Vietnamese written in Unicode.
    static let legacyLetters: Set<Unicode.Scalar> = Set(
        "µ¸¶·¹¨»¾¼½Æ©ÇËÐ®ÎÏÑªÖ×ØÜÞßäå«æç¬ëîïñö÷øûüþ\u{AD}".unicodeScalars)

    /// Letters only Vietnamese uses (ă, đ, ơ, ư and the U+1EA0 block): their presence means real Unicode.
    static func isVietnameseSpecific(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0102, 0x0103, 0x0110, 0x0111, 0x01A0, 0x01A1, 0x01AF, 0x01B0, 0x1EA0...0x1EF9: true
        default: false
        }
    }

    /// "TCVN3" or "VNI" when the text looks like one of them, else nil.
    public static func suspect(_ text: String) -> String? {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return nil }
        let scalars = Array(text.unicodeScalars)
        if scalars.contains(where: isVietnameseSpecific) { return nil }
        var hits = 0
        var vniHits = 0
        func isLowerASCII(_ s: Unicode.Scalar?) -> Bool { s.map { ("a"..."z").contains($0) } ?? false }
        for (i, s) in scalars.enumerated() {
            let before = i > 0 ? scalars[i - 1] : nil
            let after = i + 1 < scalars.count ? scalars[i + 1] : nil
            // TCVN3 puts lower-case Vietnamese letters on Latin-1 capitals: "QuyÒn" is "Quyền".
            if (0xC0...0xDE).contains(s.value), isLowerASCII(before), isLowerASCII(after) {
                hits += 1
                continue
            }
            guard legacyLetters.contains(s) else { continue }
            let touchesLetter = [before, after].contains { $0.map { $0.isASCII && $0.properties.isAlphabetic } ?? false }
            if touchesLetter { hits += 1 }
            // VNI writes a vowel then a tone byte: "aø", "eá"…; ö is ư and ñ is đ.
            if let b = before, "aeiouyAEIOUYâêô".unicodeScalars.contains(b), "øùûõïäå".unicodeScalars.contains(s) { vniHits += 1 }
        }
        guard hits >= 2 else { return nil }
        return vniHits >= hits / 2 && vniHits > 0 ? "VNI" : "TCVN3"
    }
}
