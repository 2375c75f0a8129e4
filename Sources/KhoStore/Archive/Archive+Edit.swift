// Changing a product's descriptive metadata, recorded as a metadata-modification event.
import Crypto
import Foundation
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    /// Replaces the metadata of `id` with `metadata`. `expected` is the product as the caller
    /// read it: if another process changed it meanwhile, nothing is written.
    /// `note` (where the change came from) heads the event's detail.
    public func updateMetadata(_ id: ProductID, from expected: Product, to metadata: ProductMetadata, note: String? = nil) throws(KhoError) -> PutResult {
        let changes = MetadataDiff.changes(from: expected.metadata, to: metadata)
        if changes.isEmpty {
            return PutResult(product: expected, status: .alreadyPresent, notices: ["nothing to change"], newBlobs: 0, bytesStored: 0)
        }
        return try catalog.write { db in
            // Stamped once the write lock is held (see harvesting: datestamps follow commits).
            let now = clock.now()
            guard let pk = try CatalogReads.productPK(db, id: id), let current = try CatalogReads.product(db, id: id) else {
                throw KhoError(.unknownProduct, "no product \(id) in this archive")
            }
            guard current.updatedAt == expected.updatedAt, current.metadata == expected.metadata else {
                throw KhoError(.changedMeanwhile, "product \(id) was changed by someone else while you edited it; nothing was written — show it again and retry")
            }
            try CatalogWrites.updateMetadata(db, pk: pk, metadata: metadata, replacing: current.metadata, config: config, at: now)
            try CatalogWrites.append(db, event(.metadataModification, object: "product:\(id)", product: id,
                                               detail: (note.map { "\($0): " } ?? "") + changes.joined(separator: "; "), at: now))
            return PutResult(product: try CatalogReads.product(db, id: id)!, status: .stored, notices: [], newBlobs: 0, bytesStored: 0)
        }
    }

    /// A token that changes whenever the product's description changes (its time of change and
    /// a digest of its fields): an edit form carries it, and a save from an older form is refused.
    public static func version(of product: Product) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let fields = (try? encoder.encode(product.metadata)) ?? Data()
        return product.updatedAt.iso + "~" + Hex.lower(SHA256.hash(data: fields).prefix(8))
    }
}
