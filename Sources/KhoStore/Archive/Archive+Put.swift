// Putting products into the archive: ingest (born digital, with files), register
// (physical, no file yet) and attach (files for an existing product). Each stores
// its blobs first, then commits the catalog in one transaction: a kill at any
// moment leaves either no trace in the catalog or the whole product.
import Glibc
import GRDB
import KhoCore
import KhoPlatform

public enum PutStatus: String, Sendable, Codable {
    /// A new product, or new files on an existing one.
    case stored
    /// Everything asked for was already in the archive; nothing changed.
    case alreadyPresent = "already_present"
    /// The product was already there, and bytes of its files that were missing or damaged in
    /// the store were replaced by the good ones given.
    case restored
    /// The product was already there, and the metadata given replaced what differed.
    case updated
}

public struct PutResult: Sendable {
    public var product: Product
    public var status: PutStatus
    /// Things the user should know: identical bytes held by other products, skipped duplicates.
    public var notices: [String]
    public var newBlobs: Int
    /// Bytes written to the store now (bytes already stored are not counted).
    public var bytesStored: Int64
}

extension Archive {
    /// A born-digital product with one or more files (masters).
    public func ingest(_ metadata: ProductMetadata, files: [HostPath], jobs: Int = Parallel.defaultJobs,
                       progress: (any ProgressReporter)? = nil) throws(KhoError) -> PutResult {
        guard !files.isEmpty else {
            throw KhoError(.missingFile, "ingest needs at least one file; for a product that exists only on paper or tape use kho register")
        }
        return try commitIngest(metadata, try storeFiles(files, jobs: jobs, progress: progress))
    }

    /// A born-digital product whose files arrived as streams (uploads), already written and
    /// hashed by `BlobWriter`s of this archive.
    /// `within`: a product with the same title and files is recognised only if that user may
    /// see it (anyone else's is neither named nor reused: a new product is made).
    public func ingest(_ metadata: ProductMetadata, written: [WrittenBlob], within visibility: Visibility? = nil) throws(KhoError) -> PutResult {
        guard !written.isEmpty else {
            throw KhoError(.missingFile, "ingest needs at least one file; for a product that exists only on paper or tape use register")
        }
        return try commitIngest(metadata, try adoptWritten(written), within: visibility)
    }

    /// A product that exists only physically: counted, not yet digitized.
    public func register(_ metadata: ProductMetadata, carrier: Carrier) throws(KhoError) -> PutResult {
        return try catalog.write { db in
            // Stamped once the write lock is held: datestamps follow commits (harvesting).
            let now = clock.now()
            if let existing = try findSameRegistration(db, metadata: metadata, carrier: carrier) {
                return PutResult(product: existing, status: .alreadyPresent,
                                 notices: ["already registered as \(existing.id) (same title, kind, unit, dates and carrier); nothing stored"],
                                 newBlobs: 0, bytesStored: 0)
            }
            let id = try createProduct(db, metadata: metadata, digitization: Digitization(origin: .physical, carrier: carrier),
                                       files: [], detail: "physical product on \(carrier.rawValue), not yet digitized", at: now)
            return PutResult(product: try CatalogReads.product(db, id: id)!, status: .stored, notices: [], newBlobs: 0, bytesStored: 0)
        }
    }

    /// Attaches files to an existing product. Masters attached to a physical product make it
    /// digitized, on `digitizedOn` (default: today in Vietnam) by `method` (default: by carrier).
    public func attach(_ id: ProductID, files: [HostPath], role: FileRole = .master, digitizedOn: CalendarDate? = nil,
                       method: DigitizationMethod? = nil, jobs: Int = Parallel.defaultJobs,
                       progress: (any ProgressReporter)? = nil) throws(KhoError) -> PutResult {
        guard !files.isEmpty else { throw KhoError(.missingFile, "attach needs at least one file") }
        try checkAttach(id, role: role, digitizedOn: digitizedOn, method: method)
        let staged = try storeFiles(files, jobs: jobs, progress: progress)
        return try commitAttach(id, staged, role: role, digitizedOn: digitizedOn, method: method)
    }

    /// Attaches files that arrived as streams (uploads), written by `BlobWriter`s of this archive.
    public func attach(_ id: ProductID, written: [WrittenBlob], role: FileRole = .master, digitizedOn: CalendarDate? = nil,
                       method: DigitizationMethod? = nil) throws(KhoError) -> PutResult {
        guard !written.isEmpty else { throw KhoError(.missingFile, "attach needs at least one file") }
        try checkAttach(id, role: role, digitizedOn: digitizedOn, method: method)
        return try commitAttach(id, try adoptWritten(written), role: role, digitizedOn: digitizedOn, method: method)
    }

