import ArgumentParser
import KhoCore
import KhoStore

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
        let parsed = try parseOption(code, option: "code", UnitCode.parse)!
        let table = UnitTable.standard
        let units = table.units(parsed.value)
        guard !units.isEmpty else {
            throw KhoError("unknown_unit", "no unit has code \(parsed.value) in the national tables; search by name with: kho units search NAME")
        }
        if json {
            Console.json(units.map { UnitDocument($0, table: table) })
            return
        }
        var lines: [String] = []
        for unit in units {
            lines.append("\(unit.code)  \(unit.fullName) — \(unit.level.rawValue), \(unit.validity)")
            let parents = table.ancestors(of: unit)
            if !parents.isEmpty { lines.append("       in " + parents.map { "\($0.code) \($0.fullName)" }.joined(separator: " › ")) }
            let successors = table.successors(of: unit)
            if !successors.isEmpty {
                let divided = unit.level == .commune && successors.count > 1 ? " (divided; the first is where its products are counted)" : ""
                lines.append("       since 1 July 2025 part of " + successors.map { "\($0.code) \($0.fullName)" }.joined(separator: ", ") + divided)
            }
            let predecessors = table.predecessors(of: unit)
            if !predecessors.isEmpty {
                let shown = predecessors.prefix(12).map { "\($0.code) \($0.fullName)" }.joined(separator: ", ")
                lines.append("       formed from " + shown + (predecessors.count > 12 ? " and \(predecessors.count - 12) more" : ""))
            }
            let children = table.children(of: unit)
            if !children.isEmpty { lines.append("       \(children.count) unit(s) under it") }
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
        let table = UnitTable.standard
        let hits = table.search(text.joined(separator: " "), limit: max(1, limit))
        if json {
            Console.json(hits.map { UnitDocument($0, table: table) })
            return
        }
        if hits.isEmpty {
            Console.out("no unit matches '\(text.joined(separator: " "))'")
            return
        }
        for unit in hits {
            let parents = table.ancestors(of: unit).map(\.fullName).joined(separator: ", ")
            Console.out("\(unit.code.padding(6))\(unit.fullName)\(parents.isEmpty ? "" : ", \(parents)") — \(unit.level.rawValue), \(unit.validity)")
        }
        if hits.count == limit { Console.out("(first \(limit); use --limit or more words)") }
    }
}

struct UnitDocument: Encodable {
    struct Ref: Encodable { var code: String; var name: String; var level: String }
    var code: String
    var type: String
    var name: String
    var fullName: String
    var level: String
    var era: String
    var validFrom: String?
    var validUntil: String?
    var parents: [Ref]
    var successors: [Ref]
    var predecessors: [Ref]

    init(_ unit: AdminUnit, table: UnitTable) {
        func ref(_ u: AdminUnit) -> Ref { Ref(code: u.code, name: u.fullName, level: u.level.rawValue) }
        code = unit.code
        type = unit.type
        name = unit.name
        fullName = unit.fullName
        level = unit.level.rawValue
        era = unit.era.rawValue
        validFrom = unit.era == .from2025 ? "2025-07-01" : nil
        validUntil = unit.era == .before2025 ? "2025-06-30" : nil
        parents = table.ancestors(of: unit).map(ref)
        successors = table.successors(of: unit).map(ref)
        predecessors = table.predecessors(of: unit).map(ref)
    }

    enum Key: String, CodingKey { case code, type, name, fullName, level, era, validFrom, validUntil, parents, successors, predecessors }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(code, forKey: .code); try c.encode(type, forKey: .type); try c.encode(name, forKey: .name)
        try c.encode(fullName, forKey: .fullName); try c.encode(level, forKey: .level); try c.encode(era, forKey: .era)
        try c.encode(validFrom, forKey: .validFrom); try c.encode(validUntil, forKey: .validUntil)
        try c.encode(parents, forKey: .parents); try c.encode(successors, forKey: .successors); try c.encode(predecessors, forKey: .predecessors)
    }
}
