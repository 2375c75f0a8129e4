// The new products of an import's optimistic pass, staged and then moved into the catalog one
// table at a time. Written one at a time, a new product changes a page of each index with
// random keys (its ID, the report and browse indexes by date, its source link) and its
// search, event and source rows come between: on a catalog of a million products a group of
// 16,384 rows changes most pages of those indexes, and they spill from the writer's small
// cache and are read back again and again. Staged in a temporary table (appended in order,
// to a file SQLite deletes), then moved with one INSERT … SELECT a table, the products in
// date order, each index is written in one pass (Scripts/bench, section catalog).
//
// What the rest of the import reads sees every row before it, as when rows are written one at
// a time: the stage is moved before a row writes anything itself, and before a row's lookup
// that may find a staged product (a source ID or title the import has stored). A staged
// product's row key is the next free one, as its insert would have taken. OR FAIL: the moves
// need no statement journal; a move that fails leaves changes, so the transaction is redone
// row by row (retryChunk), without a stage.
import GRDB
import KhoCore
import KhoPlatform

final class ImportStage {
    /// The catalog size (bytes) from which staging pays: four times the writer's page cache,
    /// where its indexes no longer fit in it. Into a smaller catalog the staged rows' second
    /// write costs more than it saves (100,000 registrations into an empty archive: 0.3-0.8 s more).
    static let worthFrom = Int64(Catalog.writerCacheKiB) * 1024 * 4

    /// A stage when the catalog is at least `from` bytes, else nil (rows are written one by one).
    static func ifWorthIt(_ db: Database, from: Int64) throws -> ImportStage? {
        try isWorth(db, from: from) ? ImportStage() : nil
    }

    /// Whether the catalog is at least `from` bytes.
    static func isWorth(_ db: Database, from: Int64) throws -> Bool {
        let pages = try Int64.fetchOne(db, sql: "PRAGMA main.page_count") ?? 0
        let size = try Int64.fetchOne(db, sql: "PRAGMA main.page_size") ?? 4096
        return pages * size >= from
    }

    /// Products staged and not yet moved.
    private(set) var count = 0
    private var nextPK: Int64 = 0
    /// Rows the moves changed (SQLite's count): a row that fails after a move it caused wrote
    /// nothing itself unless the count grew by more.
    private(set) var movedChanges = 0

    /// Two temporary tables, so that no move sorts (a sort would hold a group's rows in memory):
    /// the product rows kept in date order, the rest in row-key order. The date order makes each
    /// staged product land on a random page of a temporary database of about 18 MB a group: with
    /// a cache of 512 KB, 1.8 GB written to its file and 2.1 GB read back per 100,000 rows. A
    /// cache of 4 MB: the last 100,000 of 1,000,000 registrations faster in 7 of 7 alternating
    /// pairs (8.89 9.14 8.92 8.51 s against 9.59 9.28 8.99 9.19 s; on a slower stretch 30.93
    /// 31.68 30.07 s against 35.96 35.66 32.84 s), peaking at 117.4-118.7 MB against 113.0-113.6.
    /// 8 MB gained no more (31.06 29.84 30.69 s) for 121-123 MB. (Moved through SQLite's sorter
    /// from a table in row-key order instead, or with 4 KB temporary pages, it was slower.)
    private static let create = """
        CREATE TEMP TABLE IF NOT EXISTS import_stage_products (
            sort_key TEXT NOT NULL, pk INTEGER NOT NULL, \(CatalogWrites.productColumns), PRIMARY KEY (sort_key, pk)) WITHOUT ROWID;
        CREATE TEMP TABLE IF NOT EXISTS import_stage_rows (pk INTEGER PRIMARY KEY, id, search_title, search_description, search_keywords,
            event_at, event_type, event_object, event_agent, event_outcome, event_detail, source_unit, source_id);
        PRAGMA temp.cache_size = -4096;
        """
    private static let insertProduct = """
        INSERT INTO temp.import_stage_products (sort_key, pk, \(CatalogWrites.productColumns))
        VALUES (\(Array(repeating: "?", count: 32).joined(separator: ", ")))
        """
    private static let insertRest = """
        INSERT INTO temp.import_stage_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Stages a new product under the next row key. `source`: its source link (unit, source ID).
    func add(_ db: Database, _ p: PreparedProduct, event e: PreservationEvent, source: (unit: String, id: String)?, at now: Timestamp) throws {
        if count == 0 {
            try db.execute(sql: Self.create)
            nextPK = (try Int64.fetchOne(db, sql: "SELECT max(pk) FROM products") ?? 0) + 1
        }
        let pk = nextPK
        let product = try RawStatement(db, Self.insertProduct)
        product.bind(1, p.referenceDate ?? "")
        product.bind(2, pk)
        CatalogWrites.bindProduct(product, p, digitized: false, at: now, from: 3)
        try product.execute()
        let rest = try RawStatement(db, Self.insertRest)
        rest.bind(1, pk)
        rest.bind(2, p.id.description)
        rest.bind(3, p.searchTitle)
        rest.bind(4, p.searchDescription)
        rest.bind(5, p.searchKeywords)
        rest.bind(6, e.at.iso)
        rest.bind(7, e.type.rawValue)
        rest.bind(8, e.object)
        rest.bind(9, e.agent)
        rest.bind(10, e.outcome.rawValue)
        rest.bind(11, e.detail)
        rest.bind(12, source?.unit)
        rest.bind(13, source?.id)
        try rest.execute()
        nextPK += 1
        count += 1
    }

    /// Moves what is staged into the catalog (inside the open transaction) and empties the stage.
    func move(_ db: Database) throws {
        guard count > 0 else { return }
        // A move that fails is not counted: what it wrote is then the failing row's, and the
        // transaction is redone row by row.
        let before = db.totalChangesCount
        let product = CatalogWrites.productColumns
        try db.execute(sql: """
            INSERT OR FAIL INTO products (pk, \(product)) SELECT pk, \(product) FROM temp.import_stage_products ORDER BY sort_key, pk;
            INSERT INTO products_search (rowid, title, description, keywords)
                SELECT pk, search_title, search_description, search_keywords FROM temp.import_stage_rows ORDER BY pk;
            INSERT OR FAIL INTO events (at, type, object, product_id, agent, outcome, detail, imported_from, product_pk)
                SELECT event_at, event_type, event_object, id, event_agent, event_outcome, event_detail, NULL, pk FROM temp.import_stage_rows ORDER BY pk;
            INSERT OR IGNORE INTO product_sources (unit, source_id, product_pk)
                SELECT source_unit, source_id, pk FROM temp.import_stage_rows WHERE source_id IS NOT NULL ORDER BY pk;
            DELETE FROM temp.import_stage_products;
            DELETE FROM temp.import_stage_rows;
            """)
        movedChanges += db.totalChangesCount - before
        count = 0
    }
}
