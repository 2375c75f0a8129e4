// Importing a folder of products described in a spreadsheet: one row, one product.
import KhoCore
import KhoPlatform
import KhoStore

/// `kho import`. A dry run checks every row and file and stores nothing; a real run stores the
/// valid rows (each whole or not at all) and writes the result CSV. The result's `rejected`
/// counts the rows not stored (the command line exits 1 when there are any).
public struct ImportManifest: ArchiveOperation {
    public var manifest: HostPath
    public var dryRun: Bool
    /// Where the result CSV goes (default: beside the manifest, real runs only).
    public var report: HostPath?
    /// Replace an existing file at `report` that is not an earlier result of Kho (`--force`).
    public var replaceReport: Bool
    public var jobs: Int
    /// Every row's result in the answer (`results`); without it a real import answers with the
    /// counts and leaves the rows to the result file, so memory does not grow with the manifest.
    public var rowResults: Bool
    /// What the importing user may touch (the web app); nil: everything.
    public var within: Visibility?
    /// The manifest is a web import's, in the archive's job area (`tmp/jobs/ID/`): its result
    /// file may be written there too. Set only by the server, for folders it made.
    public var inJobArea = false

    public init(manifest: HostPath, dryRun: Bool = false, report: HostPath? = nil, replaceReport: Bool = false, jobs: Int = Parallel.defaultJobs,
                rowResults: Bool = true, within: Visibility? = nil) {
        self.within = within
        self.rowResults = rowResults
        self.manifest = manifest
        self.dryRun = dryRun
        self.report = report
        self.replaceReport = replaceReport
        self.jobs = jobs
    }

    public func run(in session: Session) throws(KhoError) -> ImportDocument {
        let resultPath = report ?? (dryRun ? nil : HostPath(bytes: manifest.bytes + Array(".result.csv".utf8)))
        if let resultPath {
            if inJobArea {
                let jobs = session.archive.makeJobArea().folder
                guard resultPath.parentFolder.parentFolder == jobs, manifest.bytes.starts(with: resultPath.parentFolder.bytes + [UInt8(ascii: "/")]) else {
                    throw KhoError(.internal, "\(resultPath) is not in a job's folder of the archive")
                }
            } else {
                try checkResultPath(resultPath, archive: session.archive.root)
            }
        }
        return ImportDocument(try session.archive.importManifest(manifest, options: ImportOptions(
            dryRun: dryRun, jobs: max(1, jobs), report: resultPath, progress: session.progress, keepResults: rowResults, within: within)))
    }

    /// The result file follows the output rule, with one allowance: it may replace an earlier
    /// result file of Kho (a re-run of the same manifest), never the manifest itself.
    func checkResultPath(_ path: HostPath, archive: HostPath) throws(KhoError) {
        try OutputFile.refuseInside(archive, path)
        if OutputFile.resolvedPath(path) == OutputFile.resolvedPath(manifest) {
            throw KhoError(.fileExists, "\(path) is the manifest itself; write the result somewhere else", subject: .file(path.description))
        }
        guard FS.exists(path), !replaceReport else { return }
        let header = Array("row,status,product_id,source_id,message".utf8)
        let head = (try? FileDescriptor.openForReading(path)).flatMap { fd -> [UInt8]? in
            var bytes = [UInt8](repeating: 0, count: header.count)
            let n = bytes.withUnsafeMutableBytes { (try? fd.readFull(into: $0)) ?? 0 }
            return Array(bytes.prefix(n))
        }
        if head != header {
            throw KhoError(.fileExists, "\(path) already exists and is not an earlier import result; choose another name or add --force to replace it",
                           subject: .file(path.description))
        }
    }
}

public struct ImportDocument: Codable, Sendable {
    public struct Row: Codable, Sendable {
        public var row: Int
        /// stored, updated, already_present, rejected, or ok (a dry run's valid row).
        public var status: String
        public var productID: String?
        public var sourceID: String?
        public var message: String
    }
    public var manifest: String
    /// What the manifest was read as (CSV with its delimiter and encoding, or JSON Lines).
    public var format: String
    public var dryRun: Bool
    public var rows: Int
    public var stored: Int
    /// Rows whose product was already stored, and whose changed metadata was applied.
    public var updated: Int
    public var alreadyPresent: Int
    public var rejected: Int
    public var ok: Int
    public var newProducts: Int
    public var registered: Int
    public var filesAttached: Int
    public var bytesStored: Int64
    public var seconds: Double
    /// The result CSV written, if any.
    public var report: String?
    public var results: [Row]
    /// The first row problems (1,000 at most: every rejected row's are in the result CSV).
    public var problems: [RowProblem]
    /// How many more row problems there were (nil in what an older Kho saved).
    public var problemsOmitted: Int?
    /// The first warnings (1,000 at most: every row's are in the result CSV, after its message).
    public var warnings: [String]
    /// How many more warnings there were (nil in what an older Kho saved).
    public var warningsOmitted: Int?

    init(_ r: ImportReport) {
        manifest = r.manifest
        format = r.format
        dryRun = r.dryRun
        rows = r.rowCount
        stored = r.count(.stored)
        updated = r.count(.updated)
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
        problemsOmitted = r.problemsOmitted
        warnings = r.warnings
        warningsOmitted = r.warningsOmitted
    }
}
