// Packs of sidecars in the store: a large renewal writes one pack and names each member's place;
// a pack most of whose members were superseded is emptied into newer ones and removed; a kill's
// leftover pack is replaced or swept; a pack that cannot be written names nothing; a damaged
// member or a pack cut short is told, never read as a sidecar.
import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct SidecarPackStoreTests {
    struct TitleFormat: SidecarFormat {
        func encode(_ content: SidecarContent, archiveID: String) -> [UInt8] { Array("\(content.key) \(content.product.metadata.title)\n".utf8) }
        func decode(_ bytes: [UInt8]) -> Result<SidecarContent, SidecarProblem> { .failure(SidecarProblem("not read back here")) }
        func peek(_ bytes: [UInt8]) -> SidecarPeek? { nil }
    }

    /// An archive of `rows` registrations whose sidecars are packed from 4 on.
    func archive(_ scratch: Scratch, rows: Int) throws -> Archive {
        var environment = testEnvironment
        environment.sidecars = TitleFormat()
        environment.sidecarPackMinimum = 4
        let root = HostPath("\(scratch.path)/archive")
        _ = try Archive.create(root, agent: "test", environment: environment)
        let archive = try Archive.open(root, agent: "test", environment: environment)
        var lines = ["source_id,title,kind,languages,unit,produced,carrier"]
        for i in 0..<rows { lines.append("S\(i),Sản phẩm \(i),leaflet,vi,00004,2024-01-01,paper") }
        let manifest = scratch.hostFile("m.csv", lines.joined(separator: "\n") + "\n")
        _ = try archive.importManifest(manifest, options: ImportOptions(report: HostPath("\(scratch.path)/r.csv"), keepResults: false))
        try archive.renewSidecars()
        return archive
    }

    /// Every product's sidecar as the catalog places it, read back and checked; and how many are in packs.
    func current(_ archive: Archive) throws -> (wrong: Int, packed: Int, due: Int) {
        let (rows, titles, due) = try archive.catalog.read { db in
            (try Row.fetchAll(db, sql: "SELECT sha256, pack, pack_offset, pack_length FROM sidecars ORDER BY product_pk").map {
                SidecarPlace.named(sha256: $0[0], pack: $0[1], offset: $0[2], length: $0[3], under: archive.root)
             },
             try Row.fetchAll(db, sql: "SELECT pk, title FROM products ORDER BY pk").map { "\($0[0] as Int64) \($0[1] as String)\n" },
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due")!)
        }
        var wrong = rows.count == titles.count ? 0 : abs(rows.count - titles.count)
        for (place, title) in zip(rows, titles) {
            guard case .success(let bytes) = Archive.readSidecarBytes(place), bytes == Array(title.utf8) else { wrong += 1; continue }
        }
        return (wrong, rows.filter { $0.pack != nil }.count, due)
    }

    func looseFiles(_ archive: Archive) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: "\(archive.root)/sidecars")) ?? []).filter { $0.hasSuffix(".json") }
    }

    @Test func aLargeRenewalWritesOnePackThatTarReads() throws {
        let scratch = Scratch()
        let archive = try archive(scratch, rows: 10)
        let state = try current(archive)
        #expect(state.wrong == 0 && state.packed == 10 && state.due == 0)
        #expect(looseFiles(archive).isEmpty)
        let packs = Archive.packFiles(under: archive.root)
        try #require(packs.count == 1)
        let (members, problem) = Archive.packMembers(packs[0].path)
        #expect(members.count == 10 && problem == nil)
        #expect(mode(packs[0].path) == 0o444)
        // Any tar lists it: ten members named by their digests.
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-tf", packs[0].path.description]
        let out = Pipe()
        tar.standardOutput = out
        try tar.run()
        tar.waitUntilExit()
        let listed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(tar.terminationStatus == 0 && Set(listed) == Set(members.map { "\($0.sha256).json" }))
    }

    @Test func aMostlySupersededPackIsEmptiedAndRemoved() throws {
        let scratch = Scratch()
        let archive = try archive(scratch, rows: 10)
        let first = try #require(Archive.packFiles(under: archive.root).first)
        // Eight of ten change: a new pack of eight; two of ten left is under a quarter, so
        // those two are written again (as files of their own: fewer than four) and the first
        // pack goes.
        try archive.catalog.write { db in try db.execute(sql: "UPDATE products SET title = title || ' (sửa)' WHERE pk <= 8") }
        try archive.renewSidecars()
        let state = try current(archive)
        #expect(state.wrong == 0 && state.due == 0 && state.packed == 8)
        #expect(looseFiles(archive).count == 2)
        #expect(!FS.exists(first.path))
        let packs = try archive.catalog.read { db in try Row.fetchAll(db, sql: "SELECT pk, members, condemned FROM sidecar_packs").map { [$0[0], $0[1], $0[2]] as [Int64] } }
        #expect(packs == [[first.number + 1, 8, 0]])
        // Three more change: the second pack keeps seven of eight (not condemned), two loose files are replaced.
        try archive.catalog.write { db in try db.execute(sql: "UPDATE products SET title = title || '!' WHERE pk IN (1, 9, 10)") }
        try archive.renewSidecars()
        let after = try current(archive)
        #expect(after.wrong == 0 && after.packed == 7 && looseFiles(archive).count == 3)
        #expect(Archive.packFiles(under: archive.root).map(\.number) == [first.number + 1])
    }

    @Test func aKillsLeftoverPackIsReplacedOrSwept() throws {
        let scratch = Scratch()
        let archive = try archive(scratch, rows: 6)
        let first = try #require(Archive.packFiles(under: archive.root).first)
        // A renewal killed after writing its pack: the number it took was rolled back, so the
        // next renewal takes it again; another leftover nobody will take.
        let folder = "\(archive.root)/sidecars/packs"
        try Data("leftover".utf8).write(to: URL(fileURLWithPath: "\(folder)/\(SidecarPack.fileName(first.number + 1))"))
        try Data("stray".utf8).write(to: URL(fileURLWithPath: "\(folder)/\(SidecarPack.fileName(first.number + 50))"))
        try archive.catalog.write { db in try db.execute(sql: "UPDATE products SET title = title || ' (sửa)'") }
        try archive.renewSidecars()
        let state = try current(archive)
        #expect(state.wrong == 0 && state.packed == 6)
        #expect(Archive.packFiles(under: archive.root).map(\.number) == [first.number + 1])
        #expect(Archive.packMembers(Archive.packPath(first.number + 1, under: archive.root)).members.count == 6)
    }

    @Test func aPackThatCannotBeWrittenNamesNothing() throws {
        let scratch = Scratch()
        let archive = try archive(scratch, rows: 6)
        let before = try archive.catalog.read { db in try Row.fetchAll(db, sql: "SELECT * FROM sidecars ORDER BY product_pk").map { $0.description } }
        // The packs folder replaced by a file: the pack cannot be made.
        let folder = "\(archive.root)/sidecars/packs"
        try FileManager.default.moveItem(atPath: folder, toPath: "\(scratch.path)/packs-aside")
        try Data().write(to: URL(fileURLWithPath: folder))
        try archive.catalog.write { db in try db.execute(sql: "UPDATE products SET title = title || ' (sửa)'") }
        #expect(throws: KhoError.self) { try archive.renewSidecars() }
        let after = try archive.catalog.read { db in
            (try Row.fetchAll(db, sql: "SELECT * FROM sidecars ORDER BY product_pk").map { $0.description }, try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due")!)
        }
        #expect(after.0 == before && after.1 == 6)
        // Put right, the next renewal does the work.
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.moveItem(atPath: "\(scratch.path)/packs-aside", toPath: folder)
        try archive.renewSidecars()
        let state = try current(archive)
        #expect(state.wrong == 0 && state.due == 0 && state.packed == 6)
    }

    @Test func aDamagedMemberOrAPackCutShortIsNeverReadAsASidecar() throws {
        let scratch = Scratch()
        let archive = try archive(scratch, rows: 6)
        let pack = try #require(Archive.packFiles(under: archive.root).first)
        let members = Archive.packMembers(pack.path).members
        try #require(members.count == 6)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pack.path.description)))
        // One byte of the third member's document changed.
        bytes[Int(members[2].offset)] ^= 0x20
        let damaged = HostPath("\(scratch.path)/damaged.tar")
        try Data(bytes).write(to: URL(fileURLWithPath: damaged.description))
        for (i, member) in members.enumerated() {
            let read = Archive.readSidecarBytes(.packed(member, pack: pack.number, under: archive.root).with(file: damaged))
            if i == 2 {
                guard case .failure(let problem) = read else { Issue.record("a damaged member was read"); continue }
                #expect(problem.message.contains("do not hash"))
            } else {
                #expect((try? read.get()) != nil)
            }
        }
        // Cut in the middle of the fifth member: the four before it are listed, and the cut is told.
        let cut = HostPath("\(scratch.path)/cut.tar")
        try Data(bytes.prefix(Int(members[4].offset) + 2)).write(to: URL(fileURLWithPath: cut.description))
        let (listed, problem) = Archive.packMembers(cut)
        #expect(listed == Array(members.prefix(4)) && problem?.message.contains("cut short") == true)
        // A header damaged: the members before it, and the damage told.
        bytes[Int(members[3].offset) - 512 + 5] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: damaged.description))
        let (before, told) = Archive.packMembers(damaged)
        #expect(before == Array(members.prefix(3)) && told?.message.contains("checksum") == true)
        // A place past the pack's end is refused, not read.
        var past = SidecarPlace.packed(members[5], pack: pack.number, under: archive.root)
        past.offset += 1 << 20
        guard case .failure(let refused) = Archive.readSidecarBytes(past) else { Issue.record("a place past the end was read"); return }
        #expect(refused.message.contains("past its end"))
    }

    /// A catalog a newer Kho migrated (it may keep sidecars where this one would not look) is refused, not written.
    @Test func aCatalogOfANewerKhoIsRefused() throws {
        let scratch = Scratch()
        let archive = try archive(scratch, rows: 1)
        try archive.catalog.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')") }
        do {
            _ = try Archive.open(archive.root, agent: "test", environment: testEnvironment)
            Issue.record("a newer Kho's catalog was opened")
        } catch {
            #expect(error.message.contains("newer Kho"), "\(error.message)")
        }
    }
}

extension SidecarPlace {
    func with(file: HostPath) -> SidecarPlace {
        var copy = self
        copy.file = file
        return copy
    }
}
