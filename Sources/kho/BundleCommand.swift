import ArgumentParser
import Foundation
import KhoBundle
import KhoCore
import KhoStore

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
    var maxExpansion: Double = 1000

    @Flag(name: .long, help: "Print the result as JSON on standard output.")
    var json = false

    struct Result: Encodable {
        var file: String
        var valid: Bool
        var bag: String?
        var version: String?
        var payloadFiles: Int
        var payloadBytes: Int64
        var errors: [String]
        var warnings: [String]
    }

    func run() throws {
        Console.jsonMode = json
        guard maxExpansion >= 1 else { throw KhoError("invalid_choice", "--max-expansion \(maxExpansion): expected a number of at least 1") }
        let result = try BagReader.verify(path: file, limits: BagReadLimits(maxExpansion: maxExpansion))
        let errors = result.problems.filter { $0.severity == .error }.map(\.message)
        let warnings = result.problems.filter { $0.severity == .warning }.map(\.message)
        if json {
            Console.json(Result(file: file, valid: result.isValid, bag: result.name, version: result.check.version,
                                payloadFiles: result.check.payloadFiles, payloadBytes: result.check.payloadBytes, errors: errors, warnings: warnings))
        } else {
            for w in warnings { Console.out("warning: \(w)") }
            for e in errors { Console.out("error: \(e)") }
            Console.out(result.isValid
                ? "valid: bag \(result.name ?? "?") (BagIt \(result.check.version ?? "?")), \(result.check.payloadFiles) payload files, \(Formatting.bytes(result.check.payloadBytes))"
                : "invalid: \(file) — \(errors.count) problem(s)")
        }
        if !result.isValid { throw ExitCode(3) }
    }
}

struct BundleImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store the products of a bundle made by another Kho (kho export): a bad bundle stores nothing.",
        discussion: """
            Each product keeps its ID, metadata, files and event history, and gets an event naming \
            the bundle and the archive it came from. Blobs already held are not stored twice. \
            Importing the same bundle again changes nothing; a later export of the same products \
            updates their metadata and adds their new files.
            """)

    @Argument(help: ArgumentHelp("The bundle file.", valueName: "FILE"))
    var file: String

    @OptionGroup var options: ArchiveOptions

    struct Result: Encodable {
        var bundle: String?
        var stored: [String]
        var updated: [String]
        var unchanged: [String]
    }

    func run() throws {
        Console.jsonMode = options.json
        let archive = try options.openArchive()
        defer { archive.close() }
        // One pass: each payload file is hashed and unpacked into the archive's temporary area;
        // nothing reaches the store or the catalog unless the whole bag is valid.
        let folder = try archive.temporaryFolder("bundle")
        defer { try? FileManager.default.removeItem(atPath: folder.description) }
        let verification = try BagReader.verify(path: file, unpackInto: folder.description)
        guard verification.isValid else {
            for problem in verification.problems where problem.severity == .error { Console.error("kho: \(file): \(problem.message)") }
            throw KhoError("invalid_bundle", "\(file) is not a valid bag (\(verification.problems.filter { $0.severity == .error }.count) problem(s)); nothing was stored", category: .damage)
        }
        let unpacked = verification.unpacked
        let products: [BundleProduct]
        switch BundleImporter.products(check: verification.check, unpacked: unpacked, digests: verification.payloadSHA256) {
        case .success(let found): products = found
        case .failure(let failure): throw KhoError("not_a_kho_bundle", "\(file): \(failure.message); nothing was stored")
        }
        let source = "bundle \(verification.name ?? file)" + (verification.check.info.first { $0.label == "Kho-Archive-ID" }.map { " of archive \($0.value)" } ?? "")
        let outcomes = try archive.importBundle(products, source: source)
        let result = Result(bundle: verification.name,
                            stored: outcomes.filter { $0.1 == .stored }.map { $0.0.description },
                            updated: outcomes.filter { $0.1 == .updated }.map { $0.0.description },
                            unchanged: outcomes.filter { $0.1 == .unchanged }.map { $0.0.description })
        if options.json {
            Console.json(result)
        } else {
            Console.out("\(verification.name ?? file): \(result.stored.count) product(s) stored, \(result.updated.count) updated, \(result.unchanged.count) already here unchanged")
        }
    }
}
