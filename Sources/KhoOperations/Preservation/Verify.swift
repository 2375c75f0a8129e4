// Fixity: every stored blob re-hashed, each missing or damaged one reported with the
// products that hold it, every check recorded as an event.
import KhoCore
import KhoPlatform
import KhoStore

/// `kho verify`. The result's `intact` is false when anything is missing or damaged (the
/// command line exits 3).
public struct Verify: ArchiveOperation {
    public var jobs: Int
    /// A scheduled audit: only the copies checked longest ago.
    public var audit: Audit

    public init(jobs: Int = Parallel.defaultJobs, audit: Audit = Audit()) {
        self.jobs = jobs
        self.audit = audit
    }

    public func run(in session: Session) throws(KhoError) -> VerifyDocument {
        VerifyDocument(try session.archive.verify(jobs: max(1, jobs), selection: audit.selection(session), progress: session.progress))
    }
}

public struct VerifyDocument: Codable, Sendable {
    public struct Finding: Codable, Sendable {
        public struct Holder: Codable, Sendable { public var id: String; public var title: String; public var file: Int; public var name: String; public var role: String }
        /// missing, damaged or unreadable.
        public var kind: String
        public var sha256: String
        public var expectedSize: Int64
        public var actualSHA256: String?
        public var actualSize: Int64?
        public var detail: String
        public var products: [Holder]
    }
    public var checkedBlobs: Int
    /// Blobs the catalog knows (an audit checks some of them).
    public var knownBlobs: Int
    public var checkedBytes: Int64
    public var seconds: Double
    public var intact: Bool
    public var findings: [Finding]
    /// Blob files no product refers to (left by an interrupted ingest; reused if the same bytes come again).
    public var unreferenced: [String]

    init(_ r: VerifyReport) {
        checkedBlobs = r.checkedBlobs
        knownBlobs = r.knownBlobs
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

/// `kho duplicates`: products that share a master file (the same bytes under other titles).
public struct Duplicates: ArchiveOperation {
    public init() {}

    public func run(in session: Session) throws(KhoError) -> [DuplicateGroupDocument] {
        try session.archive.duplicates().map { g in
            DuplicateGroupDocument(sha256: g.sha256, size: g.size, products: g.holders.map {
                .init(id: $0.productID.description, title: $0.title, file: $0.n, name: $0.name)
            })
        }
    }
}

public struct DuplicateGroupDocument: Codable, Sendable {
    public struct Holder: Codable, Sendable { public var id: String; public var title: String; public var file: Int; public var name: String }
    public var sha256: String
    public var size: Int64
    public var products: [Holder]
}
