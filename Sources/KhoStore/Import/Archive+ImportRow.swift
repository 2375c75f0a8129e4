// Storing one checked row of a manifest: a new product (born digital, physical, or physical
// with its scans), or files for an existing product; and recognising rows stored before.
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    enum RowEffect { case none, newProduct, registered, attached(Int), updated }

    /// The product a new-product row would create, computed ahead (nil for attach rows). `newID`:
    /// its ID, given its metadata (ImportIDs).
    static func prepare(_ row: PlannedRow, manifest: String, config: ArchiveConfig, newID: (ProductMetadata) -> ProductID, at now: Timestamp) -> PreparedProduct? {
        let provenance = "imported from \(manifest) row \(row.row)" + (row.sourceID.map { ", source_id \($0)" } ?? "")
        switch row.action {
        case .ingest(let m, _)?:
            return PreparedProduct(id: newID(m), metadata: m, digitization: .bornDigital, detail: "born-digital product; \(provenance)", config: config)
        case .register(let m, let carrier)?:
            return PreparedProduct(id: newID(m), metadata: m, digitization: Digitization(origin: .physical, carrier: carrier),
                                   detail: "physical product on \(carrier.rawValue), not yet digitized; \(provenance)", config: config)
        case .digitized(let m, let carrier, _, let on, let method)?:
            let d = Digitization(origin: .physical, carrier: carrier, digitizedOn: on ?? now.vietnamDate, method: method ?? carrier.defaultMethod)
            return PreparedProduct(id: newID(m), metadata: m, digitization: d,
                                   detail: "physical product on \(carrier.rawValue), digitized on \(d.digitizedOn?.description ?? "?") by \(d.method?.rawValue ?? "?"); \(provenance)", config: config)
        case .attach?, nil:
            return nil
        }
    }

    /// Stores one valid row (inside a savepoint, or optimistically inside the chunk's transaction).
    /// Every check that can refuse the row comes before its first write: the optimistic pass
    /// redoes a refused row alone only when it wrote nothing.
    /// `stage`: where a new product without files goes (the optimistic pass); whatever else the
    /// row reads or writes comes after the stage is moved (ImportStage.swift).
    func importRow(_ db: Database, row: PlannedRow, prepared: inout PreparedProduct?, files: [StagedFile], manifest: String,
                           lookups: ChunkLookups, trusted: Bool, stage: ImportStage? = nil, at now: Timestamp) throws -> (ImportRowResult, RowEffect) {
        let known = trusted ? lookups : nil
        let provenance = "imported from \(manifest) row \(row.row)" + (row.sourceID.map { ", source_id \($0)" } ?? "")
        func result(_ status: ImportStatus, _ id: ProductID, _ message: String, _ effect: RowEffect = .none) -> (ImportRowResult, RowEffect) {
            (ImportRowResult(row: row.row, status: status, productID: id, sourceID: row.sourceID, message: message), effect)
        }
        switch row.action! {
        case .attach(let id, _, let on, let method):
            try stage?.move(db)
            guard let pk = try CatalogReads.productPK(db, id: id), let current = try CatalogReads.product(db, id: id),
                  try Self.mayTouch(db, id, lookups.within) else {
                throw KhoError(.unknownProduct, lookups.within == nil ? "no product \(id) in the archive" : "no product \(id) in your scope")
            }
            let digitizing = current.digitization.origin == .physical
            let outcome = try attachStaged(db, pk: pk, current: current, files: files, role: .master,
                                           digitizedOn: digitizing ? on : nil, method: digitizing ? method : nil, detail: provenance, at: now)
            if outcome.added == 0 { return result(.alreadyPresent, id, "the product already holds these files") }
            return result(.stored, id, "\(outcome.added) file(s) attached", .attached(outcome.added))

        case .ingest(let m, _), .register(let m, _), .digitized(let m, _, _, _, _):
            if let source = row.sourceID, known?.mayHaveSource(m.unit.value, source) ?? true,
               try { try stage?.move(db); return true }(),
               let known = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT p.id, p.title FROM product_sources s JOIN products p ON p.pk = s.product_pk WHERE s.unit = ? AND s.source_id = ?
                    """), arguments: [m.unit.value, source]),
               let id = try? ProductID.parse(known["id"] as String).get() {
                let title: String = known["title"]
                guard try Self.mayTouch(db, id, lookups.within) else {
                    throw KhoError(.sourceIdConflict, "source_id '\(source)' of unit \(m.unit) is already used by another product; give this row another source_id")
                }
                guard title == m.title else {
                    throw KhoError(.sourceIdConflict, "source_id '\(source)' of unit \(m.unit) already names product \(id) '\(title)'; give this row another source_id or correct its title")
                }
                return try rerun(db, id, row: row, found: "same source_id", provenance: provenance, at: now)
            }
            var existing: ProductID?
            if known?.mayHaveTitle(m.title) ?? true {
                try stage?.move(db)
                switch row.action! {
                case .register(_, let carrier): existing = try sameRegistrationID(db, metadata: m, carrier: carrier)
                default: existing = try findSameProduct(db, title: m.title, shas: Set(files.map(\.blob.sha256)))?.id
                }
            }
            if let found = existing, try !Self.mayTouch(db, found, lookups.within) { existing = nil }   // another unit's: a product of its own
            if let existing {
                // The re-run's checks before the row's first write (see ImportCommit.swift).
                let outcome = try rerun(db, existing, row: row, found: files.isEmpty ? "already registered" : "same title and files", provenance: provenance, at: now)
                try linkSource(db, row: row, unit: m.unit, pk: CatalogReads.productPK(db, id: existing))
                return outcome
            }
            var product = prepared ?? Self.prepare(row, manifest: manifest, config: config, newID: { _ in ids.productID() }, at: now)!
            let id = product.id
            if let stage, files.isEmpty {
                try stage.add(db, product, event: event(product.eventType, object: "product:\(id)", product: id, detail: product.eventDetail, at: now),
                                  source: row.sourceID.map { (m.unit.value, $0) }, at: now)
            } else {
                try stage?.move(db)
                let created = try createProductRow(db, &product, files: files, at: now)
                try linkSource(db, row: row, unit: m.unit, pk: created.pk)
            }
            prepared = product
            lookups.stored(title: m.title, unit: m.unit.value, source: row.sourceID)
            return files.isEmpty ? result(.stored, product.id, "registered, not yet digitized", .registered)
                                 : result(.stored, product.id, "\(files.count) file(s)", .newProduct)
        }
    }

    /// A row naming a product already stored: what it gives differently is applied as an edit
    /// ("updated"), or refused when it would lower access; otherwise it is already present.
    private func rerun(_ db: Database, _ id: ProductID, row: PlannedRow, found: String, provenance: String, at now: Timestamp) throws -> (ImportRowResult, RowEffect) {
        let changes = try applyRerun(db, id: id, given: row.given, detail: "re-run of \(provenance)", at: now)
        if changes.isEmpty {
            let message = found == "already registered" ? found : "already in the archive (\(found))"
            return (ImportRowResult(row: row.row, status: .alreadyPresent, productID: id, sourceID: row.sourceID, message: message), .none)
        }
        return (ImportRowResult(row: row.row, status: .updated, productID: id, sourceID: row.sourceID,
                                message: "already in the archive (\(found)); updated: \(changes.joined(separator: "; "))"), .updated)
    }

    /// Links the row's source ID to the product, and marks the product's sidecar due when the
    /// link is new (no trigger does: see CatalogSchema+Journal.swift).
    private func linkSource(_ db: Database, row: PlannedRow, unit: UnitCode, pk: Int64?) throws {
        guard let source = row.sourceID, let pk else { return }
        let link = try RawStatement(db, "INSERT OR IGNORE INTO product_sources (unit, source_id, product_pk) VALUES (?, ?, ?)")
        link.bind(1, unit.value)
        link.bind(2, source)
        link.bind(3, pk)
        try link.execute()
        guard db.changesCount > 0 else { return }
        try CatalogWrites.markSidecarDue(db, productPK: pk)
    }

    func describe(_ action: ImportAction) -> String {
        switch action {
        case .ingest(_, let files): "would store a born-digital product with \(files.count) file(s)"
        case .register(_, let carrier): "would register a product on \(carrier.rawValue), not yet digitized"
        case .digitized(_, let carrier, let files, _, _): "would store a product digitized from \(carrier.rawValue) with \(files.count) file(s)"
        case .attach(let id, let files, _, _): "would attach \(files.count) file(s) to \(id)"
        }
    }
}
