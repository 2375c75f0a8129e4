// init, import, verify: parse, call the operation, print.
import ArgumentParser
import KhoCore
import KhoOperations
import KhoPlatform

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an archive.",
        discussion: "Creates DIR (default: the archive given by --storage, $KHO_STORAGE or ./Storage). An archive already there is left as it is.")

    @Argument(help: ArgumentHelp("Folder for the new archive.", valueName: "DIR"))
    var directory: String?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let path = directory.map { HostPath($0) } ?? options.location.path
        let result = try InitArchive(path: path).run(for: Environment.actor, environment: Environment.archive)
        if options.json {
            Console.json(result)
        } else {
            Console.out(result.created ? "created archive at \(path)" : "\(path) is already an archive; nothing changed")
        }
    }
}

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

    @Flag(name: .long, help: "Replace the --report file even if it is not an earlier import result.")
    var force = false

    @OptionGroup var jobs: JobsOption

    @OptionGroup var options: ArchiveOptions

    static let warningsShown = 30

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open(progress: TerminalProgress.forTerminal(noun: "rows"))
        defer { session.archive.close() }
        let result = try ImportManifest(manifest: RawArguments.path(manifest), dryRun: dryRun, report: report.map(RawArguments.path),
                                        replaceReport: force, jobs: jobs.count, rowResults: options.json).run(in: session)
        if options.json {
            Console.json(result)
        } else {
            printHuman(result)
        }
        if result.rejected > 0 { throw ExitCode(1) }
    }

    func printHuman(_ r: ImportDocument) {
        Console.error("kho: \(manifest): \(r.format), \(r.rows) row(s)")
        for p in r.problems { Console.error("kho: error: \(p)") }
        if let more = r.problemsOmitted, more > 0 {
            Console.error("kho: … and \(more) more row problems" + (r.report.map { " (each rejected row's are in \($0))" } ?? ""))
        }
        for w in r.warnings.prefix(Self.warningsShown) { Console.warn(w) }
        let warnings = r.warnings.count + (r.warningsOmitted ?? 0)
        if warnings > Self.warningsShown {
            Console.warn("… and \(warnings - Self.warningsShown) more warnings" + (r.report.map { " (each row's are in \($0))" } ?? ""))
        }
        if r.dryRun {
            Console.out("dry run: \(r.ok) row(s) would be stored, \(r.alreadyPresent) already present, \(r.rejected) rejected; nothing was stored"
                + (r.report.map { "; result: \($0)" } ?? ""))
            return
        }
        var parts: [String] = []
        if r.newProducts > 0 { parts.append("\(r.newProducts) new product(s) with files") }
        if r.registered > 0 { parts.append("\(r.registered) registered, not yet digitized") }
        if r.filesAttached > 0 { parts.append("\(r.filesAttached) file(s) attached to existing products") }
        let rate = r.seconds > 0 ? Double(r.rows) / r.seconds : 0
        Console.out("stored \(r.stored)\(parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"), \(r.updated > 0 ? "updated \(r.updated), " : "")already present \(r.alreadyPresent), rejected \(r.rejected); "
            + "\(Formatting.bytes(r.bytesStored)) new in \(Formatting.oneDecimal(r.seconds)) s (\(Int(rate.rounded())) rows/s); result: \(r.report ?? "-")")
        if r.stored == 0 && r.updated == 0 && r.rejected == 0 && r.alreadyPresent > 0 { Console.out("nothing new: every row was already in the archive") }
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every stored blob; report missing or damaged ones with their products. Exit 3 on damage.",
        discussion: """
            Every check is recorded (a fixity event, and each copy's last check). kho repair replaces a \
            damaged or missing blob from a replica's good copy; without a replica, ingest or attach the \
            original file again: identical bytes replace the bad copy. With --replica NAME, the copies in \
            that replica are re-read and re-hashed instead (see kho replica). A nightly audit: \
            --older-than 90d --max-rate 50MB/s re-reads only the copies not checked for 90 days, oldest \
            first, so the whole archive is covered in turn without hogging the PC.
            """)

    @OptionGroup var jobs: JobsOption

    @Option(name: .long, help: ArgumentHelp("Re-hash the copies in this replica instead of the archive's.", valueName: "NAME"))
    var replica: String?

    @Option(name: .customLong("older-than"), help: ArgumentHelp("Only copies not checked for this long, oldest first (e.g. 90d, 12w).", valueName: "AGE"))
    var olderThan: String?

    @Option(name: .long, help: ArgumentHelp("At most this many copies, the longest unchecked first.", valueName: "N"))
    var limit: Int?

    @Option(name: .customLong("max-rate"), help: ArgumentHelp("Read at most this fast (e.g. 50MB/s).", valueName: "RATE"))
    var maxRate: String?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let maxRate, Throttle.parseRate(maxRate) == nil {
            throw ValidationError("--max-rate '\(TextRules.visible(maxRate))': a rate such as 50MB/s, 800KB/s or 1GB/s")
        }
    }

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let audit = Audit(olderThanSeconds: try olderThan.map { try ageSeconds($0, option: "--older-than") }, limit: limit,
                          maxBytesPerSecond: maxRate.flatMap(Throttle.parseRate))
        let session = try options.open(progress: TerminalProgress.forTerminal())
        defer { session.archive.close() }
        if let replica {
            let result = try VerifyReplica(name: replica, audit: audit).run(in: session)
            if options.json {
                Console.json(result)
            } else {
                for sha in result.missing { Console.out("MISSING: sha256:\(sha) in replica \(replica)") }
                for sha in result.damaged { Console.out("DAMAGED: sha256:\(sha) in replica \(replica)") }
                Console.out("replica \(replica): re-hashed \(result.checkedBlobs) of \(result.wantedBlobs) copies, \(Formatting.bytes(result.checkedBytes)): "
                    + (result.intact ? "all intact" : "\(result.missing.count) missing, \(result.damaged.count) damaged"))
            }
            if !result.intact { throw ExitCode(Console.exitCode(.damage)) }
            return
        }
        let report = try Verify(jobs: jobs.count, audit: audit).run(in: session)
        if options.json {
            Console.json(report)
        } else {
            for f in report.findings {
                let holders = f.products.map { "\($0.id) file \($0.file) '\($0.name)' ('\($0.title)')" }.joined(separator: "; ")
                Console.out("\(f.kind.uppercased()): sha256:\(f.sha256) (\(Formatting.bytes(f.expectedSize))): \(f.detail) — in \(holders.isEmpty ? "no product" : holders)")
            }
            if !report.unreferenced.isEmpty {
                Console.out("note: \(report.unreferenced.count) blob file(s) belong to no product (left by an interrupted ingest; reused if the same bytes are ingested again)")
            }
            let rate = report.seconds > 0 ? Double(report.checkedBytes) / report.seconds : 0
            Console.out("checked \(report.checkedBlobs)\(report.checkedBlobs == report.knownBlobs ? "" : " of \(report.knownBlobs)") blob(s), \(Formatting.bytes(report.checkedBytes)) in \(Formatting.oneDecimal(report.seconds)) s (\(Formatting.bytes(Int64(rate)))/s): "
                + (report.intact ? "all intact" : "\(report.findings.count) missing or damaged"))
        }
        if !report.intact { throw ExitCode(Console.exitCode(.damage)) }
    }
}
