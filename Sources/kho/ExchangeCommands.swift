// export, exports, bundle verify, bundle import: parse, call the operation, print.
import ArgumentParser
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the products of a unit and period as one BagIt 1.0 bag (tar, tar.gz, tar.zst or zip).",
        discussion: """
            The bag holds bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt (and \
            SHA-512 ones with --sha512) and, per product, data/<product-id>/ with its files under their \
            original names, metadata.json (everything Kho knows, with its event history) and dc.xml \
            (Dublin Core). The scope is chosen as for kho report. Restricted products are never \
            exported. The same scope exported twice from an unchanged archive gives the same bytes. \
            The file appears only when it is complete and flushed to disk.
            """)

    @OptionGroup var scope: ScopeOptions

    @Option(name: .long, help: ArgumentHelp("Only products whose reference date is in this period (default: all).", valueName: "PERIOD"))
    var period: String?

    @Option(name: .long, help: ArgumentHelp("tar, tar.gz, tar.zst or zip (default: from the -o file's name).", valueName: "FORMAT"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The bag file to write.", valueName: "FILE"))
    var output: String

    @Flag(name: .long, help: "Replace the -o file if it exists.")
    var force = false

    @Flag(name: .long, help: "Add SHA-512 manifests beside the SHA-256 ones.")
    var sha512 = false

    @Flag(name: .customLong("since-last"), help: "Only what changed since the last completed export of the same scope (new products, new files, new metadata).")
    var sinceLast = false

    @Option(name: .long, help: ArgumentHelp("Only products changed on or after this day (Vietnam time).", valueName: "YYYY-MM-DD"))
    var since: String?

    @OptionGroup var options: ArchiveOptions

    func validate() throws {
        if sinceLast && since != nil { throw ValidationError("--since-last and --since exclude each other; give one") }
    }

    func run() throws {
        Console.jsonMode = options.json
        let chosen: BundleFormat
        if let format {
            guard let f = BundleFormat(rawValue: format.lowercased()) else {
                throw KhoError(.invalidChoice, "--format '\(format)': expected tar, tar.gz, tar.zst or zip", subject: .field("--format", format))
            }
            chosen = f
        } else {
            guard let f = BundleFormat.from(fileName: output) else {
                throw KhoError(.invalidChoice, "-o \(output): name it .tar, .tar.gz, .tar.zst or .zip, or say which with --format", subject: .field("-o", output))
            }
            chosen = f
        }
        let era = try scope.era()
        let sinceDate = try parseOption(since, option: "--since", CalendarDate.parse)
        let session = try options.open(progress: TerminalProgress.forTerminal(noun: "products"))
        defer { session.archive.close() }
        let chosenPeriod = try parseOption(period, option: "--period") { Period.parse($0, campaigns: session.archive.config.campaigns) }
        let export = Export(unitCode: scope.unit, unitEra: era, period: chosenPeriod,
                            since: sinceLast ? .lastExport : sinceDate.map { .date($0) } ?? .everything,
                            format: chosen, output: OutputFile(path: HostPath(output), replace: force), sha512: sha512)
        let result = try export.run(in: session)
        if options.json {
            Console.json(result)
        } else {
            Console.out("exported \(result.products) product(s), \(result.payloadFiles) payload files (\(Formatting.bytes(result.payloadBytes))) to \(output) as bag kho-export-\(result.exportID)"
                + (result.restrictedLeftOut > 0 ? "; \(result.restrictedLeftOut) restricted product(s) left out" : ""))
        }
    }
}

struct ExportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exports",
        abstract: "The completed exports, oldest first: ID, scope, time, products, bundle SHA-256.")

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        if options.json {
            // Each export's product IDs read and printed one export at a time.
            try Console.jsonArray { (item) throws(KhoError) in try ListExports().forEach(in: session, item) }
            return
        }
        let records = try ListExports().run(in: session)
        if records.isEmpty { Console.out("no exports yet"); return }
        for r in records {
            Console.out("\(r.createdAt)  kho-export-\(r.exportID)  \(r.productCount) product(s), \(Formatting.bytes(r.payloadBytes))  \(r.format)  \(r.scope); \(r.period)\(r.follows.map { "; follows \($0)" } ?? "")")
            Console.out("    \(r.file)  sha256:\(r.bundleSHA256)")
        }
    }
}

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Check bundles (serialized BagIt bags) made by Kho or anyone else.",
        subcommands: [BundleVerifyCommand.self, BundleImportCommand.self])
}

