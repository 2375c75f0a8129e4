// The JSON shape of a product: what `kho show --json` prints and what `ingest`,
// `register` and `attach` return. Keys are stable; absent values are null, not missing.

public struct ProductDocument: Encodable, Sendable {
    public var product: Product
    public var events: [PreservationEvent]?
    public var registry: LanguageRegistry = .standard
    /// Extra top-level fields for command results (`status`, `notices`, `warnings`).
    public var status: String?
    public var notices: [String]?
    public var warnings: [String]?

    public init(product: Product, events: [PreservationEvent]? = nil, status: String? = nil,
                notices: [String]? = nil, warnings: [String]? = nil, registry: LanguageRegistry = .standard) {
        self.product = product
        self.registry = registry
        self.events = events
        self.status = status
        self.notices = notices
        self.warnings = warnings
    }

    enum Key: String, CodingKey {
        case id, title, kind, languages, languageGroups, unit, produced, published, referenceDate, channels, digitalPlatform
        case topics, campaign, description, creator, access, digitized, origin, carrier, digitizedOn, digitizationMethod
        case createdAt, updatedAt, files, events, status, notices, warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        let m = product.metadata
        let d = product.digitization
        try c.encode(product.id.description, forKey: .id)
        try c.encode(m.title, forKey: .title)
        try c.encode(m.kind.rawValue, forKey: .kind)
        try c.encode(m.languages.map(\.value), forKey: .languages)
        try c.encode(m.languages.map { registry.group(of: $0).rawValue }, forKey: .languageGroups)
        try c.encode(m.unit.value, forKey: .unit)
        try c.encode(m.produced?.description, forKey: .produced)
        try c.encode(m.published?.description, forKey: .published)
        try c.encode(m.referenceDate?.description, forKey: .referenceDate)
        try c.encode(m.channels.map(\.rawValue), forKey: .channels)
        try c.encode(m.isOnDigitalPlatform, forKey: .digitalPlatform)
        try c.encode(m.topics, forKey: .topics)
        try c.encode(m.campaign, forKey: .campaign)
        try c.encode(m.description, forKey: .description)
        try c.encode(m.creator, forKey: .creator)
        try c.encode(m.access.rawValue, forKey: .access)
        try c.encode(product.isDigitized, forKey: .digitized)
        try c.encode(d.origin.rawValue, forKey: .origin)
        try c.encode(d.carrier?.rawValue, forKey: .carrier)
        try c.encode(d.digitizedOn?.description, forKey: .digitizedOn)
        try c.encode(d.method?.rawValue, forKey: .digitizationMethod)
        try c.encode(product.createdAt, forKey: .createdAt)
        try c.encode(product.updatedAt, forKey: .updatedAt)
        try c.encode(product.files.map(FileDocument.init), forKey: .files)
        if let events { try c.encode(events.map(EventDocument.init), forKey: .events) }
        if let status { try c.encode(status, forKey: .status) }
        if let notices { try c.encode(notices, forKey: .notices) }
        if let warnings { try c.encode(warnings, forKey: .warnings) }
    }
}

public struct FileDocument: Encodable, Sendable {
    public var n: Int
    public var sha256: String
    public var size: Int64
    public var name: String
    public var originalNameHex: String
    public var nameEncoding: String
    public var role: String
    public var mediaType: String
    public var addedAt: String

    public init(_ f: StoredFile) {
        n = f.n
        sha256 = f.sha256
        size = f.size
        name = f.name.display
        originalNameHex = Hex.lower(f.name.original)
        nameEncoding = f.name.decodedAs
        role = f.role.rawValue
        mediaType = f.mediaType
        addedAt = f.addedAt.iso
    }
}

public struct EventDocument: Encodable, Sendable {
    public var id: Int64?
    public var at: String
    public var type: String
    public var object: String
    public var agent: String
    public var outcome: String
    public var detail: String?

    public init(_ e: PreservationEvent) {
        id = e.id
        at = e.at.iso
        type = e.type.rawValue
        object = e.object
        agent = e.agent
        outcome = e.outcome.rawValue
        detail = e.detail
    }

    enum Key: String, CodingKey { case id, at, type, object, agent, outcome, detail }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(id, forKey: .id)
        try c.encode(at, forKey: .at)
        try c.encode(type, forKey: .type)
        try c.encode(object, forKey: .object)
        try c.encode(agent, forKey: .agent)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(detail, forKey: .detail)
    }
}
