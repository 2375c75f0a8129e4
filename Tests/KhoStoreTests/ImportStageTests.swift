// New products without files are staged and moved into the catalog a table at a time
// (ImportStage): the catalog must end up as when each row is written by itself.
import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct ImportStageTests {
    static let header = "source_id,title,kind,languages,unit,produced,published,channels,carrier,description,files"

    /// Options that stage whatever the catalog's size (a real import stages only into a large one).
    func staging(_ report: HostPath) -> ImportOptions {
        var options = ImportOptions(report: report, keepResults: true)
        options.stageFrom = 0
        return options
    }

    /// Into a small catalog rows are written one by one: nothing is staged.
    @Test func aSmallCatalogIsWrittenRowByRow() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let ways = try archive.catalog.write { db in
            (try ImportStage.ifWorthIt(db, from: ImportStage.worthFrom) == nil, try ImportStage.ifWorthIt(db, from: 0) != nil)
        }
        #expect(ways == (true, true))
    }

    /// A row refused before it writes (its source ID names another product) looks for that
    /// product after the stage is moved: it is rejected alone, the transaction is not redone.
    @Test func aRowRefusedWhileStagingIsRejectedAlone() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let seed = scratch.hostFile("seed.csv", "\(Self.header)\nS5,Một tờ rơi khác,leaflet,vi,00004,2023-01-01,2023-01-01,,paper,,\n")
        _ = try archive.importManifest(seed, options: staging(HostPath("\(scratch.path)/seed.result.csv")))
        let lines = [Self.header] + (0..<20).map { "S\($0),Tờ rơi số \($0),leaflet,vi,00004,2024-0\(1 + $0 % 9)-01,,,paper,," }
        let report = try archive.importManifest(scratch.hostFile("m.csv", lines.joined(separator: "\n") + "\n"),
                                                options: staging(HostPath("\(scratch.path)/r.csv")))
        #expect(report.count(.stored) == 19 && report.count(.rejected) == 1)
        #expect(report.results.first { $0.sourceID == "S5" }?.message.contains("already names product") == true)
        #expect(report.catalogTransactions == 1 && report.catalogRedos == 0)
    }

    /// 600 registrations over three years (some without any date), a row with a file among
    /// them (the stage is moved before it writes), and a last row `SENTINEL`.
    func manifest(_ scratch: Scratch) -> HostPath {
        _ = scratch.hostFile("scan.txt", "bản quét")
        var lines = [Self.header]
        for i in 0..<600 {
            let date = i % 7 == 0 ? "" : String(format: "%04d-%02d-%02d", 2023 + i % 3, 1 + i % 12, 1 + (i * 7) % 28)
            let channels = i % 3 == 0 ? "facebook|radio" : ""
            lines.append("S\(i),Tờ rơi mã r\(i)x về quyền con người,leaflet,\(i % 5 == 0 ? "vi|hmn" : "vi"),00004,\(date),\(date),\(channels),paper,Mô tả số \(i),")
            if i == 300 { lines.append("F1,Bài viết có tệp,article,vi,00004,2024-05-05,2024-05-05,,,,scan.txt") }
        }
        lines.append("SENTINEL,Tờ rơi cuối,leaflet,vi,00004,2024-01-01,2024-01-01,,paper,,")
        return scratch.hostFile("m.csv", lines.joined(separator: "\n") + "\n")
    }

    /// Every product by its source ID: its row key, its columns but the ID and times, its
    /// event (type, detail, row key), its search match, whether its sidecar is due.
    func catalogBySource(_ archive: Archive) throws -> [String: [String]] {
        try archive.catalog.read { db in
            var out: [String: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.source_id, p.pk, p.title, hex(p.title_sort), p.kind, p.unit, p.produced, p.published, p.reference_date,
                       p.description, p.access, p.origin, p.carrier, p.digitized, p.languages, p.channels, p.topics, p.digital,
                       p.title_key, p.minority, p.foreign_language, p.unit_era, p.province_now, p.home_archive, p.shown,
                       (SELECT group_concat(e.type || '|' || e.detail || '|' || e.product_pk, ';') FROM events e WHERE e.product_pk = p.pk),
                       (SELECT count(*) FROM sidecar_due d WHERE d.product_pk = p.pk)
                FROM product_sources s JOIN products p ON p.pk = s.product_pk
                """)
            for row in rows {
                let source: String = row[0]
                var values = (1..<row.count).map { (row[$0] as DatabaseValue).description }
                let pk: Int64 = row[1]
                if source.hasPrefix("S") {
                    // Its title's own word ("r12x") finds it, and only it.
                    let word = "r\(source.dropFirst())x"
                    let found = try Int64.fetchAll(db, sql: "SELECT rowid FROM products_search WHERE products_search MATCH ?", arguments: [word])
                    values.append(found == [pk] ? "found" : "search: \(found)")
                }
                out[source] = values
            }
            return out
        }
    }

    @Test func stagedProductsAreStoredAsRowsWrittenOneByOne() throws {
        // Staged: the whole manifest in one optimistic pass.
        let staged = Scratch()
        let a = try staged.archive()
        let reportA = try a.importManifest(manifest(staged), options: staging(HostPath("\(staged.path)/r.csv")))
        #expect(reportA.count(.stored) == 602)
        #expect(reportA.catalogTransactions == 1 && reportA.catalogRedos == 0)
        // One by one: the move of the staged products fails on the last row's event, so the
        // transaction is redone row by row, each row writing itself.
        let single = Scratch()
        let b = try single.archive()
        try refuseEvent(b, ofSource: "SENTINEL")
        let reportB = try b.importManifest(manifest(single), options: staging(HostPath("\(single.path)/r.csv")))
        #expect(reportB.count(.stored) == 601)
        #expect(reportB.catalogTransactions == 1 && reportB.catalogRedos == 1)
        #expect(reportB.results.first { $0.sourceID == "SENTINEL" }?.message.contains("refused by the test") == true)

        let one = try catalogBySource(a), other = try catalogBySource(b)
        #expect(one.count == 602 && other.count == 601)
        for (source, values) in other {
            #expect(one[source] == values, "\(source): staged \(one[source] ?? []) against one by one \(values)")
        }
        // Row keys follow the manifest's rows, dates or not, the file's row among them.
        let keys = try a.catalog.read { db in
            try Row.fetchAll(db, sql: "SELECT s.source_id, p.pk FROM product_sources s JOIN products p ON p.pk = s.product_pk ORDER BY p.pk")
                .map { $0[0] as String }
        }
        #expect(keys == (0...300).map { "S\($0)" } + ["F1"] + (301..<600).map { "S\($0)" } + ["SENTINEL"])
        let due = try a.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due") }
        #expect(due == 602)
        let stage = try a.catalog.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_temp_master WHERE name LIKE 'import_stage%'")
        }
        #expect(stage == 0, "a reader's connection has no stage of its own")
    }

    /// A row whose title is that of a product staged before it may be a registration of it: the
    /// stage is moved before the row looks (here another registration, of another date, so a
    /// product of its own), and the row keys still follow the manifest.
    @Test func aRowLookingForAStagedTitleSeesTheStagedProducts() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let lines = [Self.header,
                     "A1,Tờ rơi về trẻ em,leaflet,vi,00004,2024-03-01,2024-03-01,,paper,,",
                     "A2,Tờ rơi khác,leaflet,vi,00004,2025-02-01,2025-02-01,,paper,,",
                     "A3,Tờ rơi về trẻ em,leaflet,vi,00004,2023-03-01,2023-03-01,,paper,,",
                     "A4,Tờ rơi về trẻ em,leaflet,vi,00004,2024-03-01,2024-03-01,,paper,Phát ở chợ,"]
        let report = try archive.importManifest(scratch.hostFile("m.csv", lines.joined(separator: "\n") + "\n"),
                                                options: staging(HostPath("\(scratch.path)/r.csv")))
        // The last is the first's registration again: refused before the catalog is asked.
        #expect(report.results.map(\.status) == [.stored, .stored, .stored, .rejected])
        #expect(report.catalogRedos == 0)
        let found = try archive.catalog.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.source_id, p.pk, p.reference_date, (SELECT count(*) FROM events e WHERE e.product_pk = p.pk)
                FROM product_sources s JOIN products p ON p.pk = s.product_pk ORDER BY p.pk
                """).map { "\($0[0] as String) \($0[1] as Int64) \($0[2] as String) \($0[3] as Int)" }
        }
        #expect(found == ["A1 1 2024-03-01 1", "A2 2 2025-02-01 1", "A3 3 2023-03-01 1"])
    }
}
