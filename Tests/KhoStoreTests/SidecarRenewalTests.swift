// Sidecar renewal reads and renders the next batch while the current one's files are written:
// every due product ends with a sidecar of its latest state, also when the catalog changed
// between two of the renewal's transactions.
import Foundation
import GRDB
import Synchronization
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct SidecarRenewalTests {
    /// Enough registrations for three batches, so one is read ahead twice.
    static let rows = 2 * Archive.sidecarBatch + 300

    /// A sidecar that is only the product's key and title: enough to tell states apart.
    struct TitleFormat: SidecarFormat {
        func encode(_ content: SidecarContent, archiveID: String) -> [UInt8] { Array("\(content.key) \(content.product.metadata.title)\n".utf8) }
        func decode(_ bytes: [UInt8]) -> Result<SidecarContent, SidecarProblem> { .failure(SidecarProblem("not read back here")) }
        func peek(_ bytes: [UInt8]) -> SidecarPeek? { nil }
    }

    /// After the first batch commits, another connection retitles a product of the second
    /// batch (already read and rendered ahead).
    final class RetitleAfterFirstBatch: ProgressReporter, @unchecked Sendable {
        let root: HostPath
        let pk: Int64
        private var done = false
        init(root: HostPath, pk: Int64) { self.root = root; self.pk = pk }
        func start(label: String, totalBytes: Int64, totalItems: Int) {}
        func advance(bytes: Int64) {}
        func itemDone() {
            guard !done else { return }
            done = true
            let other = try! Archive.open(root, agent: "other", environment: testEnvironment)
            try! other.catalog.write { db in try db.execute(sql: "UPDATE products SET title = 'Đổi tên' WHERE pk = ?", arguments: [pk]) }
        }
        func finish() {}
    }

    func archiveWithDueProducts(_ scratch: Scratch) throws -> Archive {
        var environment = testEnvironment
        environment.sidecars = TitleFormat()
        let root = HostPath("\(scratch.path)/archive")
        _ = try Archive.create(root, agent: "test", environment: environment)
        let archive = try Archive.open(root, agent: "test", environment: environment)
        var lines = ["source_id,title,kind,languages,unit,produced,carrier"]
        for i in 0..<Self.rows { lines.append("S\(i),Sản phẩm \(i),leaflet,vi,00004,2024-01-01,paper") }
        let manifest = scratch.hostFile("m.csv", lines.joined(separator: "\n") + "\n")
        let report = try archive.importManifest(manifest, options: ImportOptions(report: HostPath("\(scratch.path)/r.csv"), keepResults: false))
        #expect(report.count(.stored) == Self.rows)
        return archive
    }

    /// Every product's current sidecar holds its state now, and nothing is left due.
    func expectCurrent(_ archive: Archive) throws {
        let (due, named, titles) = try archive.catalog.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due")!,
             try Row.fetchAll(db, sql: "SELECT product_pk, sha256, pack, pack_offset, pack_length FROM sidecars ORDER BY product_pk").map {
                 ($0[0] as Int64, SidecarPlace.named(sha256: $0[1], pack: $0[2], offset: $0[3], length: $0[4], under: archive.root))
             },
             try Row.fetchAll(db, sql: "SELECT pk, title FROM products ORDER BY pk").map { ($0[0] as Int64, $0[1] as String) })
        }
        #expect(due == 0)
        #expect(named.count == Self.rows)
        var wrong = 0
        for ((pk, place), (key, title)) in zip(named, titles) {
            guard case .success(let bytes) = Archive.readSidecarBytes(place) else { wrong += 1; continue }
            if pk != key || bytes != Array("\(key) \(title)\n".utf8) { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    @Test func everyBatchIsWrittenAndNamed() throws {
        let scratch = Scratch()
        let archive = try archiveWithDueProducts(scratch)
        try archive.renewSidecars()
        try expectCurrent(archive)
        // Batches of 2,048 went into packs of their own; the last 300 too (the minimum is 256).
        let files = try FileManager.default.subpathsOfDirectory(atPath: "\(archive.root)/sidecars").filter { $0.hasSuffix(".json") }
        let packs = Archive.packFiles(under: archive.root)
        #expect(files.isEmpty && packs.count == 3)
        #expect(packs.map { Archive.packMembers($0.path).members.count } == [Archive.sidecarBatch, Archive.sidecarBatch, 300])
    }

    /// A renewal limited to one batch (an import's, while it waits for files) writes that
    /// batch and leaves the rest due for the next renewal.
    @Test func aRenewalOfOneBatchLeavesTheRestDue() throws {
        let scratch = Scratch()
        let archive = try archiveWithDueProducts(scratch)
        #expect(try archive.renewSidecars(wait: false, progress: nil, batches: 1) == Archive.sidecarBatch)
        let due = try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due")! }
        #expect(due == Self.rows - Archive.sidecarBatch)
        #expect(Archive.packFiles(under: archive.root).count == 1)
        #expect(try archive.renewSidecars(wait: false, progress: nil, batches: .max) == Self.rows - Archive.sidecarBatch)
        try expectCurrent(archive)
        #expect(try archive.renewSidecars(wait: false, progress: nil, batches: 1) == 0)
    }

    /// In passing (an import waiting for files), only a whole batch is written, as one pack:
    /// fewer due products are left to the end.
    @Test func inPassingOnlyAWholeBatchIsWritten() throws {
        let scratch = Scratch()
        let archive = try archiveWithDueProducts(scratch)
        #expect(try archive.renewSidecarBatchInPassing() == Archive.sidecarBatch)
        #expect(try archive.renewSidecarBatchInPassing() == Archive.sidecarBatch)
        #expect(try archive.renewSidecarBatchInPassing() == 0)
        let due = try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due")! }
        #expect(due == Self.rows - 2 * Archive.sidecarBatch)
        #expect(Archive.packFiles(under: archive.root).map { Archive.packMembers($0.path).members.count } == [Archive.sidecarBatch, Archive.sidecarBatch])
        try archive.renewSidecars()
        try expectCurrent(archive)
    }

    /// An import of products with files, in three chunks, renews sidecars as it goes whenever
    /// a chunk's copies are still running (whether it does depends on timing): whatever it
    /// wrote in passing is whole packs of current documents, and once the rest is renewed every
    /// product's sidecar is its state.
    @Test func anImportWithFilesLeavesOnlyCurrentSidecars() throws {
        let scratch = Scratch()
        var environment = testEnvironment
        environment.sidecars = TitleFormat()
        let root = HostPath("\(scratch.path)/archive")
        _ = try Archive.create(root, agent: "test", environment: environment)
        let archive = try Archive.open(root, agent: "test", environment: environment)
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/in", withIntermediateDirectories: true)
        var lines = ["source_id,title,kind,languages,unit,published,files"]
        for i in 0..<Self.rows {
            _ = scratch.file("in/f\(i).txt", "tệp \(i)")
            lines.append("F\(i),Bài \(i),article,vi,00004,2024-05-01,f\(i).txt")
        }
        let manifest = scratch.hostFile("in/m.csv", lines.joined(separator: "\n") + "\n")
        let report = try archive.importManifest(manifest, options: ImportOptions(report: HostPath("\(scratch.path)/r.csv"), keepResults: false))
        #expect(report.count(.stored) == Self.rows)
        // Before the end's renewal: only whole batches were written, each as a pack.
        let packs = Archive.packFiles(under: archive.root).map { Archive.packMembers($0.path).members.count }
        #expect(packs.allSatisfy { $0 == Archive.sidecarBatch })
        let due = try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due")! }
        #expect(due == Self.rows - packs.reduce(0, +))
        try archive.renewSidecars()
        try expectCurrent(archive)
    }

    /// The batch read ahead is stale once someone else wrote: it is read again, not named.
    @Test func aBatchReadAheadIsReadAgainAfterAnotherWrite() throws {
        let scratch = Scratch()
        let archive = try archiveWithDueProducts(scratch)
        let secondBatch = try archive.catalog.read { db in
            try Int64.fetchOne(db, sql: "SELECT product_pk FROM sidecar_due ORDER BY product_pk LIMIT 1 OFFSET ?", arguments: [Archive.sidecarBatch + 10])!
        }
        try archive.renewSidecars(progress: RetitleAfterFirstBatch(root: archive.root, pk: secondBatch))
        try expectCurrent(archive)
        let title = try archive.catalog.read { db in try String.fetchOne(db, sql: "SELECT title FROM products WHERE pk = ?", arguments: [secondBatch]) }
        #expect(title == "Đổi tên")
    }

    /// The stamp moves with another connection's commit and with this connection's own
    /// changes, and with nothing else.
    @Test func theStampSeesEveryWrite() throws {
        let scratch = Scratch()
        let archive = try archiveWithDueProducts(scratch)
        let first = try archive.catalog.write { db in try CatalogStamp(db) }
        #expect(try archive.catalog.write { db in try CatalogStamp(db) } == first)
        let other = try Archive.open(archive.root, agent: "other", environment: testEnvironment)
        try other.catalog.write { db in try db.execute(sql: "DELETE FROM sidecar_due WHERE product_pk = 1") }
        let second = try archive.catalog.write { db in try CatalogStamp(db) }
        #expect(second != first)
        try archive.catalog.write { db in try db.execute(sql: "DELETE FROM sidecar_due WHERE product_pk = 2") }
        #expect(try archive.catalog.write { db in try CatalogStamp(db) } != second)
    }
}