struct BundleVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Validate a serialized bag (tar, tar.gz, tar.zst, zip) in one pass, without unpacking it. Exit 3 when invalid.",
        discussion: """
            Checks BagIt 0.93 to 1.0: bagit.txt, every manifest entry present with the right digest, \
            no payload file missing from the manifests, the tag manifests, Payload-Oxum, fetch.txt \
            (nothing is fetched: files it names must be present). Unsafe archives are refused with \
            a reason: paths that leave the bag, links, devices, duplicate entries, names that \
            collide once Unicode-normalised or case-folded, absurd sizes, damaged or truncated \
            compression, and archives that unpack to more than --max-expansion times their size.
            """)

    @Argument(help: ArgumentHelp("The bundle file.", valueName: "FILE"))
    var file: String

    @Option(name: .customLong("max-expansion"), help: ArgumentHelp("Refuse a bundle that unpacks to more than this many times its own size (and more than 1 GiB).", valueName: "N"))
    var maxExpansion: Double = BundleVerify.defaultMaxExpansion

    @Flag(name: .long, help: "Print the result as JSON on standard output.")
    var json = false

    func run() throws {
        Console.jsonMode = json
        let result = try BundleVerify(file: file, maxExpansion: maxExpansion, progress: TerminalProgress.forTerminal(noun: "entries")).run()
        if json {
            Console.json(result)
        } else {
            for w in result.warnings { Console.out("warning: \(w)") }
            for e in result.errors { Console.out("error: \(e)") }
            Console.out(result.valid
                ? "valid: bag \(result.bag ?? "?") (BagIt \(result.version ?? "?")), \(result.payloadFiles) payload files, \(Formatting.bytes(result.payloadBytes))"
                : "invalid: \(file) — \(result.errors.count) problem(s)")
        }
        if !result.valid { throw ExitCode(Console.exitCode(.damage)) }
    }
}

struct BundleImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store the products of a bundle made by another Kho (kho export): a bad bundle stores nothing.",
        discussion: """
            Each product keeps its ID, metadata, files and event history (marked as the sending \
            archive's), and gets an event naming the bundle and the archive it came from. Blobs \
            already held are not stored twice. Importing the same bundle again changes nothing. \
            A product already here is changed only by a bundle of its home archive (the one that \
            created it) or of a source kho-config.json trusts for its unit ("trustedSources"), and \
            never to a lower access level unless --lower-access names it; otherwise it is refused \
            (exit 1) and nothing of it is stored.
            """)

    @Argument(help: ArgumentHelp("The bundle file.", valueName: "FILE"))
    var file: String

    @Option(name: .customLong("lower-access"), help: ArgumentHelp("Let the bundle lower this product's access level (repeatable); otherwise such a change is refused.", valueName: "ID"))
    var lowerAccess: [String] = []

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        var ids: Set<ProductID> = []
        for text in lowerAccess { ids.insert(try parseProductID(text)) }
        let session = try options.open(progress: TerminalProgress.forTerminal(noun: "products"))
        defer { session.archive.close() }
        let result = try BundleImport(file: file, lowerAccess: ids).run(in: session)
        for refusal in result.refused { Console.error("kho: refused: \(refusal.reason)") }
        if options.json {
            Console.json(result)
        } else {
            Console.out("\(result.bundle ?? file): \(result.stored.count) product(s) stored, \(result.updated.count) updated, \(result.unchanged.count) already here unchanged"
                + (result.refused.isEmpty ? "" : ", \(result.refused.count) refused"))
        }
        if !result.refused.isEmpty { throw ExitCode(1) }
    }
}
