// The language registry: Vietnam's minority languages by name and tag (DOMAIN.md),
// common foreign languages, the traps, and how a typed value becomes a tag.

/// Where a language stands for the diversified share.
public enum LanguageGroup: String, Sendable, Codable {
    case national      // Vietnamese
    case minority      // an ethnic-minority language of Vietnam (configurable list)
    case foreign       // any other language
    case undetermined  // private use, `und`, `zxx`, `mul`
}

public struct KnownLanguage: Sendable, Equatable {
    public var tag: String
    public var english: String
    public var vietnamese: String
    /// Extra names people type ("Mông", "Hmong", "Jrai").
    public var aliases: [String]
}

public struct ResolvedLanguage: Sendable, Equatable {
    public var tag: LanguageTag
    /// A warning for tags that are well-formed but probably not what was meant.
    public var warning: String?
}

public struct LanguageRegistry: Sendable {
    public var known: [KnownLanguage]
    /// Primary language subtags counted as ethnic-minority languages.
    public var minorityTags: Set<String>

    public var subtags: SubtagRegistry

    public init(known: [KnownLanguage] = LanguageRegistry.vietnamLanguages, minorityTags: Set<String> = LanguageRegistry.defaultMinorityTags,
                subtags: SubtagRegistry = .standard) {
        self.known = known
        self.minorityTags = minorityTags
        self.subtags = subtags
    }

    public static let standard = LanguageRegistry()

    public func group(of tag: LanguageTag) -> LanguageGroup {
        let language = tag.language
        if language.isEmpty || ["und", "zxx", "mul", "mis"].contains(language) { return .undetermined }
        if language == "vi" { return .national }
        if minorityTags.contains(language) { return .minority }
        return .foreign
    }

    public func name(of tag: LanguageTag) -> KnownLanguage? {
        known.first { $0.tag == tag.value } ?? known.first { $0.tag == tag.language }
    }

    /// A display label: "tyz (Tày)", else the registry's English name: "fr (French)".
    public func label(_ tag: LanguageTag, vietnamese: Bool = true) -> String {
        if let entry = name(of: tag) { return "\(tag.value) (\(vietnamese ? entry.vietnamese : entry.english))" }
        if let name = subtags.languageName(tag.language) { return "\(tag.value) (\(name))" }
        return tag.value
    }

    /// Turns what a clerk typed into a tag: a well-formed BCP 47 tag is taken as is
    /// (with a warning for the known traps); otherwise a language name ("Tày",
    /// "Ê Đê", "Khmer") is looked up in the table.
    public func resolve(_ input: String) -> Result<ResolvedLanguage, Problem> {
        let text = input.trimmingWhitespace()
        let parsed = LanguageTag.parse(text)
        var registryProblem: Problem?
        if case .success(let tag) = parsed {
            switch subtags.check(tag) {
            case .success(let notes):
                let warning = ([Self.traps[tag.language]].compactMap { $0 } + notes).joined(separator: "; ")
                return .success(ResolvedLanguage(tag: tag, warning: warning.isEmpty ? nil : warning))
            case .failure(let problem):
                // A longer text may still be a name we know: look at the names first.
                if text.count <= 3 { return .failure(problem) }
                registryProblem = problem
            }
        }
        let key = Self.nameKey(text)
        var matches: [KnownLanguage] = []
        for entry in known {
            let names = [entry.english, entry.vietnamese] + entry.aliases
            if names.contains(where: { Self.nameKey($0) == key }) { matches.append(entry) }
        }
        if matches.count == 1, case .success(let tag) = LanguageTag.parse(matches[0].tag) {
            return .success(ResolvedLanguage(tag: tag, warning: nil))
        }
        if matches.count > 1 {
            let options = matches.map { "\($0.tag) (\($0.english))" }.joined(separator: ", ")
            return .failure(Problem(code: .ambiguousLanguage, field: "language", value: text,
                                    expected: "names several languages; give the tag: \(options)"))
        }
        if let ambiguous = Self.ambiguousNames[key] {
            return .failure(Problem(code: .ambiguousLanguage, field: "language", value: text,
                                    expected: "names several languages; give the tag: \(ambiguous)"))
        }
        if let registryProblem { return .failure(registryProblem) }
        var reason = "not a BCP 47 tag or a known language name"
        if case .failure(let malformed) = parsed, text.unicodeScalars.allSatisfy(\.isASCII) { reason = malformed.reason }
        return .failure(Problem(code: .malformedLanguageTag, field: "language", value: text,
                                expected: "\(reason); expected a BCP 47 tag such as vi, tyz, hmn, blt-Tavt or en, or a language name such as Tày"))
    }

