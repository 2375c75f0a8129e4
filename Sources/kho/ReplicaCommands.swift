// replica add, replica list, replica status, replicate: parse, call the operation, print.
import ArgumentParser
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform

struct ReplicaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replica",
        abstract: "Other copies of the archive (a second disk, a NAS, a USB drive): add, list, status.",
        subcommands: [ReplicaAddCommand.self, ReplicaListCommand.self, ReplicaStatusCommand.self])
}

struct ReplicaAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a replica: a folder outside the archive (made if missing; empty, or a replica of this archive).",
        discussion: """
            Restricted products' bytes are copied only to a replica added with --include-restricted: \
            state secrets stay on the office's own disks unless the archivist says otherwise. \
            kho replicate then copies what the replica lacks.
            """)

    @Argument(help: "The replica's name (a-z, 0-9, '-', '_'), e.g. usb-home.") var name: String
    @Argument(help: "The replica's folder (absolute path).") var target: String
    @Flag(name: .customLong("include-restricted"), help: "Also copy restricted products' files.") var includeRestricted = false
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let replica = try AddReplica(name: name, target: target, includeRestricted: includeRestricted).run(in: session)
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
        abstract: "Per replica: blobs present, missing and extra, bytes, last replication. Exit 4 when one is older than --max-age.")

    @Argument(help: "One replica (default: all).") var name: String?
    @Option(name: .customLong("max-age"), help: ArgumentHelp("Exit 4 when a replica was last brought up to date longer ago (e.g. 36h, 2d).", valueName: "AGE"))
    var maxAge: String?
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let seconds = try maxAge.map(Self.seconds)
        let session = try options.open()
        defer { session.archive.close() }
        let report = try ReplicaStatusReport(name: name, maxAgeSeconds: seconds).run(in: session)
        if options.json {
            Console.json(report)
        } else {
            for s in report.replicas {
                Console.out("\(s.replica.name)  \(s.present) present (\(Formatting.bytes(s.bytesPresent))), \(s.missing) missing, \(s.extra) extra, "
                    + "catalog \(s.hasCatalog ? "copied" : "not copied"), last replicated: \(s.replica.lastReplicatedAt ?? "never")"
                    + (report.stale.contains(s.replica.name) ? "  OLDER THAN \(maxAge ?? "")" : ""))
            }
        }
        if !report.stale.isEmpty { throw ExitCode(4) }
    }

    /// "90m", "36h", "2d", "1w" as seconds.
    static func seconds(_ text: String) throws -> Double {
        let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86400, "w": 604_800]
        guard let unit = text.last.flatMap({ units[$0] }), let n = Double(text.dropLast()), n >= 0 else {
            throw KhoError(.usage, "--max-age '\(text)': a number and a unit, m, h, d or w (e.g. 36h, 2d)", subject: .field("--max-age", text))
        }
        return n * unit
    }
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
        let summaries = try Replicate(name: name).run(in: session)
        if options.json { return Console.json(summaries) }
        for s in summaries {
            Console.out("\(s.replica): \(s.blobsCopied) blob(s) copied (\(Formatting.bytes(s.bytesCopied))), \(s.blobsAlreadyThere) already there"
                + (s.restrictedLeftOut > 0 ? ", \(s.restrictedLeftOut) restricted left out" : "")
                + (s.restrictedRemoved > 0 ? " (\(s.restrictedRemoved) removed from it)" : "") + "; catalog copied (\(Formatting.bytes(s.catalogBytes)))")
        }
    }
}
