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
    static func isTriviallyNFC(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value < 0x0300 || (0x1E00...0x1EFF).contains($0.value) }
    }

    static func isCombiningMark(_ s: Unicode.Scalar) -> Bool {
        (0x0300...0x036F).contains(s.value)
    }
}
