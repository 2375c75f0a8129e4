// Writing products, files, blobs and events inside a catalog transaction.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

enum CatalogWrites {
    /// Inserts a product without files (marked digitized when its master files follow in the
    /// same transaction); returns its row key. A new random ID that happens to exist already
    /// (a unique-key collision) is replaced by one from `newID` and the insert retried.
    /// OR FAIL: a one-row insert's checks all come before its writes, so it needs no statement
    /// journal to undo itself (under ABORT, SQLite copies every page the statement touches that
    /// the transaction had already changed: 16 KB per index entry, 300 KB a row on a large
    /// catalog). A failure after the row was written (its trigger) still fails the statement;
    /// the transaction or savepoint around it is what undoes it (the import checks the change count).
    static func insert(_ db: Database, _ p: inout PreparedProduct, digitized: Bool = false, at now: Timestamp, newID: () -> ProductID) throws -> Int64 {
        let insert = try RawStatement(db, insertProduct)
        for attempt in 1...5 {
            bindProduct(insert, p, digitized: digitized, at: now)
            let code = try insert.run()
            if !RawStatement.isConstraint(code) { break }
            guard attempt < 5, try CatalogReads.productPK(db, id: p.id) != nil else {
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "product \(p.id) violates a constraint of the catalog")
            }
            p.id = newID()
        }
        let pk = db.lastInsertedRowID
        let search = try RawStatement(db, "INSERT INTO products_search (rowid, title, description, keywords) VALUES (?, ?, ?, ?)")
        search.bind(1, pk)
        search.bind(2, p.searchTitle)
        search.bind(3, p.searchDescription)
        search.bind(4, p.searchKeywords)
        try search.execute()
        return pk
    }

    /// The columns `bindProduct` binds, in its order.
    static let productColumns = """
        id, title, title_sort, kind, unit, produced, published, reference_date, campaign,
        description, creator, access, origin, carrier, digitized_on, digitization_method, digitized,
        created_at, updated_at, languages, channels, topics, digital, title_key, minority, foreign_language, unit_era, province_now,
        home_archive, shown
        """

    private static let insertProduct = """
        INSERT OR FAIL INTO products (\(productColumns))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Binds a new product's row (`productColumns`) to parameters `first`… of `statement`.
    static func bindProduct(_ statement: RawStatement, _ p: PreparedProduct, digitized: Bool, at now: Timestamp, from first: Int32 = 1) {
        let m = p.metadata, d = p.digitization
        statement.bind(first, p.id.description)
        statement.bind(first + 1, m.title)
        statement.bind(first + 2, p.titleSort)
        statement.bind(first + 3, m.kind.rawValue)
        statement.bind(first + 4, m.unit.value)
        statement.bind(first + 5, p.produced)
        statement.bind(first + 6, p.published)
        statement.bind(first + 7, p.referenceDate)
        statement.bind(first + 8, m.campaign)
        statement.bind(first + 9, m.description)
        statement.bind(first + 10, m.creator)
        statement.bind(first + 11, m.access.rawValue)
        statement.bind(first + 12, d.origin.rawValue)
        statement.bind(first + 13, d.carrier?.rawValue)
        statement.bind(first + 14, p.digitizedOn)
        statement.bind(first + 15, d.method?.rawValue)
        statement.bind(first + 16, digitized ? 1 : 0)
        statement.bind(first + 17, now.iso)
        statement.bind(first + 18, now.iso)
        statement.bind(first + 19, p.languagesJSON)
        statement.bind(first + 20, p.channelsJSON)
        statement.bind(first + 21, p.topicsJSON)
        statement.bind(first + 22, p.flags.digital ? 1 : 0)
        statement.bind(first + 23, p.titleKey)
        statement.bind(first + 24, p.flags.minority ? 1 : 0)
        statement.bind(first + 25, p.flags.foreign ? 1 : 0)
        statement.bind(first + 26, p.flags.unitEra)
        statement.bind(first + 27, p.flags.provinceNow)
        statement.bind(first + 28, p.homeArchive)
        statement.bind(first + 29, Int64(shownBits(m.access)))
    }

    /// Replaces a product's descriptive metadata (not its files or digitization). `old` is the
    /// metadata being replaced: the contentless search index forgets a row by its old values.
    static func updateMetadata(_ db: Database, pk: Int64, metadata m: ProductMetadata, replacing old: ProductMetadata,
                               config: ArchiveConfig, at now: Timestamp) throws {
        let flags = config.flags(m)
        try db.execute(sql: """
            UPDATE OR FAIL products SET title = ?, title_sort = ?, kind = ?, unit = ?, produced = ?, published = ?,
                reference_date = ?, campaign = ?, description = ?, creator = ?, access = ?, updated_at = ?,
                languages = ?, channels = ?, topics = ?, digital = ?, title_key = ?, minority = ?, foreign_language = ?,
                unit_era = ?, province_now = ?, shown = shown | ?
            WHERE pk = ?
            """, arguments: [
                m.title, Data(VietnameseText.collationKey(m.title)), m.kind.rawValue, m.unit.value,
                m.produced?.description, m.published?.description, m.referenceDate?.description, m.campaign,
                m.description, m.creator, m.access.rawValue, now.iso, JSONList.encode(m.languages.map(\.value)),
                JSONList.encode(m.channels.map(\.rawValue)), JSONList.encode(m.topics), flags.digital ? 1 : 0,
                TitleKey.of(m.title), flags.minority ? 1 : 0, flags.foreign ? 1 : 0, flags.unitEra, flags.provinceNow, shownBits(m.access), pk,
            ])
        try db.execute(sql: "INSERT INTO products_search (products_search, rowid, title, description, keywords) VALUES ('delete', ?, ?, ?, ?)",
                       arguments: [pk, SearchQuery.indexText(old.title), SearchQuery.indexText(old.description),
                                   SearchQuery.indexText(old.searchKeywords)])
        try db.execute(sql: "INSERT INTO products_search (rowid, title, description, keywords) VALUES (?, ?, ?, ?)",
                       arguments: [pk, SearchQuery.indexText(m.title), SearchQuery.indexText(m.description),
                                   SearchQuery.indexText(m.searchKeywords)])
    }

    /// Who may read a product of this access (1: anyone, 2: exporters), kept in `shown` for
    /// harvesting: once set, a bit stays.
    static func shownBits(_ access: AccessLevel) -> Int {
        switch access {
        case .public: 3
        case .internal: 2
        case .restricted: 0
        }
    }

    /// The same in SQL, of an access column.
    static func shownSQL(_ column: String) -> String {
        "CASE \(column) WHEN 'public' THEN 3 WHEN 'internal' THEN 2 ELSE 0 END"
    }

    static func setDigitization(_ db: Database, pk: Int64, _ d: Digitization, at now: Timestamp) throws {
        try db.execute(sql: """
            UPDATE OR FAIL products SET carrier = ?, digitized_on = ?, digitization_method = ?, updated_at = ? WHERE pk = ?
            """, arguments: [d.carrier?.rawValue, d.digitizedOn?.description, d.method?.rawValue, now.iso, pk])
    }

    /// Records a blob; a repaired one gets its check outcome reset.
    static func recordBlob(_ db: Database, sha256: String, size: Int64, repaired: Bool, at now: Timestamp) throws {
        let insert = try RawStatement(db, "INSERT OR IGNORE INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?)")
        insert.bind(1, sha256)
        insert.bind(2, size)
        insert.bind(3, now.iso)
        try insert.run()
        if repaired {
            try db.execute(sql: "UPDATE blobs SET last_check_outcome = 'repaired', last_checked_at = ? WHERE sha256 = ?",
                           arguments: [now.iso, sha256])
        }
    }

    /// Adds a file row and marks the product's sidecar due (no trigger does: see
    /// CatalogSchema+Journal.swift). The caller marks the product digitized once
    /// (`markDigitized`) when masters arrive.
    static func insertFile(_ db: Database, productPK: Int64, file f: StoredFile) throws {
        let insert = try RawStatement(db, """
            INSERT INTO files (product_pk, seq, sha256, role, name, name_bytes, name_encoding, media_type, size, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, productPK)
        insert.bind(2, Int64(f.n))
        insert.bind(3, f.sha256)
        insert.bind(4, f.role.rawValue)
        insert.bind(5, f.name.display)
        insert.bind(6, f.name.original)
        insert.bind(7, f.name.decodedAs)
        insert.bind(8, f.mediaType)
        insert.bind(9, f.size)
        insert.bind(10, f.addedAt.iso)
        try insert.execute()
        try markSidecarDue(db, productPK: productPK)
    }

    static func markSidecarDue(_ db: Database, productPK: Int64) throws {
        let due = try RawStatement(db, "INSERT INTO sidecar_due (product_pk) VALUES (?) ON CONFLICT DO NOTHING")
        due.bind(1, productPK)
        try due.execute()
    }

    static func markDigitized(_ db: Database, productPK: Int64, at now: Timestamp) throws {
        try db.cachedStatement(sql: "UPDATE OR FAIL products SET digitized = 1, updated_at = ? WHERE pk = ?").execute(arguments: [now.iso, productPK])
    }

    /// OR FAIL, like `insert`: no statement journal for a one-row insert.
    static func append(_ db: Database, _ e: PreservationEvent) throws {
        let statement = try RawStatement(db, """
            INSERT OR FAIL INTO events (at, type, object, product_id, agent, outcome, detail, imported_from, product_pk)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (SELECT pk FROM products WHERE id = ?4))
            """)
        statement.bind(1, e.at.iso)
        statement.bind(2, e.type.rawValue)
        statement.bind(3, e.object)
        statement.bind(4, e.productID?.description)
        statement.bind(5, e.agent)
        statement.bind(6, e.outcome.rawValue)
        statement.bind(7, e.detail)
        statement.bind(8, e.importedFrom)
        try statement.execute()
    }

    static func recordFixity(_ db: Database, sha256: String, outcome: String, at now: Timestamp) throws {
        try db.cachedStatement(sql: "UPDATE blobs SET last_checked_at = ?, last_check_outcome = ? WHERE sha256 = ?")
            .execute(arguments: [now.iso, outcome, sha256])
    }
}

