import ArgumentParser
import Foundation
import KhoCore
import KhoStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import products from a manifest (CSV or JSON Lines): one row, one product.",
        discussion: """
            Every row and file is checked before anything is stored; --dry-run stops there and lists \
            every problem (row, column, value, what was expected). A real run stores the valid rows \
            (each whole or not at all), skips the bad ones, and writes a result CSV (row, status, \
            product_id, source_id, message) beside the manifest or to --report. Running the same \
            manifest again stores nothing new; an interrupted import resumes where it stopped. \
            The columns are described in the README; an example is in Scripts/examples/import/.
            """)

    @Argument(help: "The manifest: .csv (comma, semicolon or tab; UTF-8, with or without BOM) or .jsonl.")
    var manifest: String

    @Flag(name: .long, help: "Check every row and file, report all problems, store nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Write the result CSV here (default: MANIFEST.result.csv).", valueName: "FILE"))
    var report: String?

    @Option(name: .long, help: "Files hashed in parallel (default: all cores).")
    var jobs: Int?

    @OptionGroup var options: ArchiveOptions

    static let warningsShown = 30

    func run() throws {
        Console.jsonMode = options.json
        let archive = try options.openArchive()
        defer { archive.close() }
        let result = try archive.importManifest(RawArguments.path(manifest), options: ImportOptions(
            dryRun: dryRun, jobs: max(1, jobs ?? Archive.defaultJobs), report: report.map(RawArguments.path),
            progress: TerminalProgress.forTerminal(noun: "rows")))
        if options.json {
            Console.json(ImportDocument(result))
        } else {
            printHuman(result)
        }
        if result.count(.rejected) > 0 { throw ExitCode(1) }
    }

    func printHuman(_ r: ImportReport) {
        Console.error("kho: \(manifest): \(r.format), \(r.results.count) row(s)")
        for p in r.problems { Console.error("kho: error: \(p)") }
        for w in r.warnings.prefix(Self.warningsShown) { Console.warn(w) }
        if r.warnings.count > Self.warningsShown { Console.warn("… and \(r.warnings.count - Self.warningsShown) more warnings") }
        let rejected = r.count(.rejected), present = r.count(.alreadyPresent)
        if r.dryRun {
            Console.out("dry run: \(r.count(.ok)) row(s) would be stored, \(present) already present, \(rejected) rejected; nothing was stored"
                + (r.reportPath.map { "; result: \($0)" } ?? ""))
            return
        }
        let stored = r.count(.stored)
        var parts: [String] = []
        if r.newProducts > 0 { parts.append("\(r.newProducts) new product(s) with files") }
        if r.registered > 0 { parts.append("\(r.registered) registered, not yet digitized") }
        if r.filesAttached > 0 { parts.append("\(r.filesAttached) file(s) attached to existing products") }
        let rate = r.seconds > 0 ? Double(r.results.count) / r.seconds : 0
        Console.out("stored \(stored)\(parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"), already present \(present), rejected \(rejected); "
            + "\(Formatting.bytes(r.bytesStored)) new in \(Formatting.oneDecimal(r.seconds)) s (\(Int(rate.rounded())) rows/s); result: \(r.reportPath ?? "-")")
        if stored == 0 && rejected == 0 && present > 0 { Console.out("nothing new: every row was already in the archive") }
    }
}

struct ImportDocument: Encodable {
    struct Row: Encodable { var row: Int; var status: String; var productID: String?; var sourceID: String?; var message: String }
    var manifest: String
    var format: String
    var dryRun: Bool
    var rows: Int
    var stored: Int
    var alreadyPresent: Int
    var rejected: Int
    var ok: Int
    var newProducts: Int
    var registered: Int
    var filesAttached: Int
    var bytesStored: Int64
    var seconds: Double
    var report: String?
    var results: [Row]
    var problems: [RowProblem]
    var warnings: [String]

    init(_ r: ImportReport) {
        manifest = r.manifest
        format = r.format
        dryRun = r.dryRun
        rows = r.results.count
        stored = r.count(.stored)
        alreadyPresent = r.count(.alreadyPresent)
        rejected = r.count(.rejected)
        ok = r.count(.ok)
        newProducts = r.newProducts
        registered = r.registered
        filesAttached = r.filesAttached
        bytesStored = r.bytesStored
        seconds = r.seconds
        report = r.reportPath
        results = r.results.map { Row(row: $0.row, status: $0.status.rawValue, productID: $0.productID?.description, sourceID: $0.sourceID, message: $0.message) }
        problems = r.problems
        warnings = r.warnings
    }
}
