// replica add, replica list, replica status, replicate, repair: parse, call the operation, print.
import ArgumentParser
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform

struct ReplicaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replica",
        abstract: "Other copies of the archive (a second disk, a NAS, a USB drive, an S3 bucket): add, list, status.",
        subcommands: [ReplicaAddCommand.self, ReplicaListCommand.self, ReplicaStatusCommand.self])
}

struct ReplicaAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a replica: a folder outside the archive, or s3://BUCKET/PREFIX (empty, or a replica of this archive).",
        discussion: """
            Restricted products' bytes are copied only to a replica added with --include-restricted: \
            state secrets stay on the office's own disks unless the archivist says otherwise. \
            kho replicate then copies what the replica lacks. An S3 replica's endpoint, region and \
            keys come from AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID and \
            AWS_SECRET_ACCESS_KEY, else from "s3" in kho-config.json; the bucket must exist.
            """)

    @Argument(help: "The replica's name (a-z, 0-9, '-', '_'), e.g. usb-home.") var name: String
    @Argument(help: "The replica's folder (absolute path), or s3://BUCKET/PREFIX.") var target: String
    @Flag(name: .customLong("include-restricted"), help: "Also copy restricted products' files.") var includeRestricted = false
    @Flag(name: .customLong("same-disk"), help: "Allow a folder on the archive's own disk (it does not survive the disk).") var sameDisk = false
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let replica = try AddReplica(name: name, target: target, includeRestricted: includeRestricted, sameDisk: sameDisk).run(in: session)
        if options.json { return Console.json(replica) }
        Console.out("\(replica.name)  \(replica.target)\(replica.includeRestricted ? "  (restricted products included)" : "")")
        Console.note("bring it up to date with: kho replicate \(replica.name)")
    }
}

struct ReplicaListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The archive's replicas, with when each was last brought up to date.")
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let all = try ListReplicas().run(in: session)
        if options.json { return Console.json(all) }
        for r in all {
            Console.out("\(r.name)  \(r.target)  last replicated: \(r.lastReplicatedAt ?? "never")\(r.includeRestricted ? "  (restricted included)" : "")")
        }
        if all.isEmpty { Console.note("no replica yet: kho replica add NAME FOLDER") }
    }
}

struct ReplicaStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per replica: blobs present, missing, damaged and extra, bytes, last replication and check. Exit 4 for a cron to alert.",
        discussion: """
            Exit 4 when a replica is older than --max-age (or never brought up to date), cannot be \
            reached (a drive not mounted), or holds restricted products' bytes it should not. \
            Present means a file of the right name and size: kho verify --replica NAME re-hashes them.
            """)

    @Argument(help: "One replica (default: all).") var name: String?
    @Option(name: .customLong("max-age"), help: ArgumentHelp("Exit 4 when a replica was last brought up to date longer ago (e.g. 36h, 2d).", valueName: "AGE"))
    var maxAge: String?
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let seconds = try maxAge.map { try ageSeconds($0, option: "--max-age") }
        let session = try options.open()
        defer { session.archive.close() }
        let report = try ReplicaStatusReport(name: name, maxAgeSeconds: seconds).run(in: session)
        if options.json {
            Console.json(report)
        } else {
            for s in report.replicas {
                Console.out("\(s.replica.name)  \(s.present) present (\(Formatting.bytes(s.bytesPresent))), \(s.missing) missing, \(s.damaged) damaged, \(s.extra) extra, "
                    + (s.restrictedPresent > 0 ? "\(s.restrictedPresent) RESTRICTED (should not be there: run kho replicate), " : "")
                    + "catalog \(s.hasCatalog ? "copied" : "not copied"), last replicated: \(s.replica.lastReplicatedAt ?? "never"), "
                    + "last checked: \(s.replica.lastCheckedAt ?? "never")"
                    + (report.alerts.contains(s.replica.name) ? "  ALERT" : ""))
            }
            for (name, why) in report.unreachable.sorted(by: { $0.key < $1.key }) { Console.out("\(name)  UNREACHABLE: \(why)") }
        }
        if !report.alerts.isEmpty { throw ExitCode(4) }
    }

}

