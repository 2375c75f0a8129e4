import ArgumentParser
import KhoCore
import KhoStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every stored blob; report missing or damaged ones with their products. Exit 3 on damage.",
        discussion: """
            Every check is recorded as a fixity event. To repair a damaged or missing blob, ingest or attach \
            the original file again: identical bytes replace the bad copy.
            """)

    @Option(name: .long, help: "Blobs hashed in parallel (default: all cores).")
    var jobs: Int?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let archive = try options.openArchive()
        defer { archive.close() }
        let report = try archive.verify(jobs: max(1, jobs ?? Archive.defaultJobs), progress: TerminalProgress.forTerminal())
        if options.json {
            Console.json(VerifyDocument(report))
        } else {
            for f in report.findings {
                let holders = f.holders.map { "\($0.productID) file \($0.n) '\($0.name)' ('\($0.title)')" }.joined(separator: "; ")
                Console.out("\(f.kind.rawValue.uppercased()): sha256:\(f.sha256) (\(Formatting.bytes(f.expectedSize))): \(f.detail) — in \(holders.isEmpty ? "no product" : holders)")
            }
            if !report.unreferenced.isEmpty {
                Console.out("note: \(report.unreferenced.count) blob file(s) belong to no product (left by an interrupted ingest; reused if the same bytes are ingested again)")
            }
            let rate = report.seconds > 0 ? Double(report.checkedBytes) / report.seconds : 0
            Console.out("checked \(report.checkedBlobs) blob(s), \(Formatting.bytes(report.checkedBytes)) in \(Formatting.oneDecimal(report.seconds)) s (\(Formatting.bytes(Int64(rate)))/s): "
                + (report.isIntact ? "all intact" : "\(report.findings.count) missing or damaged"))
        }
        if !report.isIntact { throw ExitCode(3) }
    }
}

struct VerifyDocument: Encodable {
    struct Finding: Encodable {
        struct Holder: Encodable { var id: String; var title: String; var file: Int; var name: String; var role: String }
        var kind: String
        var sha256: String
        var expectedSize: Int64
        var actualSHA256: String?
        var actualSize: Int64?
        var detail: String
        var products: [Holder]
    }
    var checkedBlobs: Int
    var checkedBytes: Int64
    var seconds: Double
    var intact: Bool
    var findings: [Finding]
    var unreferenced: [String]

    init(_ r: VerifyReport) {
        checkedBlobs = r.checkedBlobs
        checkedBytes = r.checkedBytes
        seconds = r.seconds
        intact = r.isIntact
        unreferenced = r.unreferenced
        findings = r.findings.map { f in
            Finding(kind: f.kind.rawValue, sha256: f.sha256, expectedSize: f.expectedSize, actualSHA256: f.actualSHA256,
                    actualSize: f.actualSize, detail: f.detail,
                    products: f.holders.map { .init(id: $0.productID.description, title: $0.title, file: $0.n, name: $0.name, role: $0.role.rawValue) })
        }
    }
}
