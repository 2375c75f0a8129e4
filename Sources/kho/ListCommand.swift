import ArgumentParser
import KhoCore
import KhoStore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List products, oldest first by reference date (publication, else production), then title.",
        discussion: "Filters combine. --from and --to are inclusive and apply to the reference date.")

    @Option(name: .long, help: "Only this kind.") var kind: String?
    @Option(name: .long, help: "Only this unit code.") var unit: String?
    @Option(name: [.customLong("lang")], help: "Only products in this language (blt also finds blt-Tavt).") var language: String?
    @Option(name: .long, help: "Only products published on this channel.") var channel: String?
    @Option(name: .long, help: "yes: only digitized products; no: only those still waiting.") var digitized: String?
    @Option(name: .long, help: ArgumentHelp("From this date.", valueName: "YYYY-MM-DD")) var from: String?
    @Option(name: .long, help: ArgumentHelp("Up to this date.", valueName: "YYYY-MM-DD")) var to: String?
    @Option(name: .long, help: "At most this many rows (0: all). Default: 200 in a table, all with --json.") var limit: Int?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        var filter = try Self.filter(kind: kind, unit: unit, language: language, channel: channel, digitized: digitized,
                                     from: from, to: to)
        let effectiveLimit = limit ?? (options.json ? 0 : 200)
        filter.limit = effectiveLimit > 0 ? effectiveLimit : nil
        let archive = try options.openArchive()
        defer { archive.close() }
        let (products, total) = try archive.list(filter)
        if options.json {
            Console.json(products.map { ProductDocument(product: $0, registry: archive.registry) })
            return
        }
        if products.isEmpty {
            Console.out(total == 0 ? "no products" : "no products in this range")
            return
        }
        Console.out(ProductText.table(products, width: Console.tableWidth))
        Console.out(products.count < total
            ? "\(products.count) of \(total) products shown (use --limit 0 for all)"
            : "\(total) product\(total == 1 ? "" : "s")")
    }

    static func filter(kind: String?, unit: String?, language: String?, channel: String?, digitized: String?,
                       from: String?, to: String?) throws(KhoError) -> ProductFilter {
        var filter = ProductFilter()
        filter.kind = try parseOption(kind, option: "--kind") { t in
            ProductKind.parse(t).map { .success($0) } ?? .failure(Problem(code: "unknown_kind", field: "kind", value: t, expected: "one of \(ProductKind.expectedList)"))
        }
        filter.unit = try parseOption(unit, option: "--unit", UnitCode.parse)
        filter.language = try parseOption(language, option: "--lang") { t in
            LanguageRegistry.standard.resolve(t).map(\.tag)
        }
        filter.channel = try parseOption(channel, option: "--channel") { t in
            Channel.parse(t).map { .success($0) } ?? .failure(Problem(code: "unknown_channel", field: "channel", value: t, expected: "one of \(Channel.expectedList)"))
        }
        filter.digitized = try parseOption(digitized, option: "--digitized") { t in
            switch t.lowercased() {
            case "yes", "y", "true", "1", "có": .success(true)
            case "no", "n", "false", "0", "không": .success(false)
            default: .failure(Problem(code: "invalid_choice", field: "digitized", value: t, expected: "yes or no"))
            }
        }
        filter.from = try parseOption(from, option: "--from", CalendarDate.parse)
        filter.to = try parseOption(to, option: "--to", CalendarDate.parse)
        if let f = filter.from, let t = filter.to, t < f {
            throw KhoError("invalid_range", "--from \(f) is after --to \(t)")
        }
        return filter
    }
}
