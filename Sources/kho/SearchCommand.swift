import ArgumentParser
import KhoCore
import KhoStore

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
        let archive = try options.openArchive()
        defer { archive.close() }
        let products = try archive.search(query.joined(separator: " "), limit: limit > 0 ? limit : nil)
        if options.json {
            Console.json(products.map { ProductDocument(product: $0, registry: archive.registry) })
        } else if products.isEmpty {
            Console.out("no products match '\(query.joined(separator: " "))'")
        } else {
            Console.out(ProductText.table(products, width: Console.tableWidth))
            Console.out("\(products.count) match\(products.count == 1 ? "" : "es")")
        }
    }
}
