// Withdrawing a product from circulation: it stays in the archive with its files and history,
// and leaves the lists, exports and harvesting (harvesters are told it is deleted, from the
// moment of the withdrawal on). Recorded as an event with its reason.
import GRDB
import KhoCore

extension Archive {
    /// Withdraws `id` for `reason`; an already withdrawn product is refused (nothing changes).
    public func withdraw(_ id: ProductID, reason: String) throws(KhoError) -> PutResult {
        let reason = reason.trimmingWhitespace()
        guard !reason.isEmpty, reason.utf8.count <= 2000 else {
            throw KhoError(.missingReason, "a withdrawal needs a reason (--reason TEXT, at most 2000 bytes): it is kept in the product's history",
                           subject: .field("--reason", reason))
        }
        guard !TextRules.hasControl(reason) else {
            throw KhoError(.controlCharacters, "the reason holds control characters; write it as plain text", subject: .field("--reason", reason))
        }
        return try catalog.write { db in
            // Stamped once the write lock is held (see harvesting: datestamps follow commits).
            let now = clock.now()
            guard let row = try Row.fetchOne(db, sql: "SELECT pk, withdrawn FROM products WHERE id = ?", arguments: [id.description]) else {
                throw KhoError(.unknownProduct, "no product \(id) in this archive")
            }
            let pk: Int64 = row[0]
            if (row[1] as Int) != 0 {
                let when = try String.fetchOne(db, sql: "SELECT max(at) FROM events WHERE product_id = ? AND type = 'withdrawal'", arguments: [id.description])
                throw KhoError(.alreadyWithdrawn, "product \(id) was already withdrawn\(when.map { " on \($0.prefix(10))" } ?? ""); nothing was changed")
            }
            try db.execute(sql: "UPDATE OR FAIL products SET withdrawn = 1, updated_at = ? WHERE pk = ?", arguments: [now.iso, pk])
            try CatalogWrites.append(db, event(.withdrawal, object: "product:\(id)", product: id, detail: reason, at: now))
            return PutResult(product: try CatalogReads.product(db, id: id)!, status: .stored,
                             notices: ["withdrawn: it no longer appears in lists, exports or OAI-PMH (harvesters see it as deleted)"],
                             newBlobs: 0, bytesStored: 0)
        }
    }

    /// Whether a product is withdrawn.
    public func isWithdrawn(_ id: ProductID) throws(KhoError) -> Bool {
        try catalog.read { db in try Bool.fetchOne(db, sql: "SELECT withdrawn <> 0 FROM products WHERE id = ?", arguments: [id.description]) ?? false }
    }
}
