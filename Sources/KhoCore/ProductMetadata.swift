// A product's descriptive metadata, validated, in NFC.

public struct ProductMetadata: Sendable, Equatable, Codable {
    public var title: String
    public var kind: ProductKind
    public var languages: [LanguageTag]
    public var unit: UnitCode
    public var produced: CalendarDate?
    public var published: CalendarDate?
    public var channels: [Channel]
    public var topics: [String]
    public var campaign: String?
    public var description: String?
    public var creator: String?
    public var access: AccessLevel

    public init(title: String, kind: ProductKind, languages: [LanguageTag], unit: UnitCode,
                produced: CalendarDate? = nil, published: CalendarDate? = nil, channels: [Channel] = [],
                topics: [String] = [], campaign: String? = nil, description: String? = nil,
                creator: String? = nil, access: AccessLevel = .public) {
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

    /// The date a product counts under in reports: first publication, else production.
    public var referenceDate: CalendarDate? { published ?? produced }

    public var isOnDigitalPlatform: Bool { channels.contains(where: \.isDigital) }

    /// Words search should find this product by (folded: no diacritics, lower case).
    public var searchKeywords: String {
        (topics + [campaign, creator].compactMap { $0 }).joined(separator: " ")
    }
}

/// How a product became digital: born digital, or on a physical carrier, digitized or not yet.
public struct Digitization: Sendable, Equatable, Codable {
    public var origin: Origin
    public var carrier: Carrier?
    public var digitizedOn: CalendarDate?
    public var method: DigitizationMethod?

    public init(origin: Origin, carrier: Carrier? = nil, digitizedOn: CalendarDate? = nil, method: DigitizationMethod? = nil) {
        self.origin = origin
        self.carrier = carrier
        self.digitizedOn = digitizedOn
        self.method = method
    }

    public static let bornDigital = Digitization(origin: .bornDigital)
}