    static func nameKey(_ text: String) -> String {
        String(VietnameseText.fold(text).unicodeScalars.filter { $0.properties.isAlphabetic })
    }

    // MARK: Data (DOMAIN.md, "Languages: BCP 47 tags")

    /// Well-formed tags that are rarely what a Vietnamese office means.
    public static let traps: [String: String] = [
        "dao": "'dao' is Daai Chin (Myanmar), not Dao; Dao is ium (Iu Mien) or mji (Kim Mun)",
        "th": "'th' is Thai of Thailand, not Thái; Thái is blt (Tai Dam), twh (Tai Dón) or tyr (Tai Daeng)",
        "tay": "'tay' is Atayal (Taiwan), not Tày; Tày is tyz",
        "hmo": "'hmo' is Hiri Motu (Papua New Guinea), not Hmông; Hmông is hmn (or mww, hnj)",
        "thi": "'thi' is Tai Long (Laos); Thái is blt, twh or tyr",
        "muo": "'muo' is Mbo (Cameroon), not Mường; Mường is mtq",
        "nun": "'nun' is Anong (China), not Nùng; Nùng is nut",
        "ede": "'ede' is Ede (Benin), not Ê Đê; Ê Đê is rad",
        "kho": "'kho' is Khotanese, not K'Ho; K'Ho is kpm",
    ]

    /// Names that stand for several tags; the clerk must choose.
    static let ambiguousNames: [String: String] = [
        "thai": "blt (Tai Dam), twh (Tai Dón), tyr (Tai Daeng); th is Thai of Thailand",
        "dao": "ium (Iu Mien), mji (Kim Mun)",
        "cham": "cjm (Eastern Cham), cja (Western Cham)",
        "mnong": "mng (Eastern Mnong), cmo (Central Mnong), mnn (Southern Mnong)",
        "cotu": "ktv (Eastern Katu), kuf (Western Katu)",
        "gietrieng": "jeh (Jeh), tdf (Talieng)",
        "xtieng": "sti (Bulo Stieng), stt (Budeh Stieng)",
        "hoa": "zh (Chinese), yue (Cantonese)",
    ]

    public static let defaultMinorityTags: Set<String> = [
        "tyz", "nut", "hmn", "mww", "hnj", "blt", "twh", "tyr", "ium", "mji", "mtq", "km", "cjm", "cja",
        "rog", "cje", "hre", "mlc", "zh", "yue", "rad", "jra", "bdq", "sed", "mng", "cmo", "mnn", "kpm",
        "ktv", "kuf", "jeh", "tdf", "sti", "stt", "crw", "pac", "bru", "hni",
    ]

