import ArgumentParser
import KhoCore
import KhoStore

struct ExportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exports",
        abstract: "The completed exports, oldest first: ID, scope, time, products, bundle SHA-256.")

    @OptionGroup var options: ArchiveOptions

    struct Entry: Encodable {
        var exportID: String
        var scope: String
        var period: String
        var follows: String?
        var createdAt: String
        var file: String
        var format: String
        var bundleSHA256: String
        var payloadBytes: Int64
        var products: [String]
    }

    func run() throws {
        Console.jsonMode = options.json
        let archive = try options.openArchive()
        defer { archive.close() }
        let records = try archive.exports()
        if options.json {
            Console.json(records.map {
                Entry(exportID: $0.exportID, scope: $0.scope, period: $0.period, follows: $0.follows, createdAt: $0.createdAt.iso, file: $0.file,
                      format: $0.format, bundleSHA256: $0.bundleSHA256, payloadBytes: $0.payloadBytes, products: $0.productIDs)
            })
            return
        }
        if records.isEmpty { Console.out("no exports yet"); return }
        for r in records {
            Console.out("\(r.createdAt.iso)  kho-export-\(r.exportID)  \(r.productIDs.count) product(s), \(Formatting.bytes(r.payloadBytes))  \(r.format)  \(r.scope); \(r.period)\(r.follows.map { "; follows \($0)" } ?? "")")
            Console.out("    \(r.file)  sha256:\(r.bundleSHA256)")
        }
    }
}