/// "90m", "36h", "2d", "1w" as seconds.
func ageSeconds(_ text: String, option: String) throws -> Double {
    let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86400, "w": 604_800]
    guard let unit = text.last.flatMap({ units[$0] }), let n = Double(text.dropLast()), n >= 0, n * unit <= 100 * 366 * 86400 else {
        throw KhoError(.usage, "\(option) '\(TextRules.visible(text))': a number and a unit, m, h, d or w (e.g. 36h, 2d, 90d), at most 100 years", subject: .field(option, text))
    }
    return n * unit
}

struct ReplicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Bring replicas up to date: the blobs they lack, then a consistent copy of the catalog.",
        discussion: """
            Incremental by nature: blobs are named by their SHA-256, and only missing ones are copied, \
            each hashed on the way (a damaged archive copy is never sent) and flushed before it takes \
            its name, so an interrupted run leaves whole blobs and the next run goes on. The catalog is \
            copied with SQLite's online backup while other commands may write. Each run is a \
            `replication` event.
            """)

    @Argument(help: "One replica (default: all).") var name: String?
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open(progress: TerminalProgress.forTerminal())
        defer { session.archive.close() }
        let outcomes = try Replicate(name: name).run(in: session)
        if options.json {
            Console.json(outcomes)
        } else {
            for o in outcomes {
                guard let s = o.summary else {
                    Console.error("kho: error: replica \(o.replica): \(o.error ?? "failed"); the other replicas went on")
                    continue
                }
                Console.out("\(s.replica): \(s.blobsCopied) blob(s) copied (\(Formatting.bytes(s.bytesCopied))), \(s.blobsAlreadyThere) already there"
                    + (s.restrictedLeftOut > 0 ? ", \(s.restrictedLeftOut) restricted left out" : "")
                    + (s.restrictedRemoved > 0 ? " (\(s.restrictedRemoved) removed from it)" : "") + "; catalog copied (\(Formatting.bytes(s.catalogBytes)))")
                if !s.notSent.isEmpty {
                    Console.error("kho: \(s.notSent.count) blob(s) missing or damaged in the archive were not sent (run kho verify): \(s.notSent.joined(separator: ", "))")
                }
            }
        }
        if outcomes.contains(where: { $0.summary == nil }) { throw ExitCode(1) }
        if outcomes.contains(where: { !($0.summary?.notSent.isEmpty ?? true) }) { throw ExitCode(Console.exitCode(.damage)) }
    }
}

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Replace missing or damaged blobs from a good copy: the archive's from a replica, a replica's from the archive.",
        discussion: """
            Looks at what the last checks found (kho verify, kho verify --replica NAME) and at copies \
            missing or of the wrong size now; each is re-read first. A good copy is hashed on its way \
            in and takes the bad one's name only when it matches the digest: bytes that do not match \
            never replace anything. Every repair is a `repair` event. Exit 3 when something could not \
            be repaired (no good copy anywhere), exit 1 when a replica could not be used (not mounted, \
            or in use by another run).
            """)

    @Option(name: .long, help: ArgumentHelp("Use and repair only this replica (default: all).", valueName: "NAME"))
    var replica: String?
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open(progress: TerminalProgress.forTerminal())
        defer { session.archive.close() }
        let report = try Repair(replica: replica).run(in: session)
        if options.json {
            Console.json(report)
        } else {
            for m in report.repaired { Console.out("REPAIRED: sha256:\(m.sha256) in the \(m.copy) (was \(m.was)), from the \(m.from)") }
            for u in report.unrepaired { Console.out("NOT REPAIRED: sha256:\(u.sha256) in the \(u.copy): \(u.reason)") }
            for (name, why) in report.unreachable.sorted(by: { $0.key < $1.key }) { Console.error("kho: replica \(name) not used: \(why)") }
            let nothing = report.repaired.isEmpty && report.unrepaired.isEmpty && report.unreachable.isEmpty
            Console.out("\(report.repaired.count) repaired, \(report.unrepaired.count) not repaired"
                + (report.foundIntact > 0 ? ", \(report.foundIntact) found intact when re-read" : "")
                + (report.unreachable.isEmpty ? "" : ", \(report.unreachable.count) replica(s) not used")
                + (nothing ? ": nothing to repair (kho verify finds what needs it)" : ""))
        }
        if !report.complete { throw ExitCode(Console.exitCode(.damage)) }
        // A replica that could not be used was not repaired (nor used): a cron should hear of it.
        if !report.unreachable.isEmpty { throw ExitCode(1) }
    }
}