extension CatalogWrites {
    /// Recomputes every product's report flags under `config` (after kho-config.json or the
    /// unit tables changed). Returns how many products changed.
    static func recomputeFlags(_ db: Database, config: ArchiveConfig) throws -> Int {
        let update = try db.makeStatement(sql: """
            UPDATE OR FAIL products SET digital = ?, minority = ?, foreign_language = ?, unit_era = ?, province_now = ? WHERE pk = ?
            """)
        var changed: [(Int64, ReportFlags)] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT pk, languages, channels, unit, produced, published, digital, minority, foreign_language, unit_era, province_now FROM products
            """)
        while let row = try rows.next() {
            let languages = (JSONList.decode(row["languages"]) ?? []).compactMap { try? LanguageTag.parse($0).get() }
            let channels = (JSONList.decode(row["channels"]) ?? []).compactMap(Channel.init(rawValue:))
            func date(_ column: String) -> CalendarDate? { (row[column] as String?).flatMap { try? CalendarDate.parse($0).get() } }
            let flags = config.flags(languages: languages, channels: channels, unit: row["unit"], produced: date("produced"), published: date("published"))
            let stored = ReportFlags(digital: row["digital"] != 0, minority: row["minority"] != 0, foreign: row["foreign_language"] != 0,
                                     unitEra: row["unit_era"], provinceNow: row["province_now"])
            if flags != stored { changed.append((row["pk"], flags)) }
        }
        for (pk, f) in changed {
            try update.execute(arguments: [f.digital ? 1 : 0, f.minority ? 1 : 0, f.foreign ? 1 : 0, f.unitEra, f.provinceNow, pk])
        }
        try db.execute(sql: "INSERT OR REPLACE INTO archive_settings (key, value) VALUES ('flags', ?)", arguments: [config.flagsFingerprint])
        return changed.count
    }
}
