// The targets and definitions reports use, in the shape of kho-config.json, so an office can
// save them beside the catalog and set its own plan.
import KhoCore
import KhoStore

/// `kho targets`.
public struct ShowTargets: ArchiveOperation {
    public init() {}

    public func run(in session: Session) throws(KhoError) -> TargetsDocument {
        let config = session.archive.config
        let targets = config.targets
        func band(_ b: TargetBand) -> TargetsDocument.Band { .init(min: b.min, max: b.max) }
        var digital = band(targets.digitalPlatform)
        digital.channels = targets.digitalChannels.map(\.rawValue).sorted()
        let own = config.campaigns.filter { c in !Period.builtInCampaigns.contains(c) }
        return TargetsDocument(
            config: .init(targets: .init(digitized: band(targets.digitized), digitalPlatform: digital, diversified: band(targets.diversified)),
                          minorityLanguages: config.minorityLanguages.sorted(),
                          campaigns: Dictionary(uniqueKeysWithValues: own.map { ($0.key, CampaignDocument($0)) })),
            source: targets.source,
            allCampaigns: config.campaigns.map { CampaignEntry(key: $0.key, campaign: CampaignDocument($0)) })
    }
}

public struct TargetsDocument: Codable, Sendable {
    /// Exactly the shape of kho-config.json (what `kho targets --json` prints).
    public struct Config: Codable, Sendable {
        public struct Indicators: Codable, Sendable {
            public var digitized: Band
            public var digitalPlatform: Band
            public var diversified: Band
        }
        public var targets: Indicators
        public var minorityLanguages: [String]
        /// The archive's own campaigns (built-in ones are not repeated).
        public var campaigns: [String: CampaignDocument]
    }
    public struct Band: Codable, Sendable {
        public var min: Double
        public var max: Double
        /// The channels that count as digital (digitalPlatform only).
        public var channels: [String]?

        public init(min: Double, max: Double, channels: [String]? = nil) {
            self.min = min
            self.max = max
            self.channels = channels
        }
    }
    public var config: Config
    /// Where the numbers came from: the scheme's defaults or this archive's kho-config.json.
    public var source: String
    /// Every campaign `--period` knows, built-in ones first.
    public var allCampaigns: [CampaignEntry]
}

public struct CampaignDocument: Codable, Sendable {
    public var name: String
    public var from: String
    public var to: String

    init(_ c: Period.Campaign) {
        name = c.name
        from = c.from.description
        to = c.to.description
    }
}

public struct CampaignEntry: Codable, Sendable {
    public var key: String
    public var campaign: CampaignDocument
}
