// Putting products into the archive: ingest (born digital, with files), register
// (physical, no file yet) and attach (files for an existing product). Each stores
// its blobs first, then commits the catalog in one transaction: a kill at any
// moment leaves either no trace in the catalog or the whole product.
import Glibc
import GRDB
import KhoCore

public enum PutStatus: String, Sendable, Codable {
    /// A new product, or new files on an existing one.
    case stored
    /// Everything asked for was already in the archive; nothing changed.
    case alreadyPresent = "already_present"
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
    /// A born-digital product with one or more files (masters unless `role` says otherwise).
    public func ingest(_ metadata: ProductMetadata, files: [HostPath], jobs: Int = Archive.defaultJobs,
                       progress: (any ProgressReporter)? = nil) throws(KhoError) -> PutResult {
        guard !files.isEmpty else {
            throw KhoError("missing_file", "ingest needs at least one file; for a product that exists only on paper or tape use kho register")
        }
        let staged = try storeFiles(files, jobs: jobs, progress: progress)
        let now = clock()
        return try catalog.write { db in
            var notices = staged.notices
            let shas = Set(staged.files.map(\.blob.sha256))
            if let existing = try findSameProduct(db, title: metadata.title, shas: shas) {
                return PutResult(product: existing, status: .alreadyPresent,
                                 notices: ["already archived as \(existing.id) with the same title and files; nothing stored"],
                                 newBlobs: staged.newBlobs, bytesStored: 0)
            }
            notices += try holderNotices(db, staged.files)
            let id = try createProduct(db, metadata: metadata, digitization: .bornDigital, files: staged.files,
                                       detail: "born-digital product", at: now)
            let product = try CatalogReads.product(db, id: id)!
            return PutResult(product: product, status: .stored, notices: notices, newBlobs: staged.newBlobs, bytesStored: staged.newBytes)
        }
    }

