// Media types from a file's first bytes, with its name as the tie-breaker.
// Pure: the store passes the bytes it already read while hashing.

public enum MediaType {
    /// How many leading bytes `sniff` wants.
    public static let sniffLength = 4096

    public static func sniff(_ head: [UInt8], fileName: String) -> String {
        let ext = fileExtension(fileName)
        func has(_ sig: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + sig.count && Array(head[offset..<offset + sig.count]) == sig
        }
        func ascii(_ s: String, at offset: Int = 0) -> Bool { has(Array(s.utf8), at: offset) }

        if ascii("%PDF-") { return "application/pdf" }
        if has([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if has([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if ascii("GIF87a") || ascii("GIF89a") { return "image/gif" }
        if has([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) { return "image/jp2" }
        if ascii("II*\u{0}") || ascii("MM\u{0}*") {
            switch ext {
            case "cr2": return "image/x-canon-cr2"
            case "nef": return "image/x-nikon-nef"
            case "dng": return "image/x-adobe-dng"
            default: return "image/tiff"
            }
        }
        if ascii("BM"), head.count > 14, ext == "bmp" || head[6] == 0 && head[7] == 0 { return "image/bmp" }
        if ascii("8BPS") { return "image/vnd.adobe.photoshop" }
        if ascii("RIFF"), head.count >= 12 {
            if ascii("WEBP", at: 8) { return "image/webp" }
            if ascii("WAVE", at: 8) { return "audio/x-wav" }
            if ascii("AVI ", at: 8) { return "video/x-msvideo" }
        }
        if ascii("FORM"), ascii("AIFF", at: 8) || ascii("AIFC", at: 8) { return "audio/x-aiff" }
        if ascii("ftyp", at: 4), head.count >= 12 {
            let brand = String(decoding: head[8..<12], as: UTF8.self)
            switch brand {
            case "qt  ": return "video/quicktime"
            case "M4A ", "M4B ": return "audio/x-m4a"
            case "heic", "heix", "mif1", "msf1": return "image/heic"
            case "avif": return "image/avif"
            case "3gp4", "3gp5", "3gp6", "3g2a": return "video/3gpp"
            case "crx ": return "image/x-canon-cr3"
            default: return "video/mp4"
            }
        }
        if has([0x00, 0x00, 0x00]) && (ascii("moov", at: 4) || ascii("mdat", at: 4) || ascii("wide", at: 4) || ascii("free", at: 4)) {
            return "video/quicktime"
        }
        if ascii("ID3") { return "audio/mpeg" }
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0, head[1] & 0x06 != 0 {
            if head[1] & 0x18 == 0x10 || head[1] & 0x18 == 0x18 || head[1] & 0x18 == 0x00 {
                return ext == "aac" ? "audio/aac" : "audio/mpeg"
            }
        }
        if ascii("OggS") {
            let text = String(decoding: head, as: UTF8.self)
            return text.contains("theora") ? "video/ogg" : "audio/ogg"
        }
        if ascii("fLaC") { return "audio/flac" }
        if has([0x1A, 0x45, 0xDF, 0xA3]) {
            return String(decoding: head.prefix(64), as: UTF8.self).contains("webm") ? "video/webm" : "video/x-matroska"
        }
        if has([0x00, 0x00, 0x01, 0xBA]) || has([0x00, 0x00, 0x01, 0xB3]) { return "video/mpeg" }
        if head.count > 376, head[0] == 0x47, head[188] == 0x47, head[376] == 0x47 { return "video/mp2t" }
        if ascii(".RMF") { return "application/vnd.rn-realmedia" }
        if ascii("{\\rtf") { return "text/rtf" }
        if has([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            switch ext {
            case "doc": return "application/msword"
            case "xls": return "application/vnd.ms-excel"
            case "ppt": return "application/vnd.ms-powerpoint"
            default: return "application/x-ole-storage"
            }
        }
        if ascii("PK\u{3}\u{4}") { return zipFlavour(head, ext: ext) }
        if has([0x1F, 0x8B]) { return "application/gzip" }
        if has([0x28, 0xB5, 0x2F, 0xFD]) { return "application/zstd" }
        if ascii("ustar", at: 257) { return "application/x-tar" }
        if ascii("7z\u{BC}\u{AF}") { return "application/x-7z-compressed" }
        if ascii("Rar!") { return "application/vnd.rar" }

        if let text = textKind(head, ext: ext) { return text }
        return byExtension[ext] ?? "application/octet-stream"
    }

    static func zipFlavour(_ head: [UInt8], ext: String) -> String {
        // ODF stores its media type uncompressed as the first entry.
        if head.count > 38, String(decoding: head[30..<38], as: UTF8.self) == "mimetype" {
            let rest = String(decoding: head[38..<min(head.count, 120)], as: UTF8.self)
            if let end = rest.firstIndex(where: { !($0.isLetter || $0.isNumber || "./-+".contains($0)) }) {
                return String(rest[..<end])
            }
        }
        switch ext {
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "pptx": return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case "epub": return "application/epub+zip"
        default: return "application/zip"
        }
    }

    static func textKind(_ head: [UInt8], ext: String) -> String? {
        guard !head.isEmpty, !head.contains(0) else { return head.isEmpty ? (byExtension[ext] ?? "application/x-empty") : nil }
        // The head may end in the middle of a multi-byte character.
        var decoded: String?
        for cut in 0...min(3, head.count - 1) where decoded == nil {
            decoded = String(validating: head.dropLast(cut), as: UTF8.self)
        }
        guard let text = decoded else { return nil }
        let start = text.drop(while: { $0 == "\u{FEFF}" || $0.isWhitespace }).prefix(256).lowercased()
        if start.hasPrefix("<?xml") {
            if text.contains("<svg") { return "image/svg+xml" }
            return byExtension[ext] ?? "application/xml"
        }
        if start.hasPrefix("<svg") { return "image/svg+xml" }
        if start.hasPrefix("<!doctype html") || start.hasPrefix("<html") { return "text/html" }
        if let known = byExtension[ext], known.hasPrefix("text/") || known.hasPrefix("application/x-subrip") || known == "application/json" {
            return known
        }
        return "text/plain"
    }

    public static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    static let byExtension: [String: String] = [
        "txt": "text/plain", "csv": "text/csv", "md": "text/markdown", "html": "text/html", "htm": "text/html",
        "srt": "application/x-subrip", "vtt": "text/vtt", "json": "application/json", "xml": "application/xml",
        "doc": "application/msword", "odt": "application/vnd.oasis.opendocument.text",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "mp3": "audio/mpeg", "m4a": "audio/x-m4a", "wav": "audio/x-wav", "mp4": "video/mp4", "mov": "video/quicktime",
        "mkv": "video/x-matroska", "avi": "video/x-msvideo", "jpg": "image/jpeg", "jpeg": "image/jpeg",
        "png": "image/png", "tif": "image/tiff", "tiff": "image/tiff", "pdf": "application/pdf",
    ]
}
