// Metadata as typed by a person (command line, later a manifest row or a web form),
// and its validation into `ProductMetadata`: every problem reported at once.

public struct ProductInput: Sendable, Equatable {
    public var title: String?
    public var kind: String?
    /// Each entry may hold several values separated by `,` or `|`.
    public var languages: [String] = []
    public var unit: String?
    public var produced: String?
    public var published: String?
    public var channels: [String] = []
    public var topics: [String] = []
    public var campaign: String?
    public var description: String?
    public var creator: String?
    public var access: String?

    public init(title: String? = nil, kind: String? = nil, languages: [String] = [], unit: String? = nil,
                produced: String? = nil, published: String? = nil, channels: [String] = [], topics: [String] = [],
                campaign: String? = nil, description: String? = nil, creator: String? = nil, access: String? = nil) {
        self.title = title
        self.kind = kind
        self.languages = languages
        self.unit = unit
        self.produced = produced
        self.published = published
        self.channels = channels
        self.topics = topics
        self.campaign = campaign
        self.description = description
        self.creator = creator
        self.access = access
    }

    /// The input that reproduces existing metadata, so an edit can overlay a few fields.
    public init(_ metadata: ProductMetadata) {
        self.init(title: metadata.title, kind: metadata.kind.rawValue, languages: metadata.languages.map(\.value),
                  unit: metadata.unit.value, produced: metadata.produced?.description,
                  published: metadata.published?.description, channels: metadata.channels.map(\.rawValue),
                  topics: metadata.topics, campaign: metadata.campaign, description: metadata.description,
                  creator: metadata.creator, access: metadata.access.rawValue)
    }
}

extension ProductInput {
    /// `base` with the fields given here laid over it: a field left out (nil, or an empty list)
    /// keeps its value from `base`. An edit, or a re-run that changes what was stored.
    public func overlaid(on base: ProductInput) -> ProductInput {
        var out = base
        if let title { out.title = title }
        if let kind { out.kind = kind }
        if !languages.isEmpty { out.languages = languages }
        if let unit { out.unit = unit }
        if let produced { out.produced = produced }
        if let published { out.published = published }
        if !channels.isEmpty { out.channels = channels }
        if !topics.isEmpty { out.topics = topics }
        if let campaign { out.campaign = campaign }
        if let description { out.description = description }
        if let creator { out.creator = creator }
        if let access { out.access = access }
        return out
    }
}

public struct Validated<Value: Sendable>: Sendable {
    public var value: Value
    /// Things that are accepted but probably wrong (a language-tag trap, dates out of order).
    public var warnings: [String]
}

public struct ProductValidator: Sendable {
    public var languages: LanguageRegistry
    public var units: UnitTable
    /// Remembers resolved values across rows (for imports); nil resolves every time.
    public var cache: ValidationCache?
    public static let maxTitleLength = 1000

    /// Today in Vietnam, for warning about dates far outside the scheme's years; nil: no such warning.
    public var today: CalendarDate?

    public init(languages: LanguageRegistry = .standard, units: UnitTable = .standard, cache: ValidationCache? = nil, today: CalendarDate? = nil) {
        self.languages = languages
        self.units = units
        self.cache = cache
        self.today = today
    }

