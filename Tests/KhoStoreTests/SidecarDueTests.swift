// What marks a product's sidecar due since the catalog's writes go without a statement journal
// (v19, v20): a source link added by an import and a file row (no trigger does either), and every
// event added to a product already due (the triggers' DO NOTHING under the writers' OR FAIL).
import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct SidecarDueTests {
    /// A sidecar that is the product's title and source links: enough to see a link arrive.
    struct SourcesFormat: SidecarFormat {
        func encode(_ content: SidecarContent, archiveID: String) -> [UInt8] {
            Array("\(content.product.metadata.title) \(content.sources.map { "\($0.unit)/\($0.sourceID)" }.sorted())\n".utf8)
        }
        func decode(_ bytes: [UInt8]) -> Result<SidecarContent, SidecarProblem> { .failure(SidecarProblem("not read back here")) }
        func peek(_ bytes: [UInt8]) -> SidecarPeek? { nil }
    }

    func open(_ scratch: Scratch) throws -> Archive {
        var environment = testEnvironment
        environment.sidecars = SourcesFormat()
        let root = HostPath("\(scratch.path)/archive")
        _ = try Archive.create(root, agent: "test", environment: environment)
        return try Archive.open(root, agent: "test", environment: environment)
    }

    func importRows(_ archive: Archive, _ scratch: Scratch, _ name: String, _ lines: [String]) throws -> ImportReport {
        let manifest = scratch.hostFile(name, lines.joined(separator: "\n") + "\n")
        return try archive.importManifest(manifest, options: ImportOptions(report: HostPath("\(scratch.path)/\(name).result.csv"), keepResults: true))
    }

    func currentSidecar(_ archive: Archive, pk: Int64) throws -> String? {
        guard let sha = try archive.catalog.read({ db in try String.fetchOne(db, sql: "SELECT sha256 FROM sidecars WHERE product_pk = ?", arguments: [pk]) }) else { return nil }
        return try String(contentsOfFile: Archive.sidecarPath(sha, under: archive.root).description, encoding: .utf8)
    }

    func due(_ archive: Archive) throws -> [Int64] {
        try archive.catalog.read { db in try Int64.fetchAll(db, sql: "SELECT product_pk FROM sidecar_due ORDER BY product_pk") }
    }

    /// A product registered without a source ID, then named by a row that gives one: the link
    /// is new, the product is due again, and its renewed sidecar holds the link.
    @Test func aNewSourceLinkMakesTheProductDue() throws {
        let scratch = Scratch()
        let archive = try open(scratch)
        let first = try importRows(archive, scratch, "a.csv", ["title,kind,languages,unit,produced,carrier", "Tờ rơi quyền trẻ em,leaflet,vi,00004,2024-01-01,paper"])
        #expect(first.count(.stored) == 1)
        try archive.renewSidecars()
        #expect(try due(archive).isEmpty)
        #expect(try currentSidecar(archive, pk: 1) == "Tờ rơi quyền trẻ em []\n")

        let second = try importRows(archive, scratch, "b.csv", ["source_id,title,kind,languages,unit,produced,carrier", "TR-7,Tờ rơi quyền trẻ em,leaflet,vi,00004,2024-01-01,paper"])
        #expect(second.count(.alreadyPresent) == 1)
        #expect(try due(archive) == [1])
        try archive.renewSidecars()
        #expect(try currentSidecar(archive, pk: 1) == "Tờ rơi quyền trẻ em [\"00004/TR-7\"]\n")

        // The same row again links nothing new: nothing is due.
        let third = try importRows(archive, scratch, "c.csv", ["source_id,title,kind,languages,unit,produced,carrier", "TR-7,Tờ rơi quyền trẻ em,leaflet,vi,00004,2024-01-01,paper"])
        #expect(third.count(.alreadyPresent) == 1)
        #expect(try due(archive).isEmpty)
    }

    /// Events and files for a product already due (its own insert marked it) pass the trigger
    /// under OR FAIL, in one transaction; and the triggers a v18 catalog had are replaced.
    @Test func writesToAProductAlreadyDueDoNotFail() throws {
        let scratch = Scratch()
        let archive = try open(scratch)
        let report = try importRows(archive, scratch, "a.csv", ["source_id,title,kind,languages,unit,produced,carrier",
                                                                "S1,Áp phích,poster,vi,00004,2024-01-01,paper", "S2,Áp phích hai,poster,vi,00004,2024-01-02,paper"])
        #expect(report.count(.stored) == 2)
        let pk: Int64 = 1
        let id = try archive.catalog.read { db in try ProductID.parse(String.fetchOne(db, sql: "SELECT id FROM products WHERE pk = ?", arguments: [pk])!).get() }
        func events() throws -> Int { try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE product_pk = ?", arguments: [pk])! } }
        let before = try events()
        try archive.catalog.write { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due WHERE product_pk = ?", arguments: [pk]) == 1)
            for n in 1...3 {
                // OR FAIL (CatalogWrites), then the default ABORT.
                try CatalogWrites.append(db, PreservationEvent(at: archive.clock.now(), type: .metadataModification, object: "product:\(id)", productID: id,
                                                               agent: "test", outcome: .success, detail: "event \(n)"))
                try db.execute(sql: "INSERT INTO events (at, type, object, agent, outcome, product_pk) VALUES ('2026-01-01T00:00:00Z', 'metadata_modification', 'p', 'test', 'success', ?)",
                               arguments: [pk])
            }
        }
        #expect(try events() == before + 6)
        #expect(try due(archive) == [1, 2])
        let triggers = try archive.catalog.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sidecar_due_%' ORDER BY name")
        }
        #expect(triggers.count == 3)
        #expect(triggers.allSatisfy { $0.contains("ON CONFLICT DO NOTHING") && !$0.contains("OR IGNORE") })
        #expect(!triggers.contains { $0.contains("ON files") })
    }

    /// A file row added to a product whose sidecar is current makes it due (v20 dropped the
    /// trigger that did); settled again, the renewed sidecar is the product's as it is now.
    @Test func aNewFileRowMakesTheProductDue() throws {
        let scratch = Scratch()
        let archive = try open(scratch)
        let report = try importRows(archive, scratch, "a.csv", ["title,kind,languages,unit,produced,carrier", "Sổ tay pháp luật,publication,vi,00004,2024-01-01,paper"])
        #expect(report.count(.stored) == 1)
        try archive.renewSidecars()
        #expect(try due(archive).isEmpty)
        let sha = String(repeating: "ab", count: 32)
        try archive.catalog.write { db in
            let now = archive.clock.now()
            try CatalogWrites.recordBlob(db, sha256: sha, size: 3, repaired: false, at: now)
            try CatalogWrites.insertFile(db, productPK: 1, file: StoredFile(n: 1, sha256: sha, size: 3, name: FileName(display: "so-tay.pdf", original: Array("so-tay.pdf".utf8), decodedAs: "utf-8"),
                                                                          role: .access, mediaType: "application/pdf", addedAt: now))
        }
        #expect(try due(archive) == [1])
        try archive.renewSidecars()
        #expect(try due(archive).isEmpty)
    }

    /// A renewal clears its batch's due marks by key range, so it checks that the range held the
    /// batch and nothing else: a mark that appeared under it meanwhile (a trigger here, standing in
    /// for a writer that broke the rule) fails the batch and loses nothing: every product stays
    /// due and no sidecar is named. Without the trigger, the next renewal settles them all.
    @Test func aStrayDueMarkUnderTheBatchFailsItAndLosesNothing() throws {
        let scratch = Scratch()
        let archive = try open(scratch)
        let report = try importRows(archive, scratch, "a.csv", ["title,kind,languages,unit,produced,carrier",
                                                                "Tờ rơi một,leaflet,vi,00004,2024-01-01,paper",
                                                                "Tờ rơi hai,leaflet,vi,00004,2024-01-02,paper",
                                                                "Tờ rơi ba,leaflet,vi,00004,2024-01-03,paper"])
        #expect(report.count(.stored) == 3)
        try archive.catalog.write { db in
            try db.execute(sql: "CREATE TRIGGER test_stray_due AFTER INSERT ON sidecars BEGIN INSERT INTO sidecar_due (product_pk) VALUES (0) ON CONFLICT DO NOTHING; END")
        }
        #expect { try archive.renewSidecars() } throws: { error in
            "\(error)".contains("4 products were due up to key 3, the batch read 3")
        }
        #expect(try due(archive) == [1, 2, 3])
        #expect(try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecars") } == 0)
        try archive.catalog.write { db in try db.execute(sql: "DROP TRIGGER test_stray_due") }
        try archive.renewSidecars()
        #expect(try due(archive).isEmpty)
        #expect(try currentSidecar(archive, pk: 3) == "Tờ rơi ba []\n")
    }
}
