// Exporting a scope as one BagIt bag for the province or the national shared database. The
// bag appears under its name only when complete and flushed; the export's record (and with
// it the cursor of --since-last) is written only after that.
import Foundation
import KhoBundle
import KhoCore
import KhoPlatform
import KhoStore

/// `kho export`. Restricted products never leave; the result says how many were left out.
public struct Export: ArchiveOperation {
    public var unitCode: String?
    public var unitEra: AdminUnit.Era?
    /// nil: every date, undated products included.
    public var period: Period?
    public var since: ExportSince
    public var format: BundleFormat
    public var output: OutputFile
    /// Add SHA-512 manifests beside the SHA-256 ones.
    public var sha512: Bool

    public init(unitCode: String? = nil, unitEra: AdminUnit.Era? = nil, period: Period? = nil, since: ExportSince = .everything,
                format: BundleFormat, output: OutputFile, sha512: Bool = false) {
        self.unitCode = unitCode
        self.unitEra = unitEra
        self.period = period
        self.since = since
        self.format = format
        self.output = output
        self.sha512 = sha512
    }

    public func run(in session: Session) throws(KhoError) -> ExportSummary {
        let archive = session.archive
        if unitEra != nil && unitCode == nil {
            throw KhoError(.usage, "a unit table (before-2025 or from-2025) needs a unit code")
        }
        var selection = try archive.exportSelection(unitCode: unitCode, unitEra: unitEra, period: period, since: since)
        let sinceLabel: String
        switch since {
        case .everything: sinceLabel = "everything"
        case .lastExport: sinceLabel = "changes after export \(selection.follows?.exportID ?? "")"
        case .date(let d): sinceLabel = "changes from \(d)"
        }
        let periodLabel = period.map { "\($0.label) (\($0.from)..\($0.to))" } ?? "all dates"
        let out = try output.create(outside: archive.root)
        let written: BagAssembly.Written
        let scopeText: String
        do {
            let assembly = BagAssembly(archive: archive, selection: selection, periodLabel: periodLabel, format: format, sha512: sha512,
                                       sinceLabel: sinceLabel, scratchFolder: output.path.parentFolder, progress: session.progress)
            written = try assembly.write(to: out.fileDescriptor)
            scopeText = assembly.scopeText
        }
        try out.commit()
        // The record and the summary list the products in ID order, whatever order the bag has:
        // sorted in place once the bag no longer needs its order (a million IDs are 16 MB).
        selection.ids.sort()
        let productIDs = selection.ids
        // The record (and with it the cursor of --since-last) only once the bundle is in place.
        try archive.recordExport(ExportRecord(
            exportID: written.exportID, scopeKey: selection.scopeKey, scope: scopeText, period: periodLabel,
            follows: selection.follows?.exportID, createdAt: session.clock.now(),
            file: URL(fileURLWithPath: output.path.description).standardizedFileURL.path,
            format: format.rawValue, bundleSHA256: written.summary.bundleSHA256, payloadBytes: written.summary.payloadBytes,
            cursor: selection.cursor, productIDs: productIDs))
        return ExportSummary(exportID: written.exportID, file: output.path.description, format: format.rawValue,
                             products: selection.ids.count, productIDs: productIDs,
                             payloadFiles: written.summary.payloadFiles, payloadBytes: written.summary.payloadBytes,
                             bundleSHA256: written.summary.bundleSHA256, restrictedLeftOut: selection.restrictedLeftOut,
                             follows: selection.follows?.exportID)
    }
}

public struct ExportSummary: Codable, Sendable {
    public var exportID: String
    public var file: String
    public var format: String
    public var products: Int
    public var productIDs: [ProductID]
    public var payloadFiles: Int
    public var payloadBytes: Int64
    public var bundleSHA256: String
    public var restrictedLeftOut: Int
    /// The export this one follows (--since-last).
    public var follows: String?
}

/// `kho exports`: the completed exports, oldest first.
public struct ListExports: ArchiveOperation {
    public init() {}

    /// The exports, each with how many products it took in but not which (`products` empty).
    public func run(in session: Session) throws(KhoError) -> [ExportEntry] {
        try session.archive.exports().map { ExportEntry($0, products: []) }
    }

    /// The exports with their product IDs, one at a time: a whole archive's export lists a
    /// million, and an archive may keep many such.
    public func forEach(in session: Session, _ body: (ExportEntry) throws(KhoError) -> Void) throws(KhoError) {
        for record in try session.archive.exports() {
            try body(ExportEntry(record, products: try session.archive.productIDs(of: record)))
        }
    }
}

public struct ExportEntry: Codable, Sendable {
    public var exportID: String
    public var scope: String
    public var period: String
    public var follows: String?
    public var createdAt: String
    public var file: String
    public var format: String
    public var bundleSHA256: String
    public var payloadBytes: Int64
    public var productCount: Int
    public var products: [ProductID]

    init(_ record: ExportRecord, products: [ProductID]) {
        exportID = record.exportID
        scope = record.scope
        period = record.period
        follows = record.follows
        createdAt = record.createdAt.iso
        file = record.file
        format = record.format
        bundleSHA256 = record.bundleSHA256
        payloadBytes = record.payloadBytes
        productCount = record.productCount
        self.products = products
    }
}
