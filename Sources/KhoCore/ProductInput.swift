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

public struct Validated<Value: Sendable>: Sendable {
    public var value: Value
    /// Things that are accepted but probably wrong (a language-tag trap, dates out of order).
    public var warnings: [String]
}

public struct ProductValidator: Sendable {
    public var languages: LanguageRegistry
    public static let maxTitleLength = 1000

    public init(languages: LanguageRegistry = .standard) {
        self.languages = languages
    }

    public func validate(_ input: ProductInput) -> Result<Validated<ProductMetadata>, ValidationFailure> {
        var problems: [Problem] = []
        var warnings: [String] = []

        let title = Self.cleanText(input.title)
        if title == nil {
            problems.append(Problem(code: "missing_title", field: "title", value: "", expected: "a title is required"))
        } else if let t = title {
            if t.count > Self.maxTitleLength {
                problems.append(Problem(code: "title_too_long", field: "title", value: String(t.prefix(40)) + "…",
                                        expected: "at most \(Self.maxTitleLength) characters, this has \(t.count)"))
            }
            if t.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append(Problem(code: "invalid_title", field: "title", value: t,
                                        expected: "a title on one line without control characters"))
            }
            if let legacy = LegacyEncoding.suspect(t) {
                warnings.append("title '\(t)' looks like \(legacy) text shown as Unicode (mojibake); retype it or convert it to Unicode")
            }
        }

        var kind: ProductKind?
        if let raw = Self.cleanText(input.kind) {
            kind = ProductKind.parse(raw)
            if kind == nil {
                problems.append(Problem(code: "unknown_kind", field: "kind", value: raw, expected: "one of \(ProductKind.expectedList)"))
            }
        } else {
            problems.append(Problem(code: "missing_kind", field: "kind", value: "", expected: "a kind is required: one of \(ProductKind.expectedList)"))
        }

        var tags: [LanguageTag] = []
        let languageValues = Self.splitList(input.languages)
        if languageValues.isEmpty {
            problems.append(Problem(code: "missing_language", field: "language", value: "",
                                    expected: "at least one language tag is required, e.g. vi or vi,tyz"))
        }
        for raw in languageValues {
            switch languages.resolve(raw) {
            case .success(let resolved):
                if !tags.contains(resolved.tag) { tags.append(resolved.tag) }
                if let warning = resolved.warning { warnings.append(warning) }
            case .failure(let problem):
                problems.append(problem)
            }
        }

        var unit: UnitCode?
        if let raw = Self.cleanText(input.unit) {
            switch UnitCode.parse(raw) {
            case .success(let code): unit = code
            case .failure(let problem): problems.append(problem)
            }
        } else {
            problems.append(Problem(code: "missing_unit", field: "unit", value: "",
                                    expected: "the code of the unit that made the product is required, e.g. 00004"))
        }

        func date(_ raw: String?, field: String) -> CalendarDate? {
            guard let text = Self.cleanText(raw) else { return nil }
            switch CalendarDate.parse(text) {
            case .success(let d): return d
            case .failure(var problem):
                problem.field = field
                problems.append(problem)
                return nil
            }
        }
        let produced = date(input.produced, field: "produced")
        let published = date(input.published, field: "published")
        if let p = produced, let q = published, q < p {
            warnings.append("published date \(q) is before the production date \(p)")
        }

        var channels: [Channel] = []
        for raw in Self.splitList(input.channels) {
            if let channel = Channel.parse(raw) {
                if !channels.contains(channel) { channels.append(channel) }
            } else {
                problems.append(Problem(code: "unknown_channel", field: "channel", value: raw, expected: "one of \(Channel.expectedList)"))
            }
        }

        var topics: [String] = []
        for raw in Self.splitList(input.topics, separators: ["|"]) {
            let topic = Topics.canonical(raw)
            if !topics.contains(topic) { topics.append(topic) }
        }

        var access = AccessLevel.public
        if let raw = Self.cleanText(input.access) {
            if let level = AccessLevel.parse(raw) { access = level } else {
                problems.append(Problem(code: "unknown_access", field: "access", value: raw, expected: "one of public, internal, restricted"))
            }
        }

        guard problems.isEmpty, let title, let kind, let unit else { return .failure(ValidationFailure(problems)) }
        let metadata = ProductMetadata(
            title: title, kind: kind, languages: tags, unit: unit, produced: produced, published: published,
            channels: channels, topics: topics, campaign: Self.cleanText(input.campaign),
            description: Self.cleanText(input.description, keepLines: true), creator: Self.cleanText(input.creator),
            access: access)
        return .success(Validated(value: metadata, warnings: warnings))
    }

    /// NFC, trimmed; nil when empty.
    public static func cleanText(_ raw: String?, keepLines: Bool = false) -> String? {
        guard let raw else { return nil }
        var text = VietnameseText.nfc(raw).trimmingWhitespace()
        if !keepLines {
            text = String(text.unicodeScalars.map { $0 == "\t" ? " " : Character($0) })
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

    public static func canonical(_ raw: String) -> String {
        let text = VietnameseText.nfc(raw).trimmingWhitespace()
        if let convention = conventions.first(where: { $0.lowercased() == text.lowercased() }) { return convention }
        return text
    }
}
