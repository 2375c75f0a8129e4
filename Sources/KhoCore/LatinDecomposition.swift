// Canonical decompositions of the Latin letters Vietnamese uses (U+00C0–U+024F and
// U+1E00–U+1EFF), taken once from Foundation, so folding, NFC checks and collation do not
// call into Foundation for every title of a 100,000-row import.
import Foundation

enum LatinDecomposition {
    /// Scalar → its NFD scalars, for precomposed letters in the two ranges.
    static let table: [UInt32: [Unicode.Scalar]] = {
        var out: [UInt32: [Unicode.Scalar]] = [:]
        for value in Array(0x00C0...0x024F) + Array(0x1E00...0x1EFF) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let nfd = Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
            if nfd.count > 1 || nfd.first != scalar { out[UInt32(value)] = nfd }
        }
        return out
    }()

    /// True when every scalar is one whose NFC form is itself (ASCII, Latin, Vietnamese letters),
    /// so the text is NFC as it stands. Combining marks and other scripts need the full algorithm.
    /// Every scalar below U+0300 or in U+1E00-U+1EFF, read from the UTF-8 bytes: ASCII, a
    /// two-byte sequence led by C2-CB, or E1 B8-BB and one more byte.
    static func isTriviallyNFC(_ text: String) -> Bool {
        var skip = 0
        var afterE1 = false
        for byte in text.utf8 {
            if afterE1 {
                guard (0xB8...0xBB).contains(byte) else { return false }
                afterE1 = false
                skip = 1
            } else if skip > 0 {
                skip -= 1
            } else if byte >= 0x80 {
                if (0xC2...0xCB).contains(byte) {
                    skip = 1
                } else if byte == 0xE1 {
                    afterE1 = true
                } else {
                    return false
                }
            }
        }
        return true
    }

    static func isCombiningMark(_ s: Unicode.Scalar) -> Bool {
        (0x0300...0x036F).contains(s.value)
    }
}
