// units and languages: parse, call the operation, print.
import ArgumentParser
import KhoCore
import KhoOperations

struct UnitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "Find administrative unit codes, before and after 1 July 2025.",
        discussion: """
            Kho knows the national code tables: 63 provinces, their districts and communes until \
            30 June 2025, and 34 provinces with 3,321 communes from 1 July 2025, with what each old \
            unit became. A product keeps the code that was valid when it was made.
            """,
        subcommands: [UnitsShow.self, UnitsSearch.self])
}

struct UnitsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Everything a code has named: name, dates, parents, successors or predecessors.")

    @Argument(help: "A unit code: 2 digits (province), 3 (district, before 2025) or 5 (commune).")
    var code: String

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        Console.jsonMode = json
        let units = try ShowUnit(code: try parseOption(code, option: "code", UnitCode.parse)!).run()
        if json {
            Console.json(units)
            return
        }
        var lines: [String] = []
        func refs(_ list: [UnitDocument.Ref]) -> [String] { list.map { "\($0.code) \($0.name)" } }
        for unit in units {
            lines.append("\(unit.code)  \(unit.fullName) — \(unit.level), \(validity(unit))")
            if !unit.parents.isEmpty { lines.append("       in " + refs(unit.parents).joined(separator: " › ")) }
            if !unit.successors.isEmpty {
                let divided = unit.level == "commune" && unit.successors.count > 1 ? " (divided; the first is where its products are counted)" : ""
                lines.append("       since 1 July 2025 part of " + refs(unit.successors).joined(separator: ", ") + divided)
            }
            if !unit.predecessors.isEmpty {
                let shown = refs(Array(unit.predecessors.prefix(12))).joined(separator: ", ")
                lines.append("       formed from " + shown + (unit.predecessors.count > 12 ? " and \(unit.predecessors.count - 12) more" : ""))
            }
            if unit.children > 0 { lines.append("       \(unit.children) unit(s) under it") }
        }
        Console.out(lines.joined(separator: "\n"))
    }
}

struct UnitsSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find units by name (diacritics optional) or by the start of a code.")

    @Argument(help: "Words of the name, e.g. \"truc bach\" or \"Ba Đình\", or a code prefix.")
    var text: [String]

    @Option(name: .long, help: "At most this many results.")
    var limit: Int = 50

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        Console.jsonMode = json
        let hits = try SearchUnits(text: text.joined(separator: " "), limit: limit).run()
        if json {
            Console.json(hits)
            return
        }
        if hits.isEmpty {
            Console.out("no unit matches '\(text.joined(separator: " "))'")
            return
        }
        for unit in hits {
            let parents = unit.parents.map(\.name).joined(separator: ", ")
            Console.out("\(unit.code.padding(6))\(unit.fullName)\(parents.isEmpty ? "" : ", \(parents)") — \(unit.level), \(validity(unit))")
        }
        if hits.count == limit { Console.out("(first \(limit); use --limit or more words)") }
    }
}

/// "until 30 June 2025" or "from 1 July 2025".
private func validity(_ unit: UnitDocument) -> String {
    AdminUnit.Era(rawValue: unit.era)?.validity ?? ""
}

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

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let result = try ListLanguages(search: search).run(in: session)
        if options.json {
            Console.json(result.entries)
            return
        }
        for e in result.entries {
            Console.out("\(e.tag.padding(10))\(e.group.padding(10))\(e.name.isEmpty ? e.english : "\(e.name) (\(e.english))")")
        }
        Console.out(search == nil
            ? "\(result.entries.count) languages known by name; minority list: \(result.minorityListFromConfig ? "from kho-config.json" : "the default of DOMAIN.md") (\(result.minorityTags) tags). Any registered BCP 47 tag is accepted (IANA registry of \(result.registryDate))."
            : "\(result.entries.count) match(es)")
    }
}
