// What an import is asked to do and what it reports back.
import KhoCore
import KhoPlatform

public enum ImportStatus: String, Sendable, Codable {
    /// Stored now (a new product, a registration, or files attached).
    case stored
    /// Everything the row describes was already in the archive; nothing changed.
    case alreadyPresent = "already_present"
    /// The row's product was already in the archive; the metadata it gives replaced what differed.
    case updated
    /// Not stored: the message says why.
    case rejected
    /// Dry run: the row is valid and would be stored.
    case ok
}

public struct ImportRowResult: Sendable {
    public var row: Int
    public var status: ImportStatus
    public var productID: ProductID?
    public var sourceID: String?
    public var message: String

    /// The result with the row's warnings after its message ("…; warning: …"), each without the
    /// "row N: " the report's list puts before it (the result file has a column for the row).
    func noting(_ warnings: [String]) -> ImportRowResult {
        if warnings.isEmpty { return self }
        var out = self
        let prefix = "row \(row): "
        for w in warnings { out.message += "; warning: " + (w.hasPrefix(prefix) ? String(w.dropFirst(prefix.count)) : w) }
        return out
    }
}

/// An import's warnings or row problems as its report keeps them: the first `limit`, and how
/// many more there were. Every row's own are also in its line of the result file, so memory
/// does not grow with a manifest whose every row warns or is wrong (100,000 such rows held
/// 10 MB of text).
public struct Kept<Element: Sendable>: Sendable {
    public static var limit: Int { 1000 }
    public private(set) var list: [Element] = []
    public private(set) var omitted = 0

    public init(_ first: [Element] = []) { add(first) }

    public mutating func add(_ more: [Element]) {
        let room = max(0, Self.limit - list.count)
        list += more.prefix(room)
        omitted += max(0, more.count - room)
    }

    public mutating func add(_ other: Kept<Element>) {
        add(other.list)
        omitted += other.omitted
    }

    /// Orders what is kept (the rest is only counted).
    mutating func sort(by before: (Element, Element) -> Bool) { list.sort(by: before) }
}

public typealias KeptWarnings = Kept<String>

public struct ImportOptions: Sendable {
    public var dryRun: Bool
    public var jobs: Int
    /// Where the result CSV goes; by default beside the manifest (real runs only).
    public var report: HostPath?
    public var progress: (any ProgressReporter)?
    /// Keep every row's result in the report (for a JSON answer). Without it a real import
    /// keeps only the counts, and the rows are in the result file: memory does not grow with
    /// the manifest.
    public var keepResults: Bool
    /// What the importing user may touch (the web app): rows of units outside it are refused,
    /// and products outside it are neither matched, attached to nor named. nil: everything.
    public var within: Visibility?
    /// New products without files are staged (ImportStage) once the catalog is at least this
    /// large; a test may lower it.
    var stageFrom = ImportStage.worthFrom

    public init(dryRun: Bool = false, jobs: Int = Parallel.defaultJobs, report: HostPath? = nil, progress: (any ProgressReporter)? = nil,
                keepResults: Bool = true, within: Visibility? = nil) {
        self.within = within
        self.dryRun = dryRun
        self.jobs = jobs
        self.report = report
        self.progress = progress
        self.keepResults = keepResults
    }
}

public struct ImportReport: Sendable {
    public var manifest: String
    public var format: String
    public var dryRun: Bool
    /// Every row's result, when the import was asked to keep them (ImportOptions.keepResults).
    public var results: [ImportRowResult]
    /// Rows by status, and all rows, whether or not `results` keeps them.
    public private(set) var counts: [ImportStatus: Int] = [:]
    public private(set) var rowCount = 0
    var keepsResults = true
    /// The first row problems (Kept.limit); `problemsOmitted` says how many more.
    public var problems: [RowProblem] { keptProblems.list }
    public var problemsOmitted: Int { keptProblems.omitted }
    private var keptProblems: Kept<RowProblem>
    /// The first warnings (KeptWarnings.limit); `warningsOmitted` says how many more.
    public var warnings: [String] { keptWarnings.list }
    public var warningsOmitted: Int { keptWarnings.omitted }
    private var keptWarnings: KeptWarnings
    public var newProducts = 0
    public var registered = 0
    public var filesAttached = 0
    public var blobsStored = 0
    public var bytesStored: Int64 = 0
    public var seconds = 0.0
    /// Catalog transactions that stored rows (the first try of each; a redo is not counted).
    var catalogTransactions = 0
    /// Of those, the ones redone row by row after a row failed half-written.
    var catalogRedos = 0
    public var reportPath: String?

    init(manifest: String, format: String, dryRun: Bool, results: [ImportRowResult], problems: [RowProblem], warnings: [String]) {
        self.manifest = manifest
        self.format = format
        self.dryRun = dryRun
        self.results = results
        keptProblems = Kept(problems)
        keptWarnings = KeptWarnings(warnings)
    }

    public func count(_ status: ImportStatus) -> Int { counts[status] ?? 0 }

    mutating func warn(_ more: [String]) { keptWarnings.add(more) }

    mutating func warn(_ more: KeptWarnings) { keptWarnings.add(more) }

    mutating func addProblems(_ more: [RowProblem]) { keptProblems.add(more) }

    mutating func addProblems(_ more: Kept<RowProblem>) { keptProblems.add(more) }

    /// The problems kept, in row and column order.
    mutating func sortProblems() { keptProblems.sort { ($0.row, $0.column) < ($1.row, $1.column) } }

    /// Counts these rows' results, and keeps them if the report keeps results.
    mutating func add(_ rows: [ImportRowResult]) {
        for r in rows { counts[r.status, default: 0] += 1 }
        rowCount += rows.count
        if keepsResults { results += rows }
    }
}

/// Passes the bytes of stored files to the bar but not per-file steps: an import counts rows.
struct BytesOnlyProgress: ProgressReporter {
    let inner: any ProgressReporter
    func start(label: String, totalBytes: Int64, totalItems: Int) {}
    func advance(bytes: Int64) { inner.advance(bytes: bytes) }
    func itemDone() {}
    func finish() {}
}
