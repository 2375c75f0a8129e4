// Rows read by position without GRDB's generic decoding (RowValues), and the sidecar rows read
// with it, decoded on the renderers' threads: the same products as the catalog's other reads.
import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct RowValuesTests {
    @Test func eachStorageClassReadsAsItsType() throws {
        let db = try DatabaseQueue()
        let (rows, c) = try db.read { db in
            try RowValues.fetchAll(db.makeStatement(sql: "SELECT 'Tờ rơi' AS t, 42 AS n, NULL AS z, x'00ff' AS b, 3.0 AS d, 0 AS f"), arguments: [])
        }
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(row[c["t"]] as String == "Tờ rơi")
        #expect(row[c["n"]] as Int64 == 42)
        #expect(row[c["n"]] as Int == 42)
        #expect(row[c["n"]] as Bool)
        #expect(!(row[c["f"]] as Bool))
        #expect(row[c["z"]] as String? == nil)
        #expect(row[c["z"]] as Int64? == nil)
        #expect(row[c["b"]] as Data == Data([0, 255]))
        #expect(row[c["d"]] as Int64 == 3)
        #expect(row[c["t"]] as Data == Data("Tờ rơi".utf8))
    }

    @Test func sidecarRowsDecodeToTheProductsTheCatalogReads() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let a = try archive.ingest(try metadata("Bài viết", languages: ["vi", "tyz"]),
                                   files: [scratch.hostFile("bài viết.txt", "Nội dung"), scratch.hostFile("ảnh.png", "ảnh")]).product
        let b = try archive.ingest(try metadata("Poster", kind: .poster), files: [scratch.hostFile("p.pdf", "%PDF-1.4")]).product
        let pks = try archive.catalog.read { db in try Int64.fetchAll(db, sql: "SELECT pk FROM products ORDER BY pk") }
        let (rows, columns) = try archive.catalog.read { db in try CatalogReads.sidecarRows(db, pks: pks + [9_999]) }
        #expect(rows.count == 2)  // a key without a product is left out
        var tags: [String: LanguageTag] = [:]
        for (pk, product) in zip(pks, [a, b]) {
            let content = try CatalogReads.sidecarContent(try #require(rows[pk]), columns, tags: &tags)
            #expect(content.key == pk)
            #expect(content.product == (try archive.product(product.id)))
            #expect(content.events == (try archive.events(of: product.id)))
            #expect(content.events.count == 1 + product.files.count)
        }
        #expect(Set(tags.keys) == ["vi", "tyz"])
    }
}
