// Writing products, files, blobs and events inside a catalog transaction.
import Foundation
import GRDB
import KhoCore

enum CatalogWrites {
    /// Inserts a product without files; returns its row key.
    static func insertProduct(_ db: Database, id: ProductID, metadata m: ProductMetadata, digitization d: Digitization,
                              at now: Timestamp) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO products (id, title, title_sort, kind, unit, produced, published, reference_date, campaign,
                description, creator, access, origin, carrier, digitized_on, digitization_method, digitized,
                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """, arguments: [
                id.description, m.title, Data(VietnameseText.collationKey(m.title)), m.kind.rawValue, m.unit.value,
                m.produced?.description, m.published?.description, m.referenceDate?.description, m.campaign,
                m.description, m.creator, m.access.rawValue, d.origin.rawValue, d.carrier?.rawValue,
                d.digitizedOn?.description, d.method?.rawValue, now.iso, now.iso,
            ])
        let pk = db.lastInsertedRowID
        try writeLists(db, pk: pk, metadata: m)
        try db.execute(sql: "INSERT INTO products_search (rowid, title, description, keywords) VALUES (?, ?, ?, ?)",
                       arguments: [pk, SearchQuery.indexText(m.title), SearchQuery.indexText(m.description),
                                   SearchQuery.indexText(m.searchKeywords)])
        return pk
    }

    /// Replaces a product's descriptive metadata (not its files or digitization).
    static func updateMetadata(_ db: Database, pk: Int64, metadata m: ProductMetadata, at now: Timestamp) throws {
        try db.execute(sql: """
            UPDATE products SET title = ?, title_sort = ?, kind = ?, unit = ?, produced = ?, published = ?,
                reference_date = ?, campaign = ?, description = ?, creator = ?, access = ?, updated_at = ?
            WHERE pk = ?
            """, arguments: [
                m.title, Data(VietnameseText.collationKey(m.title)), m.kind.rawValue, m.unit.value,
                m.produced?.description, m.published?.description, m.referenceDate?.description, m.campaign,
                m.description, m.creator, m.access.rawValue, now.iso, pk,
            ])
        for table in ["product_languages", "product_channels", "product_topics"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE product_pk = ?", arguments: [pk])
        }
        try writeLists(db, pk: pk, metadata: m)
        try db.execute(sql: "DELETE FROM products_search WHERE rowid = ?", arguments: [pk])
        try db.execute(sql: "INSERT INTO products_search (rowid, title, description, keywords) VALUES (?, ?, ?, ?)",
                       arguments: [pk, SearchQuery.indexText(m.title), SearchQuery.indexText(m.description),
                                   SearchQuery.indexText(m.searchKeywords)])
    }

    private static func writeLists(_ db: Database, pk: Int64, metadata m: ProductMetadata) throws {
        for (i, tag) in m.languages.enumerated() {
            try db.execute(sql: "INSERT INTO product_languages (product_pk, position, tag) VALUES (?, ?, ?)", arguments: [pk, i, tag.value])
        }
        for (i, channel) in m.channels.enumerated() {
            try db.execute(sql: "INSERT INTO product_channels (product_pk, position, channel) VALUES (?, ?, ?)", arguments: [pk, i, channel.rawValue])
        }
        for (i, topic) in m.topics.enumerated() {
            try db.execute(sql: "INSERT INTO product_topics (product_pk, position, topic) VALUES (?, ?, ?)", arguments: [pk, i, topic])
        }
    }

    static func setDigitization(_ db: Database, pk: Int64, _ d: Digitization, at now: Timestamp) throws {
        try db.execute(sql: """
            UPDATE products SET carrier = ?, digitized_on = ?, digitization_method = ?, updated_at = ? WHERE pk = ?
            """, arguments: [d.carrier?.rawValue, d.digitizedOn?.description, d.method?.rawValue, now.iso, pk])
    }

    /// Records a blob; a repaired one gets its check outcome reset.
    static func recordBlob(_ db: Database, sha256: String, size: Int64, repaired: Bool, at now: Timestamp) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?)")
            .execute(arguments: [sha256, size, now.iso])
        if repaired {
            try db.execute(sql: "UPDATE blobs SET last_check_outcome = 'repaired', last_checked_at = ? WHERE sha256 = ?",
                           arguments: [now.iso, sha256])
        }
    }

    /// Adds a file row. The caller marks the product digitized once (`markDigitized`) when masters arrive.
    static func insertFile(_ db: Database, productPK: Int64, file f: StoredFile) throws {
        try db.cachedStatement(sql: """
            INSERT INTO files (product_pk, seq, sha256, role, name, name_bytes, name_encoding, media_type, size, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [productPK, f.n, f.sha256, f.role.rawValue, f.name.display, Data(f.name.original),
                                     f.name.decodedAs, f.mediaType, f.size, f.addedAt.iso])
    }

    static func markDigitized(_ db: Database, productPK: Int64, at now: Timestamp) throws {
        try db.execute(sql: "UPDATE products SET digitized = 1, updated_at = ? WHERE pk = ?", arguments: [now.iso, productPK])
    }

    static func append(_ db: Database, _ e: PreservationEvent) throws {
        try db.cachedStatement(sql: """
            INSERT INTO events (at, type, object, product_id, agent, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [e.at.iso, e.type.rawValue, e.object, e.productID?.description, e.agent, e.outcome.rawValue, e.detail])
    }

    static func recordFixity(_ db: Database, sha256: String, outcome: String, at now: Timestamp) throws {
        try db.cachedStatement(sql: "UPDATE blobs SET last_checked_at = ?, last_check_outcome = ? WHERE sha256 = ?")
            .execute(arguments: [now.iso, outcome, sha256])
    }
}
