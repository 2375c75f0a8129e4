// The steps of putting products, inside one catalog transaction: shared by ingest, register,
// attach, import and bundle import.
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    /// Inserts a product with its files (masters) and events; returns its new ID.
    func createProduct(_ db: Database, metadata: ProductMetadata, digitization: Digitization, files: [StagedFile],
                       detail: String, at now: Timestamp) throws -> ProductID {
        var prepared = PreparedProduct(id: ids.productID(), metadata: metadata, digitization: digitization, detail: detail, config: config)
        return try createProduct(db, &prepared, files: files, at: now)
    }

    @discardableResult
    func createProduct(_ db: Database, _ prepared: inout PreparedProduct, files: [StagedFile], at now: Timestamp) throws -> ProductID {
        try createProductRow(db, &prepared, files: files, at: now).id
    }

    /// Like `createProduct`, also giving the new row's key.
    func createProductRow(_ db: Database, _ prepared: inout PreparedProduct, files: [StagedFile], at now: Timestamp) throws -> (id: ProductID, pk: Int64) {
        // Master files arriving with the product make it digitized from the start.
        let pk = try CatalogWrites.insert(db, &prepared, digitized: !files.isEmpty, at: now, newID: ids.productID)
        let id = prepared.id
        let size = files.reduce(Int64(0)) { $0 + $1.blob.size }
        let detail = files.isEmpty ? prepared.eventDetail : "\(prepared.eventDetail), \(files.count) file(s), \(Formatting.bytes(size))"
        try CatalogWrites.append(db, event(prepared.eventType, object: "product:\(id)", product: id, detail: detail, at: now))
        try addFiles(db, pk: pk, id: id, files, startingAt: 1, role: .master,
                     eventType: prepared.eventType == .registration ? .attach : .ingestion, markDigitized: false, at: now)
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
        var fresh = files.filter { !held.contains($0.blob.sha256) }
        // A new file whose name one of the product's files already has gets a unique name.
        let unique = FileName.unique(fresh.map(\.name), taken: Set(current.files.map(\.name.display)))
        for index in unique.renamed {
            notices.append("\(fresh[index].source) is stored as '\(unique.names[index].display)': file \(current.files.first { $0.name.display == fresh[index].name.display }?.n ?? 0) of \(id) has the name '\(fresh[index].name.display)'")
            fresh[index].name = unique.names[index]
        }
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
        try db.execute(sql: "UPDATE OR FAIL products SET updated_at = ? WHERE pk = ?", arguments: [now.iso, pk])
        return (fresh.count, notices)
    }

    func addFiles(_ db: Database, pk: Int64, id: ProductID, _ files: [StagedFile], startingAt first: Int,
                          role: FileRole, eventType: EventType, markDigitized: Bool = true, at now: Timestamp) throws {
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
        if markDigitized, role == .master, !files.isEmpty { try CatalogWrites.markDigitized(db, productPK: pk, at: now) }
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
