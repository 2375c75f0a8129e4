// show, list, search, get, duplicates: parse, call the operation, print.
import ArgumentParser
import KhoCore
import KhoOperations
import KhoPlatform

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Everything about one product: metadata, files, fixity and events.")

    @Argument(help: "The product ID (hyphens and case do not matter).")
    var id: String

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        let session = try options.open()
        defer { session.archive.close() }
        let product = try Show(id: productID, withFixity: !options.json).run(in: session)
        if options.json {
            Console.json(product)
        } else {
            Console.out(ProductText.detail(product))
        }
    }
}

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
        var filter = try parsedFilter()
        let effectiveLimit = limit ?? (options.json ? 0 : 200)
        filter.limit = effectiveLimit > 0 ? effectiveLimit : nil
        let operation = ListProducts(filter: filter)
        try operation.check()
        let session = try options.open()
        defer { session.archive.close() }
        let list = try operation.run(in: session)
        if options.json {
            Console.json(list.products)
        } else if list.products.isEmpty {
            Console.out(list.total == 0 ? "no products" : "no products in this range")
        } else {
            Console.out(ProductText.table(list.products, width: Console.tableWidth))
            Console.out(list.products.count < list.total
                ? "\(list.products.count) of \(list.total) products shown (use --limit 0 for all)"
                : "\(list.total) product\(list.total == 1 ? "" : "s")")
        }
    }

    func parsedFilter() throws(KhoError) -> ProductFilter {
        var filter = ProductFilter()
        filter.kind = try parseChoice(kind, option: "--kind", code: .unknownKind, expected: "one of \(ProductKind.expectedList)", ProductKind.parse)
        filter.unit = try parseOption(unit, option: "--unit", UnitCode.parse)
        filter.language = try parseOption(language, option: "--lang") { LanguageRegistry.standard.resolve($0).map(\.tag) }
        filter.channel = try parseChoice(channel, option: "--channel", code: .unknownChannel, expected: "one of \(Channel.expectedList)", Channel.parse)
        filter.digitized = try parseChoice(digitized, option: "--digitized", code: .invalidChoice, expected: "yes or no", YesNo.parse)
        filter.from = try parseOption(from, option: "--from", CalendarDate.parse)
        filter.to = try parseOption(to, option: "--to", CalendarDate.parse)
        return filter
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search over titles, descriptions and keywords, with or without diacritics.",
        discussion: """
            Every word must match; case and diacritics are ignored, đ matches d, and old and new tone \
            placement match alike: "quyen con nguoi" finds "quyền con người", "hoa" finds "hoà" and "hòa". \
            End a word with * to match its beginning: "phat*".
            """)

    @Argument(help: "Words to look for.")
    var query: [String]

    @Option(name: .long, help: "At most this many results (default 50, 0: all).")
    var limit: Int = 50

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let found = try Search(query: query.joined(separator: " "), limit: limit > 0 ? limit : nil).run(in: session).products
        if options.json {
            Console.json(found)
        } else if found.isEmpty {
            Console.out("no products match '\(query.joined(separator: " "))'")
        } else {
            Console.out(ProductText.table(found, width: Console.tableWidth))
            Console.out("\(found.count) match\(found.count == 1 ? "" : "es")")
        }
    }
}

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write a stored file out, bit-exact (to standard output by default).",
        discussion: """
            The bytes are checked against their SHA-256 on the way out; a mismatch is an error (exit 3) \
            and no output file is left behind. With -o DIR the file keeps its original name.
            """)

    @Argument(help: "The product ID.")
    var id: String

    @Option(name: .long, parsing: .unconditional, help: "Which file (as numbered by kho show); default: the first master.")
    var file: Int?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write to this file or folder instead of standard output.", valueName: "FILE"))
    var output: String?

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @OptionGroup var options: ArchiveOptions

    func validate() throws {
        if let file, file < 1 { throw ValidationError("--file \(file): expected a file number from 1, as kho show numbers them") }
        if options.json && output == nil {
            throw ValidationError("--json needs -o FILE: standard output carries the file's bytes")
        }
    }

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        let session = try options.open()
        defer { session.archive.close() }
        let destination: GetFile.Destination = output.map { .path(RawArguments.path($0), replace: force) }
            ?? .standardOutput(refuseBinary: Console.stdoutIsTerminal)
        let result = try GetFile(id: productID, n: file, destination: destination).run(in: session)
        if options.json {
            Console.json(result)
        } else if output != nil {
            Console.note("wrote file \(result.file.n) of \(productID) (\(result.file.name), \(Formatting.bytes(result.file.size))) to \(result.output)")
        }
    }
}

struct DuplicatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "Products that share a master file: the same bytes ingested under different titles.",
        discussion: "Each group is one stored file and the products whose master it is; merge or explain them.")

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let groups = try Duplicates().run(in: session)
        if options.json {
            Console.json(groups)
            return
        }
        if groups.isEmpty {
            Console.out("no products share a master file")
            return
        }
        for g in groups {
            Console.out("sha256:\(g.sha256.prefix(16))…  \(Formatting.bytes(g.size))  held by \(Set(g.products.map(\.id)).count) products:")
            for h in g.products { Console.out("  \(h.id)  file \(h.file) \(h.name)  '\(h.title)'") }
        }
        Console.out("\(groups.count) shared master file(s)")
    }
}
