import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct MigrationTests {
    /// A catalog written by the first version (lists in child tables) opens with today's schema,
    /// its products intact: lists, digital flag, title key, sort key, search.
    @Test func aVersionOneCatalogIsMigratedWithItsData() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v1: products, files, blobs, events, search")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO products (pk, id, title, title_sort, kind, unit, access, origin, created_at, updated_at, reference_date)
                VALUES (1, '7K3Q-X9M2-PD4R-8WTR', 'Quyền con người', x'00', 'article', '00004', 'public', 'born_digital', 't', 't', '2024-01-01');
                INSERT INTO product_languages VALUES (1, 0, 'vi'), (1, 1, 'tyz');
                INSERT INTO product_channels VALUES (1, 0, 'loudspeaker'), (1, 1, 'zalo');
                INSERT INTO product_topics VALUES (1, 0, 'CRC');
                INSERT INTO products_search (rowid, title, description, keywords) VALUES (1, 'quyen con nguoi', '', 'crc');
                """)
        }
        let catalog = try Catalog(path: path, lockTimeout: 1)
        let product = try #require(try catalog.read { db in try CatalogReads.product(db, id: try ProductID.parse("7K3Q-X9M2-PD4R-8WTR").get()) })
        #expect(product.metadata.languages.map(\.value) == ["vi", "tyz"])
        #expect(product.metadata.channels == [.loudspeaker, .zalo])
        #expect(product.metadata.topics == ["CRC"])
        let row = try #require(try catalog.read { db in try Row.fetchOne(db, sql: "SELECT digital, title_key, title_sort FROM products") })
        #expect(row["digital"] as Int == 1)
        #expect(row["title_key"] as Int64 == TitleKey.of("Quyền con người"))
        #expect([UInt8](row["title_sort"] as Data) == VietnameseText.collationKey("Quyền con người"))
        let tables = try catalog.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(!tables.contains("product_languages"))
        let found = try catalog.read { db in try CatalogReads.list(db, filter: ProductFilter(language: try LanguageTag.parse("tyz").get())) }
        #expect(found.total == 1)
    }

    /// A catalog from before reports (v6) gets its report flags on the first open: the unit's
    /// table, today's province, the language flags; and its products show in reports.
    @Test func aVersionSixCatalogGetsItsReportFlags() throws {
        let scratch = Scratch()
        let root = "\(scratch.path)/archive"
        try scratch.archive().close()
        let path = "\(root)/catalog.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v6: contentless search index, no updated_at index")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO products (pk, id, title, title_sort, kind, unit, access, origin, created_at, updated_at, produced, reference_date,
                                      languages, channels, digital)
                VALUES (1, '7K3Q-X9M2-PD4R-8WTR', 'Phóng sự', x'00', 'radio_report', '23281', 'public', 'physical', 't', 't',
                        '2024-04-01', '2024-04-01', '["bdq"]', '["radio"]', 0);
                """)
        }
        try old.close()
        let archive = try Archive.open(HostPath(root), agent: "test", environment: testEnvironment)
        let row = try #require(try archive.catalog.read { db in
            try Row.fetchOne(db, sql: "SELECT unit_era, province_now, minority, foreign_language, digital FROM products")
        })
        #expect(row["unit_era"] as Int == 0)
        #expect(row["province_now"] as String == "51")
        #expect(row["minority"] as Int == 1)
        #expect(row["foreign_language"] as Int == 0)
        let report = try archive.report(ReportRequest(unitCode: "51", unitEra: .from2025, period: Period.parse("2024").get()))
        #expect(report.counts == Counts(total: 1, digitized: 0, digitalPlatform: 0, diversified: 1))
    }

    /// A catalog from before homes were recorded (v8): a product that arrived in a bundle gets
    /// the sending archive as its home; a product made here has none (this archive).
    @Test func aVersionEightCatalogLearnsItsProductsHomes() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v8: exports")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO products (pk, id, title, title_sort, kind, unit, access, origin, created_at, updated_at, reference_date, languages)
                VALUES (1, '7K3Q-X9M2-PD4R-8WTR', 'Từ xã', x'00', 'article', '00004', 'public', 'born_digital', 't', 't', '2024-01-01', '["vi"]'),
                       (2, '0000-0000-0000-0000', 'Của tỉnh', x'00', 'article', '00004', 'public', 'born_digital', 't', 't', '2024-01-01', '["vi"]');
                INSERT INTO events (at, type, object, product_id, agent, outcome, detail) VALUES
                    ('t', 'bundle_import', 'product:7K3Q-X9M2-PD4R-8WTR', '7K3Q-X9M2-PD4R-8WTR', 'a', 'success',
                     'from bundle kho-export-1 of archive 5b1c-commune, 1 file(s)'),
                    ('t', 'ingestion', 'product:0000-0000-0000-0000', '0000-0000-0000-0000', 'a', 'success', 'born-digital product');
                """)
        }
        let catalog = try Catalog(path: path, lockTimeout: 1)
        let homes = try catalog.read { db in try Row.fetchAll(db, sql: "SELECT id, home_archive FROM products ORDER BY pk").map { $0["home_archive"] as String? } }
        #expect(homes == ["5b1c-commune", nil])
    }

    /// v10 writes the value checks without IN lists (SQLite built a temporary table per row for
    /// those): the same rule still refuses a wrong value, every row stays, the catalog is sound,
    /// and a write no longer opens a temporary table, on the migrating connection too.
    @Test func aVersionNineCatalogGetsChecksWithoutTemporaryTables() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v9: home archives, imported events")
        func temporaryTables(_ db: Database, _ sql: String) throws -> Int {
            try Row.fetchAll(db, sql: "EXPLAIN " + sql).filter { ($0["opcode"] as String) == "OpenEphemeral" }.count
        }
        let insertEvent = "INSERT INTO events (at, type, object, agent, outcome) VALUES ('t', 'ingestion', 'archive', 'a', 'success')"
        let before = try old.write { db -> Int in
            let count = try temporaryTables(db, insertEvent)
            try db.execute(sql: insertEvent)
            try db.execute(sql: """
                INSERT INTO products (pk, id, title, title_sort, kind, unit, access, origin, created_at, updated_at)
                VALUES (1, '7K3Q-X9M2-PD4R-8WTR', 'Từ xã', x'00', 'article', '00004', 'internal', 'born_digital', 't', 't')
                """)
            return count
        }
        #expect(before == 1)
        try old.close()
        let catalog = try Catalog(path: path, lockTimeout: 1)
        let after = try catalog.write { db -> [Int] in
            [try temporaryTables(db, insertEvent),
             try temporaryTables(db, "INSERT INTO products (id, title, title_sort, kind, unit, access, origin, created_at, updated_at) VALUES ('x', 't', x'00', 'k', 'u', 'public', 'physical', 't', 't')"),
             try temporaryTables(db, "INSERT INTO files (product_pk, seq, sha256, role, name, name_bytes, name_encoding, media_type, size, added_at) VALUES (1, 1, 's', 'master', 'n', x'00', 'utf-8', 'm', 1, 't')")]
        }
        #expect(after == [0, 0, 0])
        #expect(try catalog.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        #expect(throws: KhoError.self) {
            try catalog.write { db in try db.execute(sql: "INSERT INTO events (at, type, object, agent, outcome) VALUES ('t', 'ingestion', 'archive', 'a', 'done')") }
        }
        #expect(throws: KhoError.self) {
            try catalog.write { db in try db.execute(sql: "UPDATE products SET access = 'secret' WHERE pk = 1") }
        }
        let kept = try catalog.read { db in try Row.fetchOne(db, sql: "SELECT (SELECT count(*) FROM events), (SELECT access FROM products)") }
        #expect(kept?[0] as Int? == 1)
        #expect(kept?[1] as String? == "internal")
        let fresh = try DatabaseQueue(path: path)
        #expect(try fresh.read { db in try temporaryTables(db, insertEvent) } == 0)
    }

    /// A v9 catalog on read-only storage still opens (v10 to v12 change only speed), and its
    /// products' events are read by product ID.
    @Test func aVersionNineCatalogOpensReadOnly() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v9: home archives, imported events")
        try old.write { db in try db.execute(sql: Self.twoProductsWithEvents) }
        try old.close()
        let catalog = try Catalog(path: path, lockTimeout: 1, readOnly: true)
        let id = try ProductID.parse("7K3Q-X9M2-PD4R-8WTR").get()
        let events = try catalog.read { db in try CatalogReads.events(db, productID: id) }
        #expect(events.map(\.detail) == ["first", "second"])
    }

    static let twoProductsWithEvents = """
        INSERT INTO products (pk, id, title, title_sort, kind, unit, access, origin, created_at, updated_at, reference_date, languages)
        VALUES (1, '7K3Q-X9M2-PD4R-8WTR', 'Một', x'00', 'article', '00004', 'public', 'born_digital', 't', 't', '2024-01-01', '["vi"]'),
               (2, '0000-0000-0000-0000', 'Hai', x'00', 'article', '00004', 'public', 'born_digital', 't', 't', '2024-01-01', '["vi"]');
        INSERT INTO events (at, type, object, product_id, agent, outcome, detail) VALUES
            ('t', 'ingestion', 'product:7K3Q-X9M2-PD4R-8WTR', '7K3Q-X9M2-PD4R-8WTR', 'a', 'success', 'first'),
            ('t', 'ingestion', 'product:0000-0000-0000-0000', '0000-0000-0000-0000', 'a', 'success', 'other'),
            ('t', 'fixity_check', 'archive', NULL, 'a', 'success', 'archive-wide'),
            ('t', 'attach', 'product:7K3Q-X9M2-PD4R-8WTR', '7K3Q-X9M2-PD4R-8WTR', 'a', 'success', 'second');
        """

    /// v12 finds events by their product's row key: every event of a product gets it, an
    /// archive-wide event none, the log stays append-only, and new events get it as written.
    @Test func aVersionElevenCatalogKeysEventsByProduct() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v11: users and sessions")
        try old.write { db in try db.execute(sql: Self.twoProductsWithEvents) }
        try old.close()
        let catalog = try Catalog(path: path, lockTimeout: 1)
        let keys = try catalog.read { db in try Row.fetchAll(db, sql: "SELECT detail, product_pk FROM events ORDER BY pk").map { "\($0[0] as String):\(($0[1] as Int64?).map(String.init) ?? "-")" } }
        #expect(keys == ["first:1", "other:2", "archive-wide:-", "second:1"])
        let id = try ProductID.parse("7K3Q-X9M2-PD4R-8WTR").get()
        try catalog.write { db in
            try CatalogWrites.append(db, PreservationEvent(at: Timestamp(iso: "t"), type: .attach, object: "product:\(id)", productID: id,
                                                           agent: "a", outcome: .success, detail: "third"))
        }
        #expect(try catalog.read { db in try CatalogReads.events(db, productID: id) }.map(\.detail) == ["first", "second", "third"])
        let many = try catalog.read { db in try CatalogReads.events(db, productIDs: [id, try ProductID.parse("0000-0000-0000-0000").get()]) }
        #expect(many.mapValues { $0.compactMap(\.detail) } == [id: ["first", "second", "third"], try ProductID.parse("0000-0000-0000-0000").get(): ["other"]])
        #expect(throws: KhoError.self) { try catalog.write { db in try db.execute(sql: "UPDATE events SET product_pk = 2") } }
        let indexes = try catalog.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name") }
        #expect(indexes.contains("events_product_pk") && !indexes.contains("events_product") && !indexes.contains("products_report_unit"))
    }

    /// v15 remembers who may have read each product (today's access is all an older catalog
    /// knows), withdraws nothing, and indexes the order of change; a v14 catalog still opens
    /// read-only, with every product in its lists.
    @Test func aVersionFourteenCatalogLearnsWhoReadEachProduct() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v14: browse order")
        try old.write { db in
            try db.execute(sql: Self.twoProductsWithEvents)
            try db.execute(sql: "UPDATE products SET access = 'internal' WHERE pk = 2")
            try db.execute(sql: """
                INSERT INTO products (pk, id, title, title_sort, kind, unit, access, origin, created_at, updated_at, reference_date, languages)
                VALUES (3, '1111-1111-1111-1111', 'Ba', x'00', 'article', '00004', 'restricted', 'born_digital', 't', 't', '2024-01-01', '["vi"]')
                """)
        }
        try old.close()
        let readOnly = try Catalog(path: path, lockTimeout: 1, readOnly: true)
        #expect(!readOnly.hasWithdrawals)
        let catalog = try Catalog(path: path, lockTimeout: 1)
        #expect(catalog.hasWithdrawals)
        let rows = try catalog.read { db in try Row.fetchAll(db, sql: "SELECT shown, withdrawn FROM products ORDER BY pk") }
        #expect(rows.map { [$0[0] as Int, $0[1] as Int] } == [[3, 0], [2, 0], [0, 0]])
        let plan = try catalog.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT pk FROM products INDEXED BY products_changed WHERE (updated_at, pk) > ('t', 1) ORDER BY updated_at, pk")
                .map { $0["detail"] as String }.joined(separator: "; ")
        }
        #expect(plan.contains("products_changed") && !plan.contains("TEMP B-TREE"), "\(plan)")
    }

    /// v22 counts each export's products in its row and keeps new lists in parts; an export
    /// recorded before keeps its whole list in its row, still read, and a read-only catalog
    /// without v22 is read as it is.
    @Test func aVersionTwentyOneCatalogCountsItsExportsProducts() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try CatalogSchema.migrator.migrate(old, upTo: "v21: sidecar packs")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO exports (export_id, scope_key, scope, period, created_at, file, format, bundle_sha256, payload_bytes, cursor, product_ids)
                VALUES ('e1', 'k', 's', 'p', 't', '/tmp/e1.tar', 'tar', '', 0, 'c', '["7K3Q-X9M2-PD4R-8WTR","0000-0000-0000-0000"]')
                """)
        }
        try old.close()
        #expect(try !Catalog(path: path, lockTimeout: 1, readOnly: true).hasExportParts)
        let catalog = try Catalog(path: path, lockTimeout: 1)
        #expect(catalog.hasExportParts)
        let row = try catalog.read { db in try Row.fetchOne(db, sql: "SELECT product_count, product_ids FROM exports") }
        #expect(row?["product_count"] == 2 && row?["product_ids"] == "[\"7K3Q-X9M2-PD4R-8WTR\",\"0000-0000-0000-0000\"]")
        #expect(try catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM export_parts") } == 0)
    }
}
