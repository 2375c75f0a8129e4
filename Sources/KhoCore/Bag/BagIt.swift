// The text parts of a BagIt bag (RFC 8493): manifest lines, bag-info.txt, Payload-Oxum.
// Pure: the bytes are produced here and written by KhoBundle.
import Foundation

public enum BagIt {
    public static let version = "1.0"

    public static var declaration: String { "BagIt-Version: \(version)\nTag-File-Character-Encoding: UTF-8\n" }

    /// A path as a manifest writes it (RFC 8493 §2.1.3): `%` as %25, CR as %0D, LF as %0A.
    public static func encodePath(_ path: String) -> String {
        // Nearly every path has none of the three: returned as it is.
        guard path.utf8.contains(where: { $0 == 0x25 || $0 == 0x0D || $0 == 0x0A }) else { return path }
        var out = ""
        for scalar in path.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The inverse of `encodePath`; other percent sequences are left as they are.
    public static func decodePath(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        return text.replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%0a", with: "\n")
            .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0d", with: "\r")
            .replacingOccurrences(of: "%25", with: "%")
    }

    /// A manifest: one `digest  path` line per file, sorted by path (byte order) so the same
    /// files always give the same manifest.
    public static func manifest(_ entries: [(path: String, digest: String)]) -> String {
        sortedForManifest(entries).map { manifestLine(path: $0.path, digest: $0.digest) }.joined()
    }

    /// One line of a manifest.
    public static func manifestLine(path: String, digest: String) -> String { "\(digest)  \(encodePath(path))\n" }

    /// Entries in manifest order: by path, byte for byte.
    @inlinable
    public static func sortedForManifest<T>(_ entries: [T], path: (T) -> String) -> [T] {
        entries.map { (path($0), $0) }.sorted { precedesBytewise($0.0, $1.0) }.map(\.1)
    }

    /// Whether `a` comes before `b` byte for byte in UTF-8 (not Swift's order of characters).
    public static func precedesBytewise(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
    }

    static func sortedForManifest(_ entries: [(path: String, digest: String)]) -> [(path: String, digest: String)] {
        sortedForManifest(entries) { $0.path }
    }

    /// `Payload-Oxum`: octet count and file count of the payload.
    public static func oxum(bytes: Int64, files: Int) -> String { "\(bytes).\(files)" }

    /// `Bag-Size`: a human-readable size.
    public static func humanSize(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// bag-info.txt from labelled values, in the order given; a value's line breaks become
    /// spaces (the format has continuation lines, but not every reader handles them).
    public static func bagInfo(_ fields: [(label: String, value: String)]) -> String {
        fields.map { "\($0.label): \($0.value.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " "))\n" }.joined()
    }
}

/// Names for a product's files inside a bag: the original name in NFC, made safe for every
/// unpacking tool (no `/`, no control characters, not `.` or `..`, not empty) and unique
/// within the product, case and normalisation folded. A `%` becomes `％` (U+FF05): the
/// manifest would have to write it as %25, which bagit-python does not decode, so the Library
/// of Congress validator would reject the bag. The original name is kept in metadata.json.
public enum BagFileNames {
    public static func safe(_ name: String) -> String {
        let safe = FileName.safeComponent(name)
        return safe.utf8.contains(UInt8(ascii: "%")) ? safe.replacingOccurrences(of: "%", with: "\u{FF05}") : safe
    }

    /// Safe and unique names for `names`, in order: a repeat gets "-2", "-3" before its extension.
    public static func unique(_ names: [String], reserved: Set<String> = []) -> [String] {
        var taken = Set(reserved.map(fold))
        return names.map { original in
            let base = safe(original)
            var candidate = base
            var folded = fold(candidate)
            var n = 2
            while taken.contains(folded) {
                let ext = (base as NSString).pathExtension
                let stem = (base as NSString).deletingPathExtension
                candidate = ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(ext)"
                folded = fold(candidate)
                n += 1
            }
            taken.insert(folded)
            return candidate
        }
    }

    static func fold(_ s: String) -> String {
        // Most names are plain ASCII: lower-cased on the bytes.
        if s.utf8.allSatisfy({ $0 < 128 }) {
            return String(decoding: s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }
        return VietnameseText.nfc(s).lowercased()
    }
}