    public static let vietnamLanguages: [KnownLanguage] = [
        .init(tag: "vi", english: "Vietnamese", vietnamese: "Tiếng Việt", aliases: ["Việt", "Kinh"]),
        .init(tag: "tyz", english: "Tày", vietnamese: "Tày", aliases: ["Tay"]),
        .init(tag: "nut", english: "Nùng", vietnamese: "Nùng", aliases: []),
        .init(tag: "hmn", english: "Hmong", vietnamese: "Hmông (Mông)", aliases: ["Mông", "Hmông", "H'Mông", "Mèo"]),
        .init(tag: "mww", english: "Hmong Daw", vietnamese: "Hmông Trắng", aliases: ["White Hmong"]),
        .init(tag: "hnj", english: "Hmong Njua", vietnamese: "Hmông Xanh", aliases: ["Green Hmong"]),
        .init(tag: "blt", english: "Tai Dam", vietnamese: "Thái Đen", aliases: ["Black Tai"]),
        .init(tag: "twh", english: "Tai Dón", vietnamese: "Thái Trắng", aliases: ["White Tai", "Tai Don"]),
        .init(tag: "tyr", english: "Tai Daeng", vietnamese: "Thái Đỏ", aliases: ["Red Tai"]),
        .init(tag: "ium", english: "Iu Mien", vietnamese: "Dao (Iu Miền)", aliases: ["Dao Đỏ", "Mien"]),
        .init(tag: "mji", english: "Kim Mun", vietnamese: "Dao (Kim Miền)", aliases: ["Dao Tiền"]),
        .init(tag: "mtq", english: "Muong", vietnamese: "Mường", aliases: []),
        .init(tag: "km", english: "Khmer", vietnamese: "Khmer", aliases: ["Khơ Me", "Khmer Nam Bộ"]),
        .init(tag: "cjm", english: "Eastern Cham", vietnamese: "Chăm (Đông)", aliases: ["Chăm Đông"]),
        .init(tag: "cja", english: "Western Cham", vietnamese: "Chăm (Tây)", aliases: ["Chăm Tây"]),
        .init(tag: "rog", english: "Northern Roglai", vietnamese: "Raglai", aliases: ["Ra Glai", "Roglai"]),
        .init(tag: "cje", english: "Chru", vietnamese: "Chu Ru", aliases: ["Churu"]),
        .init(tag: "hre", english: "Hre", vietnamese: "H'rê", aliases: ["Hrê"]),
        .init(tag: "mlc", english: "Cao Lan", vietnamese: "Cao Lan", aliases: ["Sán Chay"]),
        .init(tag: "zh", english: "Chinese", vietnamese: "Hoa (tiếng Trung)", aliases: ["Tiếng Hoa", "Tiếng Trung"]),
        .init(tag: "yue", english: "Cantonese", vietnamese: "Hoa (Quảng Đông)", aliases: ["Quảng Đông"]),
        .init(tag: "rad", english: "Rade", vietnamese: "Ê Đê", aliases: ["Ede", "Rhade", "Êđê"]),
        .init(tag: "jra", english: "Jarai", vietnamese: "Gia Rai", aliases: ["Jrai", "Giarai"]),
        .init(tag: "bdq", english: "Bahnar", vietnamese: "Ba Na", aliases: ["Bana"]),
        .init(tag: "sed", english: "Sedang", vietnamese: "Xơ Đăng", aliases: ["Xê Đăng"]),
        .init(tag: "mng", english: "Eastern Mnong", vietnamese: "M'Nông (Đông)", aliases: []),
        .init(tag: "cmo", english: "Central Mnong", vietnamese: "M'Nông (Trung)", aliases: []),
        .init(tag: "mnn", english: "Southern Mnong", vietnamese: "M'Nông (Nam)", aliases: []),
        .init(tag: "kpm", english: "Koho", vietnamese: "K'Ho", aliases: ["Cơ Ho", "Kơho"]),
        .init(tag: "ktv", english: "Eastern Katu", vietnamese: "Cơ Tu (Đông)", aliases: []),
        .init(tag: "kuf", english: "Western Katu", vietnamese: "Cơ Tu (Tây)", aliases: []),
        .init(tag: "jeh", english: "Jeh", vietnamese: "Giẻ Triêng (Giẻ)", aliases: []),
        .init(tag: "tdf", english: "Talieng", vietnamese: "Giẻ Triêng (Triêng)", aliases: []),
        .init(tag: "sti", english: "Bulo Stieng", vietnamese: "Xtiêng (Bulo)", aliases: []),
        .init(tag: "stt", english: "Budeh Stieng", vietnamese: "Xtiêng (Budeh)", aliases: []),
        .init(tag: "crw", english: "Chrau", vietnamese: "Chơ Ro", aliases: ["Châu Ro"]),
        .init(tag: "pac", english: "Pacoh", vietnamese: "Pa Cô", aliases: ["Pakoh"]),
        .init(tag: "bru", english: "Eastern Bru", vietnamese: "Vân Kiều", aliases: ["Bru", "Bru - Vân Kiều"]),
        .init(tag: "hni", english: "Hani", vietnamese: "Hà Nhì", aliases: []),
        // Foreign languages offices publish in.
        .init(tag: "en", english: "English", vietnamese: "Tiếng Anh", aliases: ["Anh"]),
        .init(tag: "fr", english: "French", vietnamese: "Tiếng Pháp", aliases: ["Pháp"]),
        .init(tag: "lo", english: "Lao", vietnamese: "Tiếng Lào", aliases: ["Lào"]),
        .init(tag: "ru", english: "Russian", vietnamese: "Tiếng Nga", aliases: ["Nga"]),
        .init(tag: "ja", english: "Japanese", vietnamese: "Tiếng Nhật", aliases: ["Nhật"]),
        .init(tag: "ko", english: "Korean", vietnamese: "Tiếng Hàn", aliases: ["Hàn"]),
        .init(tag: "th", english: "Thai (Thailand)", vietnamese: "Tiếng Thái Lan", aliases: ["Thái Lan"]),
        .init(tag: "de", english: "German", vietnamese: "Tiếng Đức", aliases: ["Đức"]),
        .init(tag: "es", english: "Spanish", vietnamese: "Tiếng Tây Ban Nha", aliases: []),
    ]
}
