// What a bundle may do with each of its products, and doing it: the trust rule of bundles
// (see stageBundleGroup).
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    struct BundlePlan {
        var outcome: BundleImportOutcome
        var reason: String?
        var existing: Product?
        var pk: Int64?
        var changes: [String] = []
        var newFiles: [BundleFile] = []
        /// The product's bytes are to be stored (created or given new files).
        var storesFiles: Bool { outcome == .stored || (outcome == .updated && !newFiles.isEmpty) }
    }

    func decide(_ product: BundleProduct, db: Database, sender: String, lowerAccess: Set<ProductID>) throws -> BundlePlan {
        guard let existing = try CatalogReads.product(db, id: product.id), let pk = try CatalogReads.productPK(db, id: product.id) else {
            return BundlePlan(outcome: .stored)
        }
        let held = Set(existing.files.map(\.sha256))
        let newFiles = product.files.filter { !held.contains($0.sha256) }
        let changes = MetadataDiff.changes(from: existing.metadata, to: product.metadata)
        if changes.isEmpty && newFiles.isEmpty { return BundlePlan(outcome: .unchanged, existing: existing, pk: pk) }
        let home = existing.homeArchive ?? info.archiveID
        if sender == info.archiveID {
            // This archive's products change here, never through a bundle claiming to be ours.
            return BundlePlan(outcome: .refused, reason: "\(product.id): the bundle says it comes from this very archive (\(sender)); a product here changes only here — nothing was stored for it")
        }
        guard config.trust.mayUpdate(home: home, sender: sender, unit: existing.metadata.unit) else {
            let whose = home == info.archiveID ? "this archive's own" : "archive \(home)'s"
            return BundlePlan(outcome: .refused, reason: "\(product.id) is \(whose) product; a bundle of archive \(sender) may not change it (\(changes.isEmpty ? "new files" : changes.joined(separator: "; "))) — nothing was stored for it")
        }
        let (was, would) = (existing.metadata.access, product.metadata.access)
        if BundleTrust.lowersAccess(from: was, to: would) && !lowerAccess.contains(product.id) {
            return BundlePlan(outcome: .refused, reason: "\(product.id) would go from \(was.rawValue) to \(would.rawValue) access; nothing was stored for it — if that is meant, import again with --lower-access \(product.id)")
        }
        return BundlePlan(outcome: .updated, existing: existing, pk: pk, changes: changes, newFiles: newFiles)
    }

    /// A product new here: its ID, metadata, files, and its history marked as the sender's.
    /// `prepared`: its rows made ready beforehand (`prepareForCreate`), or nil to make them now.
    func create(_ db: Database, _ product: BundleProduct, prepared made: PreparedProduct?, sender: String, source: String,
                staged: (BundleFile) -> StagedFile, at now: Timestamp) throws {
        var prepared = made ?? Self.prepareForCreate(product, source: source, archiveID: info.archiveID, config: config)
        // Master files make it digitized from the start (not an update of the row just written,
        // which would move its report index entries again).
        let pk = try CatalogWrites.insert(db, &prepared, digitized: product.files.contains { $0.role == .master }, at: now, newID: ids.productID)
        for var event in product.events {
            event.importedFrom = event.importedFrom ?? sender
            try CatalogWrites.append(db, event)
        }
        try CatalogWrites.append(db, event(.bundleImport, object: "product:\(product.id)", product: product.id,
                                           detail: "from \(source), \(product.files.count) file(s)", at: now))
        for file in product.files.sorted(by: { $0.n < $1.n }) {
            try addFiles(db, pk: pk, id: product.id, [staged(file)], startingAt: file.n, role: file.role, eventType: .bundleImport,
                         markDigitized: false, at: now)
        }
    }

    /// A new product's rows, made ready (sort and search keys) outside the transaction.
    static func prepareForCreate(_ product: BundleProduct, source: String, archiveID: String, config: ArchiveConfig) -> PreparedProduct {
        var prepared = PreparedProduct(id: product.id, metadata: product.metadata, digitization: product.digitization,
                                       detail: "from \(source)", config: config)
        prepared.eventType = .bundleImport
        prepared.homeArchive = product.homeArchive == archiveID ? nil : product.homeArchive
        return prepared
    }

    /// A product its home (or a trusted source) changed: the new metadata and files, and the
    /// sender's events not held yet, marked as its history.
    func update(_ db: Database, _ product: BundleProduct, plan: BundlePlan, sender: String, source: String,
                staged: (BundleFile) -> StagedFile, at now: Timestamp) throws {
        guard let existing = plan.existing, let pk = plan.pk else { return }
        if !plan.changes.isEmpty {
            try CatalogWrites.updateMetadata(db, pk: pk, metadata: product.metadata, replacing: existing.metadata, config: config, at: now)
            try CatalogWrites.append(db, event(.metadataModification, object: "product:\(product.id)", product: product.id,
                                               detail: "from \(source): " + plan.changes.joined(separator: "; "), at: now))
        }
        var next = (existing.files.map(\.n).max() ?? 0) + 1
        for file in plan.newFiles {
            try addFiles(db, pk: pk, id: product.id, [staged(file)], startingAt: next, role: file.role, eventType: .bundleImport, at: now)
            next += 1
        }
        func key(_ e: PreservationEvent) -> String { "\(e.at.iso) \(e.type.rawValue) \(e.object) \(e.agent)" }
        let held = Set(try CatalogReads.events(db, productID: product.id).map(key))
        for var event in product.events where !held.contains(key(event)) {
            event.importedFrom = event.importedFrom ?? sender
            try CatalogWrites.append(db, event)
        }
    }
}
