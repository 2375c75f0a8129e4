// The API's list of products written by hand: byte for byte what JSONEncoder (sorted keys, no
// escaped slashes) writes for the same page (a test holds the two together), in a fraction of
// its time; the encoder took a third of every list request on a large catalog.
import KhoCore
import KhoOperations

public enum ApiJSON {
    /// `{"next": …, "products": [...]}`, `next` left out on the last page, as the encoder does.
    /// (Public for the test that compares it with JSONEncoder.)
    public static func productPage(_ products: [ProductDocument], next: String?) -> String {
        var out = "{"
        out.reserveCapacity(products.count * 700 + 64)
        if let next { out += "\"next\":"; string(next, &out); out += "," }
        out += "\"products\":["
        for (i, p) in products.enumerated() {
            if i > 0 { out += "," }
            product(p, &out)
        }
        out += "]}"
        return out
    }

    static func product(_ p: ProductDocument, _ out: inout String) {
        out += "{\"access\":"; string(p.access, &out)
        out += ",\"campaign\":"; optional(p.campaign, &out)
        out += ",\"carrier\":"; optional(p.carrier, &out)
        out += ",\"channels\":"; strings(p.channels, &out)
        out += ",\"createdAt\":"; string(p.createdAt, &out)
        out += ",\"creator\":"; optional(p.creator, &out)
        out += ",\"description\":"; optional(p.description, &out)
        out += ",\"digitalPlatform\":"; out += p.digitalPlatform ? "true" : "false"
        out += ",\"digitizationMethod\":"; optional(p.digitizationMethod, &out)
        out += ",\"digitized\":"; out += p.digitized ? "true" : "false"
        out += ",\"digitizedOn\":"; optional(p.digitizedOn, &out)
        out += ",\"files\":["
        for (i, f) in p.files.enumerated() {
            if i > 0 { out += "," }
            file(f, &out)
        }
        out += "],\"id\":"; string(p.id, &out)
        out += ",\"kind\":"; string(p.kind, &out)
        out += ",\"languageGroups\":"; strings(p.languageGroups, &out)
        out += ",\"languages\":"; strings(p.languages, &out)
        out += ",\"origin\":"; string(p.origin, &out)
        out += ",\"produced\":"; optional(p.produced, &out)
        out += ",\"published\":"; optional(p.published, &out)
        out += ",\"referenceDate\":"; optional(p.referenceDate, &out)
        out += ",\"title\":"; string(p.title, &out)
        out += ",\"topics\":"; strings(p.topics, &out)
        out += ",\"unit\":"; string(p.unit, &out)
        out += ",\"updatedAt\":"; string(p.updatedAt, &out)
        out += "}"
    }

    static func file(_ f: FileDocument, _ out: inout String) {
        out += "{\"addedAt\":"; string(f.addedAt, &out)
        if let check = f.lastCheck {
            out += ",\"lastCheck\":{\"at\":"; string(check.at, &out)
            out += ",\"outcome\":"; string(check.outcome, &out)
            out += "}"
        }
        out += ",\"mediaType\":"; string(f.mediaType, &out)
        out += ",\"n\":\(f.n)"
        out += ",\"name\":"; string(f.name, &out)
        out += ",\"nameEncoding\":"; string(f.nameEncoding, &out)
        out += ",\"originalNameHex\":"; string(f.originalNameHex, &out)
        out += ",\"role\":"; string(f.role, &out)
        out += ",\"sha256\":"; string(f.sha256, &out)
        out += ",\"size\":\(f.size)}"
    }

    static func optional(_ text: String?, _ out: inout String) {
        if let text { string(text, &out) } else { out += "null" }
    }

    static func strings(_ list: [String], _ out: inout String) {
        out += "["
        for (i, s) in list.enumerated() {
            if i > 0 { out += "," }
            string(s, &out)
        }
        out += "]"
    }

    /// A JSON string as the encoder writes it: quote, backslash and the control characters
    /// escaped (\b \f \n \r \t by name, the rest as \u00XX), everything else as it is.
    static func string(_ text: String, _ out: inout String) {
        out += "\""
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            out += text
            out += "\""
            return
        }
        for c in text.unicodeScalars {
            switch c.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(c)
            }
        }
        out += "\""
    }
}
