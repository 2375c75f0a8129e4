import ArgumentParser
import KhoCore
import KhoStore

struct LanguagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "languages",
        abstract: "The languages Kho knows by name, and which count as ethnic-minority languages.",
        discussion: """
            Any tag registered in the IANA Language Subtag Registry is accepted; the table lists the \
            languages of Vietnam known by name. The minority list comes from DOMAIN.md unless the \
            archive's kho-config.json sets "minorityLanguages". --search looks through the whole registry.
            """)

    @Option(name: .long, help: "Find languages whose name or tag contains this (diacritics optional).")
    var search: String?

    @OptionGroup var options: ArchiveOptions

    struct Entry: Encodable { var tag: String; var name: String; var english: String; var group: String }

    func run() throws {
        Console.jsonMode = options.json
        let archive = try options.openArchive()
        defer { archive.close() }
        let registry = archive.registry
        var entries: [Entry] = []
        if let search {
            let key = LanguageRegistryKey.fold(search)
            for entry in registry.known where LanguageRegistryKey.fold(entry.english + " " + entry.vietnamese + " " + entry.tag + " " + entry.aliases.joined(separator: " ")).contains(key) {
                entries.append(Entry(tag: entry.tag, name: entry.vietnamese, english: entry.english, group: group(entry.tag, registry)))
            }
            for (subtag, info) in registry.subtags.languages.sorted(by: { $0.key < $1.key })
            where !entries.contains(where: { $0.tag == subtag }) && (subtag == key || LanguageRegistryKey.fold(info.description).contains(key)) {
                entries.append(Entry(tag: subtag, name: "", english: info.description, group: group(subtag, registry)))
            }
        } else {
            entries = registry.known.map { Entry(tag: $0.tag, name: $0.vietnamese, english: $0.english, group: group($0.tag, registry)) }
            for tag in registry.minorityTags.sorted() where !entries.contains(where: { $0.tag == tag }) {
                entries.append(Entry(tag: tag, name: "", english: registry.subtags.languageName(tag) ?? "", group: "minority"))
            }
        }
        if options.json {
            Console.json(entries)
            return
        }
        for e in entries {
            Console.out("\(e.tag.padding(10))\(e.group.padding(10))\(e.name.isEmpty ? e.english : "\(e.name) (\(e.english))")")
        }
        Console.out(search == nil
            ? "\(entries.count) languages known by name; minority list: \(archive.config.minorityLanguagesConfigured ? "from \(ArchiveConfig.fileName)" : "the default of DOMAIN.md") (\(registry.minorityTags.count) tags). Any registered BCP 47 tag is accepted (IANA registry of \(SubtagRegistry.fileDate))."
            : "\(entries.count) match(es)")
    }

    func group(_ tag: String, _ registry: LanguageRegistry) -> String {
        guard case .success(let parsed) = LanguageTag.parse(tag) else { return "" }
        return registry.group(of: parsed).rawValue
    }
}

enum LanguageRegistryKey {
    static func fold(_ s: String) -> String { VietnameseText.foldedWords(s).joined(separator: " ") }
}
