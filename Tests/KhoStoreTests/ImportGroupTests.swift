// Rows without files commit in groups of write chunks (Archive.groupRows): one transaction for
// thousands of registrations, and still a row is stored whole or not at all.
import Foundation
import GRDB
import Synchronization
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

    /// Imports the 5,000 rows, of which one is refused: the report and the result file's rows.
    func importOneRefused(_ archive: Archive, _ scratch: Scratch) throws -> (report: ImportReport, lines: [[String]]) {
        let resultPath = HostPath("\(scratch.path)/m.result.csv")
        let report = try archive.importManifest(manifest(scratch), options: ImportOptions(report: resultPath, keepResults: false))
        #expect(report.count(.stored) == Self.rows - 1)
        #expect(report.count(.rejected) == 1)
        return (report, try results(resultPath))
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
        let (report, lines) = try importOneRefused(archive, scratch)
        #expect(report.catalogTransactions == 1 && report.catalogRedos == 0)
        #expect(lines.map { Int($0[0]) } == (2...Self.rows + 1).map { Optional($0) })
        let refused = try #require(lines.first { $0.contains("S2500") })
        #expect(refused.contains("rejected"))
        #expect(refused.joined(separator: ",").contains("already names product"))
        let count = try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM products") }
        #expect(count == Self.rows)
    }

    /// A row that fails half-written (here a trigger refuses its event after its product row
    /// was inserted) makes the whole group be redone row by row, the joined chunks included:
    /// that row leaves nothing behind, every other row is stored once. (Staged, the event is
    /// written when the group's products are moved: ImportStageTests.)
    @Test func aRowFailingHalfWrittenRedoesTheGroupRowByRow() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        try refuseEvent(archive, ofSource: "S4000")
        let (report, lines) = try importOneRefused(archive, scratch)
        // The first two chunks, redone; the third in a transaction of its own.
        #expect(report.catalogTransactions == 2 && report.catalogRedos == 1)
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

    /// The catalog failing while the next chunk is taken, after a first chunk was committed: the
    /// import stops with the error (it once waited forever for a copy that was never started),
    /// and the result file says what was stored.
    @Test func aFailureWhileTakingTheNextChunkStopsTheImport() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        _ = scratch.hostFile("a.txt", "Bài A")
        let seed = scratch.hostFile("seed.csv", "source_id,title,kind,languages,unit,produced,carrier\nX1,Một tờ,leaflet,vi,00004,2023-01-01,paper\n")
        _ = try archive.importManifest(seed, options: ImportOptions(report: HostPath("\(scratch.path)/seed.result.csv")))
        let id = try #require(try archive.catalog.read { db in try String.fetchOne(db, sql: "SELECT id FROM products") })
        // Plan chunk 1 (rows 1…2048): one row with a file, so it commits alone; plan chunk 2:
        // registrations; plan chunk 3: an attach row, whose target is looked up in nextChunk.
        var lines = ["source_id,title,kind,languages,unit,produced,carrier,files,product_id",
                     "S0,Bài A,article,vi,00004,2024-01-01,,a.txt,"]
        for i in 1..<4096 { lines.append("S\(i),Sản phẩm \(i),leaflet,vi,00004,2024-01-01,paper,,") }
        lines.append(",,,,,,,a.txt,\(id)")
        let manifest = scratch.hostFile("m.csv", lines.joined(separator: "\n") + "\n")
        let path = archive.catalog.path
        // Once plan chunk 1 is settled, the catalog's products can no longer be read.
        let progress = HookProgress(after: 2048) {
            let q = try! DatabaseQueue(path: path)
            try! q.write { db in try db.execute(sql: "ALTER TABLE products RENAME TO products_gone") }
            try! q.close()
        }
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<String>("running")
        let box = UncheckedBox(archive)
        Thread.detachNewThread {
            do {
                _ = try box.value.importManifest(manifest, options: ImportOptions(report: HostPath("\(scratch.path)/m.result.csv"), progress: progress))
                outcome.withLock { $0 = "stored" }
            } catch {
                outcome.withLock { $0 = "threw \(error)" }
            }
            finished.signal()
        }
        let inTime = finished.wait(timeout: .now() + 30) == .success
        #expect(inTime, "the import is still running after 30 s: deadlocked (\(outcome.withLock { $0 }))")
        #expect(progress.done.withLock { $0 } >= 2048)
        #expect(outcome.withLock { $0 }.hasPrefix("threw"))
        let said = try results(HostPath("\(scratch.path)/m.result.csv"))
        #expect(said.filter { $0.contains("stored") }.count == 2048)
    }

    /// A group redone row by row plans its joined chunks' rows again from the manifest's text,
    /// which is kept for it: here 10 MB of text, whose first blocks go while the second group
    /// (rows 16,384 on) is written, and a row of its third chunk failing half-written.
    @Test func aGroupRedoneLateInALongManifestPlansItsRowsAgain() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        try refuseEvent(archive, ofSource: "L22000")
        let long = String(repeating: "Mô tả dài về quyền con người. ", count: 13)
        var lines = ["source_id,title,kind,languages,unit,produced,carrier,description"]
        for i in 0..<24_000 { lines.append("L\(i),Tờ rơi \(i),leaflet,vi,00004,2024-01-01,paper,\(long)") }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 10 << 20)
        let path = HostPath("\(scratch.path)/l.result.csv")
        let report = try archive.importManifest(scratch.hostFile("l.csv", text), options: ImportOptions(report: path, keepResults: false))
        #expect(report.count(.stored) == 23_999 && report.count(.rejected) == 1)
        #expect(report.catalogTransactions >= 2)
        #expect(report.catalogRedos == 1)
        let refused = try #require(try results(path).first { $0.first == "22002" })
        #expect(refused.joined(separator: ",").contains("refused by the test"))
        let same = try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM products WHERE description = ?", arguments: [long.trimmingWhitespace()]) }
        #expect(same == 23_999)
    }

    /// Into a large catalog (staged, here forced) groups take up to Archive.stagedGroupRows
    /// rows; into a small one up to Archive.groupRows.
    @Test func aLargeCatalogTakesLargerGroups() throws {
        let rows = Archive.groupRows + 1
        #expect(Archive.stagedGroupRows >= rows)
        var lines = ["source_id,title,kind,languages,unit,produced,carrier"]
        for i in 0..<rows { lines.append("G\(i),Tờ rơi \(i),leaflet,vi,00004,2024-01-01,paper") }
        for staged in [true, false] {
            let scratch = Scratch()
            let archive = try scratch.archive()
            var options = ImportOptions(report: HostPath("\(scratch.path)/g.result.csv"), keepResults: false)
            if staged { options.stageFrom = 0 }
            let report = try archive.importManifest(scratch.hostFile("g.csv", lines.joined(separator: "\n") + "\n"), options: options)
            #expect(report.count(.stored) == rows)
            #expect(report.catalogTransactions == (staged ? 1 : 2))
        }
    }
}

/// Makes the catalog refuse the event of the product imported with `source` ("refused by the
/// test"), written after its product row: a row failing half-written.
func refuseEvent(_ archive: Archive, ofSource source: String) throws {
    try archive.catalog.write { db in
        try db.execute(sql: """
            CREATE TRIGGER refuse_\(source) BEFORE INSERT ON events WHEN NEW.detail LIKE '%source_id \(source)'
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
            """)
    }
}

/// After `after` rows are settled, runs `hook` once (from the importing thread).
final class HookProgress: ProgressReporter, @unchecked Sendable {
    let after: Int
    let hook: @Sendable () -> Void
    let done = Mutex(0)
    init(after: Int, hook: @escaping @Sendable () -> Void) { self.after = after; self.hook = hook }
    func start(label: String, totalBytes: Int64, totalItems: Int) {}
    func advance(bytes: Int64) {}
    func itemDone() {
        let n = done.withLock { $0 += 1; return $0 }
        if n == after { hook() }
    }
    func finish() {}
}

final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
