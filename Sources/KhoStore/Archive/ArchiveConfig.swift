// An archive's own settings, in ROOT/kho-config.json (optional; defaults from DOMAIN.md):
//
//   { "minorityLanguages": ["tyz", "nut", "hmn", …] }
//
// A province may count other tags as ethnic-minority languages (Khmer and Hoa are minority
// languages at home and foreign ones abroad: the audience decides).
import Foundation
import KhoCore
import KhoPlatform

public struct ArchiveConfig: Sendable, Equatable {
    public var minorityLanguages: Set<String>
    /// True when the archive has its own list.
    public var minorityLanguagesConfigured: Bool
    /// The indicators' targets and which channels count as digital.
    public var targets: Targets
    /// Named campaigns for reports, the built-in ones first.
    public var campaigns: [Period.Campaign]
    /// Other archives whose bundles may change products of given units ("trustedSources").
    public var trust = BundleTrust()
    /// OAI-PMH: the repository's identifier, name, contact and page size ("oai").
    public var oai = OAISettings()
    /// Where S3 replicas are and the keys to them ("s3"; the environment's variables win).
    public var s3 = S3Settings()

    public static let fileName = "kho-config.json"
    public static let defaults = ArchiveConfig(minorityLanguages: LanguageRegistry.defaultMinorityTags, minorityLanguagesConfigured: false,
                                               targets: .defaults, campaigns: Period.builtInCampaigns)

    public var languageRegistry: LanguageRegistry { LanguageRegistry(minorityTags: minorityLanguages) }

    /// What the stored per-product flags depend on; they are recomputed when it changes.
    var flagsFingerprint: String {
        "minority=" + minorityLanguages.sorted().joined(separator: ",") + ";digital=" + targets.digitalChannels.map(\.rawValue).sorted().joined(separator: ",")
            + ";" + UnitTable.standardFingerprint
    }

    /// The flags a product gets under this configuration.
    func flags(_ m: ProductMetadata) -> ReportFlags {
        flags(languages: m.languages, channels: m.channels, unit: m.unit.value, produced: m.produced, published: m.published)
    }

    func flags(languages: [LanguageTag], channels: [Channel], unit: String, produced: CalendarDate?, published: CalendarDate?) -> ReportFlags {
        let registry = languageRegistry
        let groups = languages.map { registry.group(of: $0) }
        let table = UnitTable.standard
        let era = table.era(ofProductUnit: unit, produced: produced, published: published)
        return ReportFlags(digital: targets.isDigital(channels), minority: groups.contains(.minority), foreign: groups.contains(.foreign),
                           unitEra: era == .before2025 ? 0 : 1, provinceNow: table.provinceToday(EraCode(unit, era))?.code ?? "")
    }

    /// Reads the file if there is one; a malformed one is an error naming what is wrong.
    static func load(root: HostPath) throws(KhoError) -> ArchiveConfig {
        let path = root.appending(fileName).description
        guard let data = FileManager.default.contents(atPath: path) else { return .defaults }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KhoError(.invalidConfig, "\(path) is not a JSON object; fix it or remove it to use the defaults")
        }
        var config = ArchiveConfig.defaults
        let known: Set<String> = ["minorityLanguages", "targets", "campaigns", "trustedSources", "oai", "s3"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw KhoError(.invalidConfig, "\(path): unknown setting '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let list = object["minorityLanguages"] {
            guard let tags = list as? [String] else {
                throw KhoError(.invalidConfig, "\(path): minorityLanguages must be a list of language tags, like [\"tyz\", \"hmn\"]")
            }
            var parsed: Set<String> = []
            for text in tags {
                guard case .success(let tag) = LanguageTag.parse(text), case .success = SubtagRegistry.standard.check(tag) else {
                    throw KhoError(.invalidConfig, "\(path): minorityLanguages has '\(text)', which is not a registered language tag")
                }
                parsed.insert(tag.language)
            }
            config.minorityLanguages = parsed
            config.minorityLanguagesConfigured = true
        }
        if let targets = object["targets"] { config.targets = try parseTargets(targets, path: path) }
        if let sources = object["trustedSources"] {
            guard let table = sources as? [String: [String]] else {
                throw KhoError(.invalidConfig, "\(path): trustedSources must map an archive ID to the unit codes it is authoritative for, like {\"3f2a…\": [\"62\"]}")
            }
            for code in table.values.joined() where (try? UnitCode.parse(code).get()) == nil {
                throw KhoError(.invalidConfig, "\(path): trustedSources names '\(code)', which is not a unit code")
            }
            config.trust = BundleTrust(authoritative: table.mapValues(Set.init))
        }
        if let oai = object["oai"] { config.oai = try OAISettings.parse(oai, path: path) }
        if let s3 = object["s3"] { config.s3 = try S3Settings.parse(s3, path: path) }
        if let campaigns = object["campaigns"] {
            // An archive's campaign replaces a built-in one of the same key.
            let own = try parseCampaigns(campaigns, path: path)
            config.campaigns = config.campaigns.filter { c in !own.contains { $0.key == c.key } } + own
        }
        return config
    }

