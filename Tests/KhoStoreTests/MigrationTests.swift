import Foundation
import GRDB
import Testing
import KhoCore
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
}
