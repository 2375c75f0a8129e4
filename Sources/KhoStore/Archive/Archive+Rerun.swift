// A re-run: the same product put again (the same files and title, the same registration, the
// same source_id). What it says differently is never ignored: each field it gives replaces the
// stored one, as an edit logged with the product; a field it leaves out stays as stored. Access
// is the exception: a re-run may raise it, never lower it (that is `kho edit`'s, done on purpose).
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    /// The metadata a re-run asks for and the changes it makes; nil when it changes nothing.
    func rerunChange(_ stored: Product, given: ProductInput) throws(KhoError) -> (metadata: ProductMetadata, changes: [String])? {
        let merged = given.overlaid(on: ProductInput(stored.metadata))
        let metadata: ProductMetadata
        switch ProductValidator(languages: registry).validate(merged) {
        case .success(let validated): metadata = validated.value
        case .failure(let failure): throw failure.asKhoError
        }
        let was = stored.metadata.access
        if metadata.access.rank < was.rank {
            throw KhoError(.accessLowered, "access: '\(metadata.access.rawValue)' — \(stored.id) is \(was.rawValue) in the archive, and a re-run never lowers access; to open it on purpose: kho edit \(stored.id) --access \(metadata.access.rawValue)",
                           subject: .field("access", metadata.access.rawValue))
        }
        let changes = MetadataDiff.changes(from: stored.metadata, to: metadata)
        return changes.isEmpty ? nil : (metadata, changes)
    }

    /// Applies a re-run of `stored` (ingest or register again): `alreadyPresent` when it changes
    /// nothing, `updated` with the changes otherwise.
    public func applyRerun(_ stored: Product, given: ProductInput, source: String) throws(KhoError) -> PutResult {
        guard let change = try rerunChange(stored, given: given) else {
            return PutResult(product: stored, status: .alreadyPresent, notices: [], newBlobs: 0, bytesStored: 0)
        }
        var result = try updateMetadata(stored.id, from: stored, to: change.metadata, note: "re-run of \(source)")
        result.status = .updated
        result.notices = ["\(stored.id) was already in the archive; updated: \(change.changes.joined(separator: "; "))"]
        return result
    }

    /// Applies a re-run inside an import's transaction; returns the changes made (none: nothing).
    func applyRerun(_ db: Database, id: ProductID, given: ProductInput?, detail: String, at now: Timestamp) throws -> [String] {
        guard let given, let pk = try CatalogReads.productPK(db, id: id), let stored = try CatalogReads.product(db, id: id),
              let change = try rerunChange(stored, given: given) else { return [] }
        try CatalogWrites.updateMetadata(db, pk: pk, metadata: change.metadata, replacing: stored.metadata, config: config, at: now)
        try CatalogWrites.append(db, event(.metadataModification, object: "product:\(id)", product: id,
                                           detail: "\(detail): " + change.changes.joined(separator: "; "), at: now))
        return change.changes
    }
}