    /// `"targets": {"digitized": {"min": 1}, "digitalPlatform": {"min": 0.2, "max": 0.3, "channels": [...]}, "diversified": {...}}`
    static func parseTargets(_ value: Any, path: String) throws(KhoError) -> Targets {
        func bad(_ what: String) -> KhoError { KhoError(.invalidConfig, "\(path): targets: \(what)") }
        guard let object = value as? [String: Any] else { throw bad("must be an object with digitized, digitalPlatform, diversified") }
        var targets = Targets.defaults
        for key in object.keys where !["digitized", "digitalPlatform", "diversified"].contains(key) {
            throw bad("unknown indicator '\(key)' (known: digitized, digitalPlatform, diversified)")
        }
        func band(_ key: String, _ current: TargetBand) throws(KhoError) -> TargetBand {
            guard let entry = object[key] else { return current }
            guard let o = entry as? [String: Any] else { throw bad("\(key) must be an object like {\"min\": 0.15, \"max\": 0.2}") }
            let min = (o["min"] as? NSNumber)?.doubleValue ?? (o["target"] as? NSNumber)?.doubleValue ?? current.min
            let max = (o["max"] as? NSNumber)?.doubleValue ?? (o["target"] as? NSNumber)?.doubleValue ?? Swift.max(min, current.max)
            guard (0...1).contains(min), (0...1).contains(max), min <= max else {
                throw bad("\(key): min and max are shares between 0 and 1 (15% is 0.15), min not above max")
            }
            return TargetBand(min: min, max: max)
        }
        targets.digitized = try band("digitized", targets.digitized)
        targets.digitalPlatform = try band("digitalPlatform", targets.digitalPlatform)
        targets.diversified = try band("diversified", targets.diversified)
        if let list = (object["digitalPlatform"] as? [String: Any])?["channels"] {
            guard let names = list as? [String] else { throw bad("digitalPlatform.channels must be a list of channel keys") }
            var channels: Set<Channel> = []
            for name in names {
                guard let channel = Channel.parse(name) else { throw bad("digitalPlatform.channels: '\(name)' is not a channel (known: \(Channel.expectedList))") }
                channels.insert(channel)
            }
            targets.digitalChannels = channels
        }
        targets.source = "\(ArchiveConfig.fileName) of this archive"
        return targets
    }

    /// `"campaigns": {"nhan-quyen-2025": {"name": "…", "from": "2025-11-30", "to": "2025-12-31"}}`
    static func parseCampaigns(_ value: Any, path: String) throws(KhoError) -> [Period.Campaign] {
        guard let object = value as? [String: Any] else {
            throw KhoError(.invalidConfig, "\(path): campaigns must be an object of named campaigns with from and to dates")
        }
        var out: [Period.Campaign] = []
        for (key, entry) in object.sorted(by: { $0.key < $1.key }) {
            guard let o = entry as? [String: Any], let fromText = o["from"] as? String, let toText = o["to"] as? String,
                  case .success(let from) = CalendarDate.parse(fromText), case .success(let to) = CalendarDate.parse(toText), from <= to else {
                throw KhoError(.invalidConfig, "\(path): campaign '\(key)' needs \"from\" and \"to\" dates (YYYY-MM-DD, from not after to)")
            }
            out.append(Period.Campaign(key: key, name: o["name"] as? String ?? key, from: from, to: to))
        }
        return out
    }
}

/// What reports sum, stored with each product: computed from its metadata, the archive's
/// configuration and the unit tables.
struct ReportFlags: Sendable, Equatable {
    var digital: Bool
    var minority: Bool
    var foreign: Bool
    /// 0: the unit code is from the table before 1 July 2025; 1: from the table after.
    var unitEra: Int64
    /// Today's province the unit is part of; '' if the code is in neither table.
    var provinceNow: String
}