    public func validate(_ input: ProductInput) -> Result<Validated<ProductMetadata>, ValidationFailure> {
        var problems: [Problem] = []
        var warnings: [String] = []
        let title = checkTitle(input.title, problems: &problems, warnings: &warnings)
        let kind = checkKind(input.kind, problems: &problems)

        let resolvedLanguages = cache?.languages(input.languages) { resolveLanguages(input.languages) } ?? resolveLanguages(input.languages)
        warnings += resolvedLanguages.warnings
        problems += resolvedLanguages.problems

        // Dates are read before the unit (its code is checked against their table), but their
        // problems are listed after the unit's, in the order of the fields.
        var dateProblems: [Problem] = []
        func date(_ raw: String?, field: String) -> CalendarDate? {
            guard let text = Self.cleanText(raw) else { return nil }
            switch CalendarDate.parse(text) {
            case .success(let d): return d
            case .failure(var problem):
                problem.field = field
                dateProblems.append(problem)
                return nil
            }
        }
        let produced = date(input.produced, field: "produced")
        let published = date(input.published, field: "published")
        if let p = produced, let q = published, q < p {
            warnings.append("published date \(q) is before the production date \(p)")
        }
        for (field, date) in [("produced", produced), ("published", published)] {
            if let date, let warning = implausible(date) { warnings.append("\(field): \(warning)") }
        }
        let datesValid = dateProblems.isEmpty
        let unit = checkUnit(input.unit, on: datesValid ? produced ?? published : nil, datesValid: datesValid, problems: &problems)
        problems += dateProblems

        let resolvedChannels = cache?.channels(input.channels) { resolveChannels(input.channels) } ?? resolveChannels(input.channels)
        problems += resolvedChannels.problems

        var topics: [String] = []
        for raw in Self.splitList(input.topics, separators: ["|"]) {
            guard let clean = oneLineField(raw, field: "topic", problems: &problems, warnings: &warnings) else { continue }
            let topic = Topics.canonical(clean)
            if !topics.contains(topic) { topics.append(topic) }
        }
        let campaign = oneLineField(input.campaign, field: "campaign", problems: &problems, warnings: &warnings)
        let creator = oneLineField(input.creator, field: "creator", problems: &problems, warnings: &warnings)
        let description = Self.cleanText(input.description, keepLines: true)
        if let description, TextRules.hasControl(description) {
            problems.append(Problem(code: .controlCharacters, field: "description", value: description,
                                    expected: "text without control characters (ESC, BEL, NUL…); line breaks and tabs are fine"))
        }

        var access = AccessLevel.public
        if let raw = Self.cleanText(input.access) {
            if let level = AccessLevel.parse(raw) { access = level } else {
                problems.append(Problem(code: .unknownAccess, field: "access", value: raw, expected: "one of public, internal, restricted"))
            }
        }

        guard problems.isEmpty, let title, let kind, let unit else { return .failure(ValidationFailure(problems)) }
        let metadata = ProductMetadata(
            title: title, kind: kind, languages: resolvedLanguages.tags, unit: unit, produced: produced, published: published,
            channels: resolvedChannels.channels, topics: topics, campaign: campaign, description: description, creator: creator,
            access: access)
        return .success(Validated(value: metadata, warnings: warnings))
    }

    private func checkTitle(_ raw: String?, problems: inout [Problem], warnings: inout [String]) -> String? {
        guard let text = Self.cleanText(raw) else {
            problems.append(Problem(code: .missingTitle, field: "title", value: "", expected: "a title is required"))
            return nil
        }
        let (t, folded) = TextRules.oneLine(text)
        if folded { warnings.append("title: line breaks folded into one space") }
        if t.count > Self.maxTitleLength {
            problems.append(Problem(code: .titleTooLong, field: "title", value: String(t.prefix(40)) + "…",
                                    expected: "at most \(Self.maxTitleLength) characters, this has \(t.count)"))
        }
        if TextRules.hasControl(t) {
            problems.append(Problem(code: .invalidTitle, field: "title", value: t, expected: "a title without control characters (ESC, BEL, NUL…)"))
        }
        if let legacy = LegacyEncoding.suspect(t) {
            warnings.append("title '\(t)' looks like \(legacy) text shown as Unicode (mojibake); retype it or convert it to Unicode")
        }
        return t
    }

    /// A date a product of the scheme is unlikely to have (a typo in the year): before 1945, or
    /// more than a year after today.
    func implausible(_ date: CalendarDate) -> String? {
        if date.year < 1945 { return "\(date) is before 1945; check the year" }
        if let today, date.daysSince1970 > today.daysSince1970 + 366 { return "\(date) is more than a year after today (\(today)); check the year" }
        return nil
    }

    /// A one-line text field: line breaks folded (with a warning), control characters refused.
    private func oneLineField(_ raw: String?, field: String, problems: inout [Problem], warnings: inout [String]) -> String? {
        guard let text = Self.cleanText(raw) else { return nil }
        let (line, folded) = TextRules.oneLine(text)
        if folded { warnings.append("\(field): line breaks folded into one space") }
        guard !TextRules.hasControl(line) else {
            problems.append(Problem(code: .controlCharacters, field: field, value: line, expected: "text without control characters (ESC, BEL, NUL…)"))
            return nil
        }
        return line
    }