    /// Refuses what cannot be attached before any byte is stored.
    public func checkAttach(_ id: ProductID, role: FileRole, digitizedOn: CalendarDate?, method: DigitizationMethod?) throws(KhoError) {
        let before = try product(id)
        if before.digitization.origin == .bornDigital, digitizedOn != nil || method != nil {
            throw KhoError(.notPhysical, "product \(id) is born digital; a digitization date and method describe digitizing a physical product")
        }
        if role != .master, digitizedOn != nil || method != nil {
            throw KhoError(.notMaster, "a digitization date and method describe a digitized master; files attached as \(role.rawValue) are not masters")
        }
    }

    private func commitIngest(_ metadata: ProductMetadata, _ staged: StagedFiles, within visibility: Visibility? = nil) throws(KhoError) -> PutResult {
        return try catalog.write { db in
            // Stamped once the write lock is held: datestamps follow commits (harvesting).
            let now = clock.now()
            var notices = staged.notices
            let shas = Set(staged.files.map(\.blob.sha256))
            if let existing = try findSameProduct(db, title: metadata.title, shas: shas),
               try visibility.map({ try Self.isVisible(db, existing.id, $0) }) ?? true {
                let restored = try restorations(db, staged.files, at: now)
                return PutResult(product: existing, status: restored.isEmpty ? .alreadyPresent : .restored,
                                 notices: restored.isEmpty ? ["already archived as \(existing.id) with the same title and files; nothing stored"] : restored,
                                 newBlobs: staged.newBlobs, bytesStored: restored.isEmpty ? 0 : staged.newBytes)
            }
            notices += try holderNotices(db, staged.files)
            let id = try createProduct(db, metadata: metadata, digitization: .bornDigital, files: staged.files,
                                       detail: "born-digital product", at: now)
            let product = try CatalogReads.product(db, id: id)!
            return PutResult(product: product, status: .stored, notices: notices, newBlobs: staged.newBlobs, bytesStored: staged.newBytes)
        }
    }

    private func commitAttach(_ id: ProductID, _ staged: StagedFiles, role: FileRole, digitizedOn: CalendarDate?,
                              method: DigitizationMethod?) throws(KhoError) -> PutResult {
        return try catalog.write { db in
            // Stamped once the write lock is held: datestamps follow commits (harvesting).
            let now = clock.now()
            guard let pk = try CatalogReads.productPK(db, id: id), let current = try CatalogReads.product(db, id: id) else {
                throw KhoError(.unknownProduct, "no product \(id) in this archive")
            }
            var notices = staged.notices
            let outcome = try attachStaged(db, pk: pk, current: current, files: staged.files, role: role,
                                           digitizedOn: digitizedOn, method: method, detail: "", at: now)
            notices += outcome.notices
            if outcome.added == 0 {
                let restored = try restorations(db, staged.files, at: now)
                return PutResult(product: current, status: restored.isEmpty ? .alreadyPresent : .restored, notices: notices + restored,
                                 newBlobs: staged.newBlobs, bytesStored: restored.isEmpty ? 0 : staged.newBytes)
            }
            return PutResult(product: try CatalogReads.product(db, id: id)!, status: .stored, notices: notices,
                             newBlobs: staged.newBlobs, bytesStored: staged.newBytes)
        }
    }

    /// Files whose bytes the catalog already held, stored now because the store's copy was
    /// missing or damaged: each holder gets a `repair` event, the blob's check outcome says
    /// `repaired`. Returns what to tell the user.
    func restorations(_ db: Database, _ files: [StagedFile], at now: Timestamp) throws -> [String] {
        var notices: [String] = []
        for file in files where file.blob.wasNew || file.blob.repaired {
            let holders = try CatalogReads.holders(db, sha256: file.blob.sha256)
            guard !holders.isEmpty else { continue }
            try CatalogWrites.recordBlob(db, sha256: file.blob.sha256, size: file.blob.size, repaired: true, at: now)
            for holder in holders {
                try CatalogWrites.append(db, event(.repair, object: "file:\(holder.productID)/\(holder.n)", product: holder.productID,
                                                   detail: "sha256:\(file.blob.sha256): the stored bytes were \(file.blob.wasNew ? "missing" : "damaged"); restored from \(file.source)",
                                                   at: now))
                notices.append("restored the stored bytes of file \(holder.n) of \(holder.productID) ('\(holder.name)') from \(file.source)")
            }
        }
        return notices
    }
}
