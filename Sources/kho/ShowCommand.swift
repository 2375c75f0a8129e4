import ArgumentParser
import KhoCore
import KhoStore

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
        let archive = try options.openArchive()
        defer { archive.close() }
        let product = try archive.product(productID)
        let events = try archive.events(of: productID)
        if options.json {
            Console.json(ProductDocument(product: product, events: events, registry: archive.registry))
        } else {
            Console.out(ProductText.detail(product, events: events, fixity: try archive.fixity(of: product), registry: archive.registry))
        }
    }
}