    private func checkKind(_ raw: String?, problems: inout [Problem]) -> ProductKind? {
        guard let text = Self.cleanText(raw) else {
            problems.append(Problem(code: .missingKind, field: "kind", value: "", expected: "a kind is required: one of \(ProductKind.expectedList)"))
            return nil
        }
        guard let kind = ProductKind.parse(text) else {
            problems.append(Problem(code: .unknownKind, field: "kind", value: text, expected: "one of \(ProductKind.expectedList)"))
            return nil
        }
        return kind
    }

    /// A product keeps the code of the unit that made it, as it was on the day it was made:
    /// the code is checked against the table of `date` (when the dates themselves are valid).
    private func checkUnit(_ raw: String?, on date: CalendarDate?, datesValid: Bool, problems: inout [Problem]) -> UnitCode? {
        guard let text = Self.cleanText(raw) else {
            problems.append(Problem(code: .missingUnit, field: "unit", value: "",
                                    expected: "the code of the unit that made the product is required, e.g. 00004"))
            return nil
        }
        let code: UnitCode
        switch UnitCode.parse(text) {
        case .success(let parsed): code = parsed
        case .failure(let problem):
            problems.append(problem)
            return nil
        }
        guard datesValid else { return code }
        let check = { () -> Problem? in
            if case .failure(let problem) = units.validate(code, on: date) { return problem }
            return nil
        }
        let key = ValidationCache.UnitKey(code: code.value, era: date.map(UnitTable.era(on:)))
        if let problem = (cache.map { $0.unit(key, check) } ?? check()) { problems.append(problem) }
        return code
    }

    func resolveLanguages(_ values: [String]) -> ValidationCache.Languages {
        var result = ValidationCache.Languages(tags: [], warnings: [], problems: [])
        let list = Self.splitList(values)
        if list.isEmpty {
            result.problems.append(Problem(code: .missingLanguage, field: "language", value: "",
                                           expected: "at least one language tag is required, e.g. vi or vi,tyz"))
        }
        for raw in list {
            switch languages.resolve(raw) {
            case .success(let resolved):
                if !result.tags.contains(resolved.tag) { result.tags.append(resolved.tag) }
                if let warning = resolved.warning { result.warnings.append(warning) }
            case .failure(let problem):
                result.problems.append(problem)
            }
        }
        return result
    }

    func resolveChannels(_ values: [String]) -> ValidationCache.Channels {
        var result = ValidationCache.Channels(channels: [], problems: [])
        for raw in Self.splitList(values) {
            if let channel = Channel.parse(raw) {
                if !result.channels.contains(channel) { result.channels.append(channel) }
            } else {
                result.problems.append(Problem(code: .unknownChannel, field: "channel", value: raw, expected: "one of \(Channel.expectedList)"))
            }
        }
        return result
    }

    /// NFC, trimmed; nil when empty. Tabs become spaces unless `keepLines`.
    public static func cleanText(_ raw: String?, keepLines: Bool = false) -> String? {
        guard let raw else { return nil }
        var text = VietnameseText.nfc(raw).trimmingWhitespace()
        if !keepLines, text.utf8.contains(0x09) {
            text = text.replacingAll("\t", with: " ")
        }
        return text.isEmpty ? nil : text
    }

    /// Splits repeated or combined values: `["vi,tyz", "en"]` → `["vi", "tyz", "en"]`.
    public static func splitList(_ values: [String], separators: Set<Character> = [",", "|", ";"]) -> [String] {
        values.flatMap { $0.split(whereSeparator: { separators.contains($0) }) }
            .compactMap { cleanText(String($0)) }
    }
}

/// The topic vocabulary: the seven core conventions in their usual spelling, free keywords as typed.
public enum Topics {
    public static let conventions = ["ICCPR", "ICESCR", "CEDAW", "CERD", "CRC", "CRPD", "CAT"]
    static let byLowercase = Dictionary(uniqueKeysWithValues: conventions.map { ($0.lowercased(), $0) })

    public static func canonical(_ raw: String) -> String {
        let text = VietnameseText.nfc(raw).trimmingWhitespace()
        return text.utf8.count <= 6 ? byLowercase[text.lowercased()] ?? text : text
    }
}
