// The append-only event log, in the spirit of PREMIS: what happened to which
// object, when, by which agent, with what outcome.

public enum EventType: String, Sendable, Codable, CaseIterable {
    /// A born-digital product and its files entered the archive (PREMIS: ingestion).
    case ingestion
    /// A physical product was registered, no file yet (PREMIS: accession).
    case registration
    /// Files were attached to an existing product (PREMIS: capture / ingestion).
    case attach
    /// Descriptive metadata changed (PREMIS: metadata modification).
    case metadataModification = "metadata_modification"
    /// Stored bytes were re-hashed against their recorded digest (PREMIS: fixity check).
    case fixityCheck = "fixity_check"
    /// The product arrived in a bundle from another archive (PREMIS: ingestion of a transfer).
    case bundleImport = "bundle_import"
    /// Stored bytes that were missing or damaged were replaced by good ones (PREMIS: recovery).
    case repair
    /// The product was withdrawn from circulation: it stays in the archive, leaves listings,
    /// exports and harvesting (PREMIS: deaccession, without removal).
    case withdrawal
    /// Copies of the archive's bytes and catalog were brought up to date in a replica
    /// (PREMIS: replication).
    case replication
    /// A web app user was added, disabled, enabled, or given a new password.
    case userAdministration = "user_administration"
}

public enum EventOutcome: String, Sendable, Codable {
    case success, failure, warning
}

public struct PreservationEvent: Sendable, Equatable, Codable {
    public var id: Int64?
    public var at: Timestamp
    public var type: EventType
    /// `product:7K3Q-…`, `file:7K3Q-…/2`, `blob:sha256:…` or `archive`.
    public var object: String
    public var productID: ProductID?
    public var agent: String
    public var outcome: EventOutcome
    public var detail: String?
    /// For an event of another archive's history, copied from its bundle: that archive. nil:
    /// the event happened here.
    public var importedFrom: String?

    public init(id: Int64? = nil, at: Timestamp, type: EventType, object: String, productID: ProductID?,
                agent: String, outcome: EventOutcome, detail: String?, importedFrom: String? = nil) {
        self.importedFrom = importedFrom
        self.id = id
        self.at = at
        self.type = type
        self.object = object
        self.productID = productID
        self.agent = agent
        self.outcome = outcome
        self.detail = detail
    }
}
