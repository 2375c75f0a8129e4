// Rows without files commit in groups of write chunks (Archive.groupRows): one transaction for
// thousands of registrations, and still a row is stored whole or not at all.
import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct ImportGroupTests {
    /// 5,000 registrations: three write chunks of at most 2,048 rows, one transaction.
    static let rows = 5000

    func manifest(_ scratch: Scratch) -> HostPath {
        var lines = ["source_id,title,kind,languages,unit,produced,carrier"]
        for i in 0..<Self.rows { lines.append("S\(i),Sản phẩm \(i),leaflet,vi,00004,2024-01-01,paper") }
        return scratch.hostFile("m.csv", lines.joined(separator: "\n") + "\n")
    }

    func results(_ path: HostPath) throws -> [[String]] {
        try String(contentsOfFile: path.description, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// A row the catalog refuses before it writes anything (its source_id names another product)
    /// is rejected alone; the group around it commits once, every other row stored, the result
    /// file in the manifest's order.
    @Test func aRowRefusedBeforeWritingIsRejectedAlone() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let earlier = scratch.hostFile("earlier.csv", "source_id,title,kind,languages,unit,produced,carrier\nS2500,Một tờ rơi khác,leaflet,vi,00004,2023-01-01,paper\n")
        _ = try archive.importManifest(earlier, options: ImportOptions(report: HostPath("\(scratch.path)/earlier.result.csv")))
        let resultPath = HostPath("\(scratch.path)/m.result.csv")
        let report = try archive.importManifest(manifest(scratch), options: ImportOptions(report: resultPath, keepResults: false))
        #expect(report.count(.stored) == Self.rows - 1)
        #expect(report.count(.rejected) == 1)
        #expect(report.catalogTransactions == 1)
        let lines = try results(resultPath)
        #expect(lines.map { Int($0[0]) } == (2...Self.rows + 1).map { Optional($0) })
        let refused = try #require(lines.first { $0.contains("S2500") })
        #expect(refused.contains("rejected"))
        #expect(refused.joined(separator: ",").contains("already names product"))
        let count = try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM products") }
        #expect(count == Self.rows)
    }

    /// A row that fails half-written (here a trigger refuses its event after its product row
    /// was inserted) makes the whole group be redone row by row, the joined chunks included:
    /// that row leaves nothing behind, every other row is stored once.
    @Test func aRowFailingHalfWrittenRedoesTheGroupRowByRow() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        try archive.catalog.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_one BEFORE INSERT ON events WHEN NEW.detail LIKE '%source_id S4000'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        }
        let resultPath = HostPath("\(scratch.path)/m.result.csv")
        let report = try archive.importManifest(manifest(scratch), options: ImportOptions(report: resultPath, keepResults: false))
        #expect(report.count(.stored) == Self.rows - 1)
        #expect(report.count(.rejected) == 1)
        // The first two chunks, redone; the third in a transaction of its own.
        #expect(report.catalogTransactions == 2)
        let lines = try results(resultPath)
        #expect(lines.count == Self.rows)
        #expect(lines.first { $0.contains("S4000") }?.joined(separator: ",").contains("refused by the test") == true)
        let found = try archive.catalog.read { db in
            try Row.fetchOne(db, sql: """
                SELECT count(*), count(DISTINCT title), sum(title = 'Sản phẩm 4000'),
                       (SELECT count(*) FROM product_sources), (SELECT count(*) FROM events WHERE product_id IS NOT NULL)
                FROM products
                """)
        }
        #expect(found?[0] as Int? == Self.rows - 1)
        #expect(found?[1] as Int? == Self.rows - 1)
        #expect(found?[2] as Int? == 0)
        #expect(found?[3] as Int? == Self.rows - 1)
        #expect(found?[4] as Int? == Self.rows - 1)
    }
}