struct RebuildCatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-catalog",
        abstract: "Rebuild a lost or damaged catalog from the products' sidecars and the blobs.",
        discussion: """
            Every product's document (its metadata, files and events, with its place in the catalog) \
            is kept beside the blobs in sidecars/, renewed after every change. This reads them (the \
            latest of each product), makes a whole new catalog aside, and only then puts it in place; \
            the old catalog, if any, is kept as catalog.sqlite.before-rebuild-TIME. With --from FOLDER \
            (a replica's folder, or another copy of the archive) or --from-replica NAME the sidecars \
            come from there, and blobs the archive lacks are copied from it, each hashed on the way. \
            Not rebuilt (not in sidecars): web app users and API tokens (add them again), replicas \
            (add them again), the export history, and the archive's own events. Stop kho serve first.
            """)

    @Option(name: .long, help: ArgumentHelp("Read the sidecars (and missing blobs) from this folder, or from an S3 replica (s3://BUCKET/PREFIX).", valueName: "FOLDER"))
    var from: String?
    @Option(name: .customLong("from-replica"), help: ArgumentHelp("Read them from this replica (the old catalog must still name it).", valueName: "NAME"))
    var fromReplica: String?
    @Flag(name: .long, help: "Put the rebuilt catalog in place even when the old one still opens with more products.")
    var force = false
    @OptionGroup var options: ArchiveOptions

    func validate() throws {
        if from != nil && fromReplica != nil { throw ValidationError("give --from FOLDER or --from-replica NAME, not both") }
    }

    func run() throws {
        Console.jsonMode = options.json
        let s3 = from.map { $0.lowercased().hasPrefix("s3://") } ?? false
        let report = try RebuildCatalog(location: options.location, from: s3 ? nil : from.map { HostPath($0) }, fromS3: s3 ? from : nil,
                                        replica: fromReplica, force: force)
            .run(for: Environment.actor, environment: Environment.archive, progress: TerminalProgress.forTerminal())
        if options.json {
            Console.json(report)
        } else {
            for problem in report.unusable { Console.error("kho: sidecar not used: \(problem)") }
            if !report.blobsMissing.isEmpty {
                Console.error("kho: \(report.blobsMissing.count) blob(s) the products name are nowhere to be found good: "
                    + "\(report.blobsMissing.prefix(10).joined(separator: ", "))\(report.blobsMissing.count > 10 ? ", …" : "") (kho verify lists them)")
            }
            Console.out("rebuilt the catalog from \(report.sidecarsRead) sidecar(s) in \(Formatting.oneDecimal(report.seconds)) s: \(report.products) product(s), "
                + "\(report.files) file(s), \(report.events) event(s)"
                + (report.blobsCopied > 0 ? "; \(report.blobsCopied) blob(s) copied in" : "")
                + (report.previousCatalog.map { "; the old catalog is kept as \($0)" } ?? ""))
        }
        if !report.unusable.isEmpty || !report.blobsMissing.isEmpty { throw ExitCode(Console.exitCode(.damage)) }
    }
}
