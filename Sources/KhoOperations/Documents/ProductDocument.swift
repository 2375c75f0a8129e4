// The JSON shape of a product: what `kho show --json` prints, what ingest, register, attach
// and edit return, and what a bundle's metadata.json carries. Keys are stable; absent values
// are null, not missing (NullEncoded). Decodable too: a bundle's metadata.json is read back with it.
import KhoCore
import KhoStore

public struct ProductDocument: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var kind: String
    public var languages: [String]
    /// national, minority or foreign, one per language, under the archive's configuration.
    public var languageGroups: [String]
    public var unit: String
    @NullEncoded public var produced: String?
    @NullEncoded public var published: String?
    @NullEncoded public var referenceDate: String?
    public var channels: [String]
    public var digitalPlatform: Bool
    public var topics: [String]
    @NullEncoded public var campaign: String?
    @NullEncoded public var description: String?
    @NullEncoded public var creator: String?
    public var access: String
    public var digitized: Bool
    public var origin: String
    @NullEncoded public var carrier: String?
    @NullEncoded public var digitizedOn: String?
    @NullEncoded public var digitizationMethod: String?
    public var createdAt: String
    public var updatedAt: String
    public var files: [FileDocument]
    /// The event history, oldest first, when asked for (show, export); absent otherwise.
    public var events: [EventDocument]?

    public init(_ product: Product, events: [PreservationEvent]? = nil, registry: LanguageRegistry = .standard) {
        let m = product.metadata
        let d = product.digitization
        id = product.id.description
        title = m.title
        kind = m.kind.rawValue
        languages = m.languages.map(\.value)
        languageGroups = m.languages.map { registry.group(of: $0).rawValue }
        unit = m.unit.value
        produced = m.produced?.description
        published = m.published?.description
        referenceDate = m.referenceDate?.description
        channels = m.channels.map(\.rawValue)
        digitalPlatform = m.isOnDigitalPlatform
        topics = m.topics
        campaign = m.campaign
        description = m.description
        creator = m.creator
        access = m.access.rawValue
        digitized = product.isDigitized
        origin = d.origin.rawValue
        carrier = d.carrier?.rawValue
        digitizedOn = d.digitizedOn?.description
        digitizationMethod = d.method?.rawValue
        createdAt = product.createdAt.iso
        updatedAt = product.updatedAt.iso
        files = product.files.map { FileDocument($0) }
        self.events = events.map { $0.map(EventDocument.init) }
    }
}

public struct FileDocument: Codable, Sendable, Equatable {
    public var n: Int
    public var sha256: String
    public var size: Int64
    public var name: String
    public var originalNameHex: String
    public var nameEncoding: String
    public var role: String
    public var mediaType: String
    public var addedAt: String
    /// The last fixity check of the file's bytes (`kho show` only; never in a bundle, whose
    /// bytes must not change with time).
    public var lastCheck: FixityDocument?

    public init(_ f: StoredFile, lastCheck: FixityDocument? = nil) {
        n = f.n
        sha256 = f.sha256
        size = f.size
        name = f.name.display
        originalNameHex = Hex.lower(f.name.original)
        nameEncoding = f.name.decodedAs
        role = f.role.rawValue
        mediaType = f.mediaType
        addedAt = f.addedAt.iso
        self.lastCheck = lastCheck
    }
}

public struct FixityDocument: Codable, Sendable, Equatable {
    public var at: String
    public var outcome: String
}

public struct EventDocument: Codable, Sendable, Equatable {
    @NullEncoded public var id: Int64?
    public var at: String
    public var type: String
    public var object: String
    public var agent: String
    public var outcome: String
    @NullEncoded public var detail: String?
    /// For another archive's history, copied from its bundle: that archive (absent for an event
    /// that happened in this archive).
    public var importedFrom: String?

    public init(_ e: PreservationEvent) {
        importedFrom = e.importedFrom
        id = e.id
        at = e.at.iso
        type = e.type.rawValue
        object = e.object
        agent = e.agent
        outcome = e.outcome.rawValue
        detail = e.detail
    }
}

/// What ingest, register, attach and edit return: the product as `show` gives it (without
/// events), whether anything was stored, and what the user should know.
public struct PutDocument: Codable, Sendable {
    public var product: ProductDocument
    /// `stored`, or `already_present` when nothing changed.
    public var status: String
    public var notices: [String]
    public var warnings: [String]
    /// Bytes written to the store now (bytes it already held are not counted).
    public var bytesStored: Int64

    public var stored: Bool { status == PutStatus.stored.rawValue }

    enum CodingKeys: String, CodingKey { case status, notices, warnings, bytesStored }

    public init(product: ProductDocument, status: String, notices: [String], warnings: [String], bytesStored: Int64) {
        self.product = product
        self.status = status
        self.notices = notices
        self.warnings = warnings
        self.bytesStored = bytesStored
    }

    /// Encoded flat: the product's fields and these beside them, as `kho ingest --json` prints.
    public func encode(to encoder: any Encoder) throws {
        try product.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(notices, forKey: .notices)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(bytesStored, forKey: .bytesStored)
    }

    public init(from decoder: any Decoder) throws {
        product = try ProductDocument(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(String.self, forKey: .status)
        notices = try c.decode([String].self, forKey: .notices)
        warnings = try c.decode([String].self, forKey: .warnings)
        bytesStored = try c.decode(Int64.self, forKey: .bytesStored)
    }
}
