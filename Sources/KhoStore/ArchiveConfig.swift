// An archive's own settings, in ROOT/kho-config.json (optional; defaults from DOMAIN.md):
//
//   { "minorityLanguages": ["tyz", "nut", "hmn", …] }
//
// A province may count other tags as ethnic-minority languages (Khmer and Hoa are minority
// languages at home and foreign ones abroad: the audience decides).
import Foundation
import KhoCore

public struct ArchiveConfig: Sendable, Equatable {
    public var minorityLanguages: Set<String>
    /// True when the archive has its own list.
    public var minorityLanguagesConfigured: Bool

    public static let fileName = "kho-config.json"
    public static let defaults = ArchiveConfig(minorityLanguages: LanguageRegistry.defaultMinorityTags, minorityLanguagesConfigured: false)

    public var languageRegistry: LanguageRegistry { LanguageRegistry(minorityTags: minorityLanguages) }

    /// Reads the file if there is one; a malformed one is an error naming what is wrong.
    static func load(root: HostPath) throws(KhoError) -> ArchiveConfig {
        let path = root.appending(fileName).description
        guard let data = FileManager.default.contents(atPath: path) else { return .defaults }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KhoError("invalid_config", "\(path) is not a JSON object; fix it or remove it to use the defaults")
        }
        var config = ArchiveConfig.defaults
        let known: Set<String> = ["minorityLanguages", "targets"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw KhoError("invalid_config", "\(path): unknown setting '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let list = object["minorityLanguages"] {
            guard let tags = list as? [String] else {
                throw KhoError("invalid_config", "\(path): minorityLanguages must be a list of language tags, like [\"tyz\", \"hmn\"]")
            }
            var parsed: Set<String> = []
            for text in tags {
                guard case .success(let tag) = LanguageTag.parse(text), case .success = SubtagRegistry.standard.check(tag) else {
                    throw KhoError("invalid_config", "\(path): minorityLanguages has '\(text)', which is not a registered language tag")
                }
                parsed.insert(tag.language)
            }
            config.minorityLanguages = parsed
            config.minorityLanguagesConfigured = true
        }
        return config
    }
}
