// BCP 47 (RFC 5646) language tags: a well-formedness parser and canonical casing.
// Validity against the IANA registry is a separate concern (the language registry).

/// A well-formed BCP 47 tag in canonical case (`vi`, `blt-Tavt`, `zh-Hant-TW`, `x-kho`).
public struct LanguageTag: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let value: String
    /// The primary language subtag, lower case (`blt` for `blt-Tavt`); for an extlang
    /// form (`zh-yue`) the extlang, which is the language it names. Empty for private use.
    public let language: String
    public let script: String?
    public let region: String?
    /// The primary language subtag as written (`zh` in `zh-yue`), lower case.
    public let primary: String
    public let extlangs: [String]
    public let variants: [String]

    public var description: String { value }
    public static func < (lhs: LanguageTag, rhs: LanguageTag) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch LanguageTag.parse(text) {
        case .success(let tag): self = tag
        case .failure(let problem):
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem.reason))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    private init(value: String, language: String, script: String?, region: String?, primary: String? = nil,
                 extlangs: [String] = [], variants: [String] = []) {
        self.value = value
        self.language = language
        self.script = script
        self.region = region
        self.primary = primary ?? language
        self.extlangs = extlangs
        self.variants = variants
    }

    /// True for tags that are wholly private use (`x-…`) or grandfathered.
    public var isIrregular: Bool { primary.isEmpty || primary.contains("-") }

    /// Why a text is not a well-formed tag.
    public struct Malformed: Error, Sendable, Equatable {
        public var reason: String
    }

    // RFC 5646 section 2.2.8: grandfathered tags, matched whole and case-insensitively.
    private static let grandfathered: [String: String] = {
        let tags = [
            "en-GB-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
            "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-BE-FR", "sgn-BE-NL", "sgn-CH-DE",
            "art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan",
            "zh-xiang",
        ]
        return Dictionary(uniqueKeysWithValues: tags.map { ($0.lowercased(), $0) })
    }()

    /// Longer than any tag an archive needs (RFC 5646 asks for 35 to be supported).
    public static let maxLength = 64

    public static func parse(_ input: String) -> Result<LanguageTag, Malformed> {
        let text = input.trimmingWhitespace()
        func fail(_ reason: String) -> Result<LanguageTag, Malformed> { .failure(Malformed(reason: reason)) }
        if text.isEmpty { return fail("a language tag is empty") }
        if text.count > maxLength { return fail("a language tag has at most \(maxLength) characters; this one has \(text.count)") }
        if text.contains("_") {
            return fail("BCP 47 separates subtags with '-', not '_' (write \(text.replacingAll("_", with: "-")))")
        }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && ($0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else {
            return fail("a language tag holds only ASCII letters, digits and '-'")
        }
        if let tag = grandfathered[text.lowercased()] {
            return .success(LanguageTag(value: tag, language: tag.lowercased(), script: nil, region: nil))
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: \.isEmpty) { return fail("a subtag is empty (two '-' in a row, or '-' at an end)") }
        if let long = parts.first(where: { $0.count > 8 }) { return fail("subtag '\(long)' is longer than 8 characters") }

        var index = 0
        var out: [String] = []
        func isAlpha(_ s: String) -> Bool { s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic } }
        func isDigit(_ s: String) -> Bool { s.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
        func at(_ i: Int) -> String? { i < parts.count ? parts[i] : nil }

        // Private use only: x-…
        if parts[0].lowercased() == "x" {
            guard parts.count > 1 else { return fail("'x' must be followed by at least one private-use subtag") }
            return .success(LanguageTag(value: parts.map { $0.lowercased() }.joined(separator: "-"), language: "", script: nil, region: nil, primary: ""))
        }

        let primary = parts[0]
        guard isAlpha(primary) else { return fail("the primary language subtag '\(primary)' must be letters") }
        guard (2...3).contains(primary.count) else {
            if primary.count == 1 { return fail("'\(primary)' is a singleton, not a language subtag") }
            if primary.count == 4 { return fail("four-letter language subtags are reserved and never assigned") }
            return fail("'\(primary)' is not an ISO 639 code (2 or 3 letters); 5 to 8 letter language subtags are reserved")
        }
        var language = primary.lowercased()
        let primarySubtag = language
        var extlangList: [String] = []
        out.append(language)
        index = 1

        // extlang: up to three 3-letter subtags, only after a 2-3 letter language.
        var extlangs = 0
        while let next = at(index), next.count == 3, isAlpha(next) {
            extlangs += 1
            if extlangs > 3 { return fail("more than three extended language subtags") }
            if extlangs == 1 { language = next.lowercased() }
            extlangList.append(next.lowercased())
            out.append(next.lowercased())
            index += 1
        }
        var script: String?
        if let next = at(index), next.count == 4, isAlpha(next) {
            script = next.prefix(1).uppercased() + next.dropFirst().lowercased()
            out.append(script!)
            index += 1
        }
        var region: String?
        if let next = at(index), (next.count == 2 && isAlpha(next)) || (next.count == 3 && isDigit(next)) {
            region = next.uppercased()
            out.append(region!)
            index += 1
        }
        var variants: Set<String> = []
        var variantList: [String] = []
        while let next = at(index), isVariant(next) {
            let lower = next.lowercased()
            if !variants.insert(lower).inserted { return fail("variant '\(lower)' appears twice") }
            variantList.append(lower)
            out.append(lower)
            index += 1
        }
        if let reason = extensions(parts, from: &index, into: &out) { return fail(reason) }
        if let rest = at(index) {
            return fail("subtag '\(rest)' is not valid in this position (expected language-Script-REGION-variant, e.g. blt-Tavt-VN)")
        }
        return .success(LanguageTag(value: out.joined(separator: "-"), language: language, script: script, region: region,
                                    primary: primarySubtag, extlangs: extlangList, variants: variantList))
    }

    /// Extensions (`u-…`, `t-…`) and private use (`x-…`) after the variants; a reason when malformed.
    private static func extensions(_ parts: [String], from index: inout Int, into out: inout [String]) -> String? {
        func at(_ i: Int) -> String? { i < parts.count ? parts[i] : nil }
        var singletons: Set<String> = []
        while let next = at(index), next.count == 1, next.lowercased() != "x" {
            let singleton = next.lowercased()
            if !singletons.insert(singleton).inserted { return "extension '\(singleton)' appears twice" }
            out.append(singleton)
            index += 1
            var count = 0
            while let sub = at(index), (2...8).contains(sub.count) {
                out.append(sub.lowercased())
                index += 1
                count += 1
            }
            if count == 0 { return "extension '\(singleton)' needs at least one subtag of 2 to 8 characters" }
        }
        if let next = at(index), next.lowercased() == "x" {
            out.append("x")
            index += 1
            guard index < parts.count else { return "'x' must be followed by at least one private-use subtag" }
            while let sub = at(index) {
                out.append(sub.lowercased())
                index += 1
            }
        }
        return nil
    }

    private static func isVariant(_ s: String) -> Bool {
        let alnum = s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        guard alnum else { return false }
        if (5...8).contains(s.count) { return true }
        if s.count == 4, let first = s.unicodeScalars.first, ("0"..."9").contains(first) { return true }
        return false
    }
}

extension String {
    /// Plain substring replacement without Foundation.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        // An ASCII target not in the text: nothing to walk character by character. Not for K,
        // ; and ` : Swift's characters equal them to U+212A, U+037E and U+1FEF too.
        if target.utf8.count == 1, let byte = target.utf8.first, byte < 0x80, byte != 0x4B, byte != 0x3B, byte != 0x60, !utf8.contains(byte) {
            return self
        }
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
