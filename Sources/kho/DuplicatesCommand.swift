import ArgumentParser
import KhoCore
import KhoStore

struct DuplicatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "Products that share a master file: the same bytes ingested under different titles.",
        discussion: "Each group is one stored file and the products whose master it is; merge or explain them.")

    @OptionGroup var options: ArchiveOptions

    struct Group: Encodable {
        struct Holder: Encodable { var id: String; var title: String; var file: Int; var name: String }
        var sha256: String
        var size: Int64
        var products: [Holder]
    }

    func run() throws {
        Console.jsonMode = options.json
        let archive = try options.openArchive()
        defer { archive.close() }
        let groups = try archive.duplicates()
        if options.json {
            Console.json(groups.map { g in
                Group(sha256: g.sha256, size: g.size, products: g.holders.map { .init(id: $0.productID.description, title: $0.title, file: $0.n, name: $0.name) })
            })
            return
        }
        if groups.isEmpty {
            Console.out("no products share a master file")
            return
        }
        for g in groups {
            Console.out("sha256:\(g.sha256.prefix(16))…  \(Formatting.bytes(g.size))  held by \(Set(g.holders.map(\.productID)).count) products:")
            for h in g.holders { Console.out("  \(h.productID)  file \(h.n) \(h.name)  '\(h.title)'") }
        }
        Console.out("\(groups.count) shared master file(s)")
    }
}
