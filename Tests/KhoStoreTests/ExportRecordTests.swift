// Export records: what each export took in, read in full or only counted.
import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

/// An export's record keeps every product ID; listings count them without reading them.
@Suite struct ExportRecordTests {
    @Test func listingsCountTheProductsAndEachExportsIDsAreReadApart() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        var rng = SystemRandomNumberGenerator()
        let ids = (0..<3).map { _ in ProductID.generate(using: &rng) }.sorted()
        func record(_ id: String, _ products: [ProductID]) -> ExportRecord {
            ExportRecord(exportID: id, scopeKey: "unit=all;period=all", scope: "the whole archive", period: "all dates", follows: nil,
                         createdAt: Timestamp(iso: "2026-12-07T03:00:00.000Z"), file: "/tmp/\(id).tar", format: "tar",
                         bundleSHA256: String(repeating: "0", count: 64), payloadBytes: 10, cursor: "2026-12-07T02:00:00.000Z", productIDs: products)
        }
        try archive.recordExport(record("e1", ids))
        try archive.recordExport(record("e2", []))
        let listed = try archive.exports()
        #expect(listed.map(\.exportID) == ["e1", "e2"] && listed.map(\.productCount) == [3, 0])
        #expect(listed.allSatisfy { $0.productIDs == nil })
        #expect(try archive.export(id: "e1")?.productCount == 3)
        #expect(try listed.map { try archive.productIDs(of: $0) } == [ids, []])
        // The IDs wait in parts of 8,192, each the JSON text the row held before v22.
        let parts = try archive.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT export_parts.product_ids FROM export_parts JOIN exports ON export_pk = exports.pk WHERE export_id = 'e1' ORDER BY part")
        }
        #expect(parts == [JSONList.encode(ids.map(\.description))])
    }

    @Test func aLongListIsKeptInPartsAndAnOlderRecordWholeInItsRow() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        var rng = SystemRandomNumberGenerator()
        let ids = (0..<(2 * Archive.exportPartSize + 5)).map { _ in ProductID.generate(using: &rng) }
        try archive.recordExport(ExportRecord(exportID: "big", scopeKey: "k", scope: "s", period: "p", follows: nil,
                                              createdAt: Timestamp(iso: "2026-12-07T03:00:00.000Z"), file: "/tmp/big.tar", format: "tar",
                                              bundleSHA256: String(repeating: "0", count: 64), payloadBytes: 1, cursor: "c", productIDs: ids))
        let partCount = try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM export_parts") }
        #expect(partCount == 3)
        // A record made before v22: its list whole in its row, no parts.
        let older = Array(ids.prefix(4))
        try archive.catalog.write { db in
            try db.execute(sql: """
                INSERT INTO exports (export_id, scope_key, scope, period, created_at, file, format, bundle_sha256, payload_bytes, cursor, product_ids, product_count)
                VALUES ('old', 'k', 's', 'p', '2025-01-01T00:00:00.000Z', '/tmp/old.tar', 'tar', '', 0, 'c', ?, 4)
                """, arguments: [JSONList.encode(older.map(\.description))])
        }
        let listed = try archive.exports()
        #expect(listed.map(\.exportID) == ["big", "old"] && listed.map(\.productCount) == [ids.count, 4])
        #expect(try archive.productIDs(of: listed[0]) == ids && archive.productIDs(of: listed[1]) == older)
        // A part that does not read is damage, said, never an empty list.
        try archive.catalog.write { db in try db.execute(sql: "UPDATE export_parts SET product_ids = '[\"7K3Q\"]' WHERE part = 1") }
        #expect { try archive.productIDs(of: listed[0]) } throws: { ($0 as? KhoError)?.code == .catalogDamaged && "\($0)".contains("part 1") }
        #expect(try archive.exports().count == 2)
    }
}
