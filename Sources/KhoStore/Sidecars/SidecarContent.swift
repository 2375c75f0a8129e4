// What a product's sidecar holds: everything the catalog knows of the product (its document
// with its events, as a bundle's metadata.json carries it, plus the catalog's own facts: row
// key, home archive, who was ever shown it, withdrawal, source links), so that a lost catalog
// can be rebuilt from the sidecars and the blobs alone. The bytes' shape belongs to the layer
// that owns the documents (KhoOperations): the store only keeps, renews and reads them.
import KhoCore

public struct SidecarContent: Sendable, Equatable {
    public struct SourceLink: Sendable, Equatable {
        public var unit: String
        public var sourceID: String
        public init(unit: String, sourceID: String) {
            self.unit = unit
            self.sourceID = sourceID
        }
    }

    /// The product's row key in the catalog (kept so a rebuilt catalog lists ties in the same order).
    public var key: Int64
    public var product: Product
    /// Its events, oldest first, with their numbers in the catalog.
    public var events: [PreservationEvent]
    /// Who was ever allowed to read it (bits: 1 anyone, 2 exporters; harvesting's deleted records).
    public var shown: Int
    public var withdrawn: Bool
    public var sources: [SourceLink]
    /// The archive whose sidecar it is (set when read back; written from the archive's marker).
    public var archiveID = ""

    public init(key: Int64, product: Product, events: [PreservationEvent], shown: Int, withdrawn: Bool, sources: [SourceLink]) {
        self.key = key
        self.product = product
        self.events = events
        self.shown = shown
        self.withdrawn = withdrawn
        self.sources = sources
    }

}

/// Writes and reads sidecars' bytes.
public protocol SidecarFormat: Sendable {
    func encode(_ content: SidecarContent, archiveID: String) -> [UInt8]
    /// The content, or why these bytes are not a sidecar.
    func decode(_ bytes: [UInt8]) -> Result<SidecarContent, SidecarProblem>
    /// Only what chooses between two sidecars of a product (read for every sidecar before the
    /// chosen ones are decoded whole).
    func peek(_ bytes: [UInt8]) -> SidecarPeek?
}

/// The few fields a rebuild's first pass reads of each sidecar.
public struct SidecarPeek: Sendable {
    public var archiveID: String
    public var productID: String
    public var key: Int64
    public var updatedAt: String
    public var events: Int
    public var sources: Int
    public var files: [(sha256: String, size: Int64)]

    public init(archiveID: String, productID: String, key: Int64, updatedAt: String, events: Int, sources: Int, files: [(sha256: String, size: Int64)]) {
        self.archiveID = archiveID
        self.productID = productID
        self.key = key
        self.updatedAt = updatedAt
        self.events = events
        self.sources = sources
        self.files = files
    }
}

public struct SidecarProblem: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