    /// A product that exists only physically: counted, not yet digitized.
    public func register(_ metadata: ProductMetadata, carrier: Carrier) throws(KhoError) -> PutResult {
        let now = clock()
        return try catalog.write { db in
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
                       method: DigitizationMethod? = nil, jobs: Int = Archive.defaultJobs,
                       progress: (any ProgressReporter)? = nil) throws(KhoError) -> PutResult {
        guard !files.isEmpty else { throw KhoError("missing_file", "attach needs at least one file") }
        let before = try product(id)
        if before.digitization.origin == .bornDigital, digitizedOn != nil || method != nil {
            throw KhoError("not_physical", "product \(id) is born digital; --digitized and --method describe digitizing a physical product")
        }
        if role != .master, digitizedOn != nil || method != nil {
            throw KhoError("not_master", "--digitized and --method describe a digitized master; files attached as \(role.rawValue) are not masters")
        }
        let staged = try storeFiles(files, jobs: jobs, progress: progress)
        let now = clock()
        return try catalog.write { db in
            guard let pk = try CatalogReads.productPK(db, id: id), let current = try CatalogReads.product(db, id: id) else {
                throw KhoError("unknown_product", "no product \(id) in this archive")
            }
            var notices = staged.notices
            let outcome = try attachStaged(db, pk: pk, current: current, files: staged.files, role: role,
                                           digitizedOn: digitizedOn, method: method, detail: "", at: now)
            notices += outcome.notices
            if outcome.added == 0 {
                return PutResult(product: current, status: .alreadyPresent, notices: notices, newBlobs: staged.newBlobs, bytesStored: 0)
            }
            return PutResult(product: try CatalogReads.product(db, id: id)!, status: .stored, notices: notices,
                             newBlobs: staged.newBlobs, bytesStored: staged.newBytes)
        }
    }

    // MARK: Steps inside a catalog transaction, shared with import

    /// Inserts a product with its files (masters) and events; returns its new ID.
    func createProduct(_ db: Database, metadata: ProductMetadata, digitization: Digitization, files: [StagedFile],
                       detail: String, at now: Timestamp) throws -> ProductID {
        var prepared = PreparedProduct(metadata: metadata, digitization: digitization, detail: detail, config: config)
        return try createProduct(db, &prepared, files: files, at: now)
    }

    @discardableResult
    func createProduct(_ db: Database, _ prepared: inout PreparedProduct, files: [StagedFile], at now: Timestamp) throws -> ProductID {
        try createProductRow(db, &prepared, files: files, at: now).id
    }

    /// Like `createProduct`, also giving the new row's key.
    func createProductRow(_ db: Database, _ prepared: inout PreparedProduct, files: [StagedFile], at now: Timestamp) throws -> (id: ProductID, pk: Int64) {
        let pk = try CatalogWrites.insert(db, &prepared, at: now)
        let id = prepared.id
        let size = files.reduce(Int64(0)) { $0 + $1.blob.size }
        let detail = files.isEmpty ? prepared.eventDetail : "\(prepared.eventDetail), \(files.count) file(s), \(Formatting.bytes(size))"
        try CatalogWrites.append(db, event(prepared.eventType, object: "product:\(id)", product: id, detail: detail, at: now))
        try addFiles(db, pk: pk, id: id, files, startingAt: 1, role: .master,
                     eventType: prepared.eventType == .registration ? .attach : .ingestion, at: now)
        return (id, pk)
    }

    /// Adds the files the product does not hold yet. Masters on a physical product that was not
    /// digitized make it digitized (on `digitizedOn`, default today; by `method`, default by carrier).
    func attachStaged(_ db: Database, pk: Int64, current: Product, files: [StagedFile], role: FileRole,
                      digitizedOn: CalendarDate?, method: DigitizationMethod?, detail: String,
                      at now: Timestamp) throws -> (added: Int, notices: [String]) {
        let id = current.id
        var notices: [String] = []
        let held = Set(current.files.map(\.sha256))
        let fresh = files.filter { !held.contains($0.blob.sha256) }
        for file in files where held.contains(file.blob.sha256) {
            let existing = current.files.first { $0.sha256 == file.blob.sha256 }!
            notices.append("\(file.source) is already file \(existing.n) of \(id) (\(existing.name.display)); skipped")
        }
        if fresh.isEmpty { return (0, notices) }
        notices += try holderNotices(db, fresh)
        var text = "\(fresh.count) file(s) as \(role.rawValue), \(Formatting.bytes(fresh.reduce(0) { $0 + $1.blob.size }))"
        if role == .master, current.digitization.origin == .physical, !current.isDigitized {
            let carrier = current.digitization.carrier
            let digitization = Digitization(origin: .physical, carrier: carrier, digitizedOn: digitizedOn ?? now.vietnamDate,
                                            method: method ?? carrier?.defaultMethod ?? .scan)
            try CatalogWrites.setDigitization(db, pk: pk, digitization, at: now)
            text += "; digitized from \(carrier?.rawValue ?? "a physical carrier") on \(digitization.digitizedOn?.description ?? "?") by \(digitization.method?.rawValue ?? "?")"
        }
        try CatalogWrites.append(db, event(.attach, object: "product:\(id)", product: id, detail: detail.isEmpty ? text : "\(text); \(detail)", at: now))
        let next = (current.files.map(\.n).max() ?? 0) + 1
        try addFiles(db, pk: pk, id: id, fresh, startingAt: next, role: role, eventType: .attach, at: now)
        try db.execute(sql: "UPDATE products SET updated_at = ? WHERE pk = ?", arguments: [now.iso, pk])
        return (fresh.count, notices)
    }

    public static var defaultJobs: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    // MARK: Steps shared by ingest and attach

    struct StagedFile: Sendable {
        var source: HostPath
        var name: FileName
        var blob: StoredBlob
        var mediaType: String
    }

    struct StagedFiles: Sendable {
        var files: [StagedFile]
        var notices: [String]
        var newBlobs: Int
        var totalBytes: Int64
        var newBytes: Int64
    }

    /// Checks the sources, the free space and the lock, then stores the blobs.
    func storeFiles(_ sources: [HostPath], jobs: Int, progress: (any ProgressReporter)?) throws(KhoError) -> StagedFiles {
        let (sizes, problems) = BlobStore.checkSources(sources)
        if let first = problems.first {
            throw KhoError(first.code, problems.map(\.message).joined(separator: "\n"), category: first.category, cause: first.cause)
        }
        let total = sizes.reduce(0, +)
        if let free = FS.availableBytes(root), total + (16 << 20) > free {
            throw KhoError("disk_full", "not enough space for \(Formatting.bytes(total)) in the archive at \(root): \(Formatting.bytes(free)) free; nothing was stored", category: .environment)
        }
        try catalog.probeWriteLock()
        let damaged = try catalog.read { db in try CatalogReads.damagedBlobs(db) }
        progress?.start(label: "storing", totalBytes: total, totalItems: sources.count)
        defer { progress?.finish() }
        let stored = try blobs.put(sources, jobs: jobs, damaged: damaged, progress: progress)
        var files: [StagedFile] = []
        var notices: [String] = []
        var firstSource: [String: HostPath] = [:]
        for (source, blob) in zip(sources, stored) {
            if let first = firstSource[blob.sha256] {
                notices.append("\(source) has the same bytes as \(first); stored once")
                continue
            }
            firstSource[blob.sha256] = source
            let name = FileName(bytes: source.lastComponent)
            if name.decodedAs != "utf-8" {
                notices.append("file name of \(source) is not UTF-8; read as \(name.decodedAs): '\(name.display)' (original bytes kept)")
            }
            if blob.repaired { notices.append("\(source) replaced the damaged copy of blob \(blob.sha256.prefix(12))… in the store") }
            files.append(StagedFile(source: source, name: name, blob: blob, mediaType: blob.mediaType))
        }
        let written = stored.filter { $0.wasNew || $0.repaired }
        return StagedFiles(files: files, notices: notices, newBlobs: written.count,
                           totalBytes: files.reduce(0) { $0 + $1.blob.size }, newBytes: written.reduce(0) { $0 + $1.size })
    }

    func addFiles(_ db: Database, pk: Int64, id: ProductID, _ files: [StagedFile], startingAt first: Int,
                          role: FileRole, eventType: EventType, at now: Timestamp) throws {
        for (offset, file) in files.enumerated() {
            let n = first + offset
            try CatalogWrites.recordBlob(db, sha256: file.blob.sha256, size: file.blob.size, repaired: file.blob.repaired, at: now)
            try CatalogWrites.insertFile(db, productPK: pk, file: StoredFile(
                n: n, sha256: file.blob.sha256, size: file.blob.size, name: file.name, role: role,
                mediaType: file.mediaType, addedAt: now))
            try CatalogWrites.append(db, event(eventType, object: "file:\(id)/\(n)", product: id,
                detail: "\(file.name.display): sha256:\(file.blob.sha256), \(file.blob.size) bytes, \(file.mediaType)\(file.blob.wasNew ? "" : ", bytes already in store")",
                at: now))
        }
        if role == .master, !files.isEmpty { try CatalogWrites.markDigitized(db, productPK: pk, at: now) }
    }

    func holderNotices(_ db: Database, _ files: [StagedFile]) throws -> [String] {
        var notices: [String] = []
        for file in files where !file.blob.wasNew {
            for holder in try CatalogReads.holders(db, sha256: file.blob.sha256) {
                notices.append("\(file.source) has the same bytes as file \(holder.n) of \(holder.productID) '\(holder.title)'; the bytes are stored once")
            }
        }
        return notices
    }

    /// The product whose master files are exactly `shas` and whose title is the same.
    func findSameProduct(_ db: Database, title: String, shas: Set<String>) throws -> Product? {
        guard let any = shas.first else { return nil }
        for holder in try CatalogReads.holders(db, sha256: any) where holder.role == .master {
            guard let candidate = try CatalogReads.product(db, id: holder.productID) else { continue }
            let masters = Set(candidate.files.filter { $0.role == .master }.map(\.sha256))
            if masters == shas, candidate.metadata.title == title { return candidate }
        }
        return nil
    }

    func findSameRegistration(_ db: Database, metadata m: ProductMetadata, carrier: Carrier) throws -> Product? {
        guard let id = try sameRegistrationID(db, metadata: m, carrier: carrier) else { return nil }
        return try CatalogReads.product(db, id: id)
    }

    /// The ID of a physical product with the same title, kind, unit, dates and carrier.
    func sameRegistrationID(_ db: Database, metadata m: ProductMetadata, carrier: Carrier) throws -> ProductID? {
        let id = try String.fetchOne(db.cachedStatement(sql: """
            SELECT p.id FROM products p
            WHERE p.title_key = ? AND p.title = ? AND p.kind = ? AND p.unit = ? AND p.origin = 'physical' AND p.carrier = ?
              AND p.produced IS ? AND p.published IS ?
            """), arguments: [TitleKey.of(m.title), m.title, m.kind.rawValue, m.unit.value, carrier.rawValue, m.produced?.description, m.published?.description])
        return id.flatMap { try? ProductID.parse($0).get() }
    }
}
