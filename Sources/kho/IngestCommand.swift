import ArgumentParser
import KhoCore
import KhoStore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store a born-digital product with one or more master files; prints its new ID.",
        discussion: """
            Each file is hashed while it is copied into the archive; bytes already stored are not \
            stored again, and Kho says which product holds them. Ingesting the same files under the \
            same title again stores nothing and prints the existing ID.

            Example:
              kho ingest bai-viet.pdf anh.jpg --title "Quyền con người" --kind article \\
                --lang vi,tyz --unit 00004 --published 2024-12-10 --channel facebook
              find scans -name '*.tif' -print0 | kho ingest --files-from - --null --title … 
            """)

    @OptionGroup var files: FileArguments

    @OptionGroup var metadata: MetadataOptions

    @Option(name: .long, help: "Files hashed in parallel (default: all cores).")
    var jobs: Int?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let validated = try ProductValidator().validate(metadata.input).get()
        let archive = try options.openArchive()
        defer { archive.close() }
        let result = try archive.ingest(validated.value, files: try files.paths(),
                                        jobs: jobs ?? Archive.defaultJobs, progress: TerminalProgress.forTerminal())
        report(result, warnings: validated.warnings, json: options.json, registry: archive.registry)
    }
}

/// Prints the result of ingest, register, attach or edit: the ID on stdout, notes on stderr.
func report(_ result: PutResult, warnings: [String], json: Bool, registry: LanguageRegistry) {
    if json {
        Console.json(ProductDocument(product: result.product, status: result.status.rawValue,
                                     notices: result.notices, warnings: warnings, registry: registry))
        return
    }
    for warning in warnings { Console.warn(warning) }
    for notice in result.notices { Console.note(notice) }
    Console.out(result.product.id.description)
    if result.status == .stored, result.product.files.isEmpty {
        Console.note("\(result.product.id) '\(result.product.metadata.title)': registered, not yet digitized (\(result.product.digitization.carrier?.rawValue ?? "physical"))")
    } else if result.status == .stored {
        let files = result.product.files.count
        let bytes = result.bytesStored > 0 ? "\(Formatting.bytes(result.bytesStored)) new" : files > 0 ? "no new bytes" : "no files"
        Console.note("\(result.product.id) '\(result.product.metadata.title)': \(files) file(s), \(bytes), digitized: \(result.product.isDigitized ? "yes" : "no")")
    }
}
