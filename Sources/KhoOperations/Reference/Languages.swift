// The languages Kho knows by name, and which count as national, minority or foreign under the
// archive's configuration; or a search through the whole IANA registry.
import KhoCore
import KhoStore

/// `kho languages [--search TEXT]`.
public struct ListLanguages: ArchiveOperation {
    /// nil: the languages known by name (and the minority list).
    public var search: String?

    public init(search: String? = nil) { self.search = search }

    public func run(in session: Session) throws(KhoError) -> LanguagesDocument {
        let registry = session.archive.registry
        func group(_ tag: String) -> String {
            guard case .success(let parsed) = LanguageTag.parse(tag) else { return "" }
            return registry.group(of: parsed).rawValue
        }
        var entries: [LanguagesDocument.Entry] = []
        if let search {
            let key = Self.fold(search)
            for entry in registry.known where Self.fold(entry.english + " " + entry.vietnamese + " " + entry.tag + " " + entry.aliases.joined(separator: " ")).contains(key) {
                entries.append(.init(tag: entry.tag, name: entry.vietnamese, english: entry.english, group: group(entry.tag)))
            }
            for (subtag, info) in registry.subtags.languages.sorted(by: { $0.key < $1.key })
            where !entries.contains(where: { $0.tag == subtag }) && (subtag == key || Self.fold(info.description).contains(key)) {
                entries.append(.init(tag: subtag, name: "", english: info.description, group: group(subtag)))
            }
        } else {
            entries = registry.known.map { .init(tag: $0.tag, name: $0.vietnamese, english: $0.english, group: group($0.tag)) }
            for tag in registry.minorityTags.sorted() where !entries.contains(where: { $0.tag == tag }) {
                entries.append(.init(tag: tag, name: "", english: registry.subtags.languageName(tag) ?? "", group: "minority"))
            }
        }
        return LanguagesDocument(entries: entries, minorityListFromConfig: session.archive.config.minorityLanguagesConfigured,
                                 minorityTags: registry.minorityTags.count, registryDate: SubtagRegistry.fileDate)
    }

    static func fold(_ s: String) -> String { VietnameseText.foldedWords(s).joined(separator: " ") }
}

public struct LanguagesDocument: Codable, Sendable {
    public struct Entry: Codable, Sendable { public var tag: String; public var name: String; public var english: String; public var group: String }
    public var entries: [Entry]
    /// The minority list comes from the archive's kho-config.json (else DOMAIN.md's default).
    public var minorityListFromConfig: Bool
    public var minorityTags: Int
    /// The File-Date of the IANA registry Kho carries.
    public var registryDate: String
}
