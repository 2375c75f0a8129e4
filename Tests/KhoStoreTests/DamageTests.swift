import Foundation
import Glibc
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct DamageTests {
    @Test func verifyFindsDamagedAndMissingBlobsAndNamesTheirProducts() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let good = try archive.ingest(try metadata("Tốt"), files: [scratch.hostFile("good.txt", "intact bytes")]).product
        let bad = try archive.ingest(try metadata("Hỏng"), files: [scratch.hostFile("bad.txt", "will rot")]).product
        let gone = try archive.ingest(try metadata("Mất"), files: [scratch.hostFile("gone.txt", "will vanish")]).product
        #expect(try archive.verify(jobs: 2).isIntact)

        // Bit rot: same size, different bytes.
        let badPath = archive.blobs.path(for: bad.files[0].sha256)
        chmod(badPath.description, 0o644)
        try Data("will r0t".utf8).write(to: URL(fileURLWithPath: badPath.description))
        unlink(archive.blobs.path(for: gone.files[0].sha256).description)

        let report = try archive.verify(jobs: 2)
        #expect(!report.isIntact)
        #expect(report.checkedBlobs == 3)
        let byKind = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.kind, $0) })
        #expect(byKind[.damaged]?.holders.map(\.productID) == [bad.id])
        #expect(byKind[.missing]?.holders.map(\.productID) == [gone.id])
        #expect(byKind[.damaged]?.actualSHA256 != bad.files[0].sha256)
        // Fixity events on the products that hold the bad blobs, none on the good one.
        #expect(try archive.events(of: bad.id).last?.type == .fixityCheck)
        #expect(try archive.events(of: bad.id).last?.outcome == .failure)
        #expect(try archive.events(of: good.id).allSatisfy { $0.type != .fixityCheck })
        #expect(try archive.fixity(of: good)[good.files[0].sha256]?.outcome == "ok")
        #expect(try archive.fixity(of: bad)[bad.files[0].sha256]?.outcome == "damaged")

        // Reading the damaged file out is an error, not silent bad bytes.
        #expect { _ = try archive.streamFile(bad.id, n: 1) { _ in } } throws: { ($0 as? KhoError)?.code == .blobDamaged }

        // Ingesting the originals again repairs the store.
        let repaired = try archive.attach(bad.id, files: [scratch.hostFile("bad-again.txt", "will rot")])
        #expect(repaired.status == .restored)   // issue 10, item 15: a repair is said, no longer "already present"
        #expect(repaired.notices.contains { $0.contains("replaced the damaged copy") })
        _ = try archive.attach(gone.id, files: [scratch.hostFile("gone-again.txt", "will vanish")])
        #expect(try archive.verify(jobs: 1).isIntact)
    }

    @Test func unreferencedBlobsAreReportedNotDeleted() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let orphan = try archive.blobs.put([scratch.hostFile("o", "orphan")], jobs: 1)[0]
        let report = try archive.verify(jobs: 1)
        #expect(report.isIntact)
        #expect(report.unreferenced == [orphan.sha256])
        #expect(archive.blobs.contains(orphan.sha256, size: orphan.size))
    }

    @Test func aLockedArchiveFailsFastAndStoresNothing() throws {
        let scratch = Scratch()
        let archive = try scratch.archive(lockTimeout: 0.2)
        let other = try DatabaseQueue(path: "\(scratch.path)/archive/catalog.sqlite")
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            #expect { try archive.ingest(try metadata(), files: [scratch.hostFile("x.txt", "locked out")]) } throws: { error in
                guard let e = error as? KhoError else { return false }
                return e.code == .archiveLocked && e.message.contains("another Kho process")
            }
            try db.execute(sql: "ROLLBACK")
        }
        #expect(blobFiles(archive).isEmpty)
        #expect(try archive.list(ProductFilter()).total == 0)
        // Once the other process is done, the same ingest works.
        #expect(try archive.ingest(try metadata(), files: [scratch.hostFile("x.txt", "locked out")]).status == .stored)
    }

    @Test func twoArchiveHandlesWorkSideBySide() throws {
        let scratch = Scratch()
        let one = try scratch.archive()
        let two = try Archive.open(HostPath("\(scratch.path)/archive"), agent: "test", environment: testEnvironment)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let archive = i == 0 ? one : two
            for n in 0..<15 {
                _ = try? archive.ingest(try! metadata("P\(i)-\(n)"), files: [scratch.hostFile("f\(i)-\(n)", "content \(i) \(n)")], jobs: 1)
            }
        }
        #expect(try one.list(ProductFilter()).total == 30)
        #expect(try two.verify(jobs: 2).isIntact)
    }
}

/// Real ENOSPC from a small tmpfs; needs root (mount), which the CI machine has.
@Suite(.enabled(if: TinyDisk.available, "mounting a tmpfs needs root")) struct FullDiskTests {
    @Test func aFullDiskIsAClearErrorAndLeavesNothing() throws {
        let disk = try TinyDisk(megabytes: 24)
        defer { disk.unmount() }
        let archive = try Archive.create(HostPath("\(disk.path)/archive"), agent: "test", environment: testEnvironment).archive
        let scratch = Scratch()
        let big = scratch.hostFile("big.bin", bytes: Array(repeating: 7, count: 30 << 20))
        // The free-space check refuses before a byte is written.
        #expect { try archive.ingest(try metadata(), files: [big]) } throws: { ($0 as? KhoError)?.code == .diskFull }
        // Past that check (the store alone), the disk really fills: the half-written blob is removed.
        #expect { try archive.blobs.put([big], jobs: 1) } throws: { error in
            guard let e = error as? KhoError else { return false }
            return e.code == .diskFull && e.message.contains("big.bin")
        }
        #expect(blobFiles(archive).isEmpty)
        #expect(filesUnder("\(disk.path)/archive/tmp").isEmpty)
        // A small product still fits afterwards.
        #expect(try archive.ingest(try metadata(), files: [scratch.hostFile("small.txt", "vừa")]).status == .stored)
    }

    @Test func aDiskWithBytesFreeButNoRoomForFilesIsSaidSo() throws {
        let disk = try TinyDisk(megabytes: 64, inodes: 1500)
        defer { disk.unmount() }
        let archive = try Archive.create(HostPath("\(disk.path)/archive"), agent: "test", environment: testEnvironment).archive
        let scratch = Scratch()
        let files = (0..<600).map { scratch.hostFile("f\($0).txt", "bài \($0)") }
        // A blob for each of 600 files, the product's sidecar, and some to spare do not fit
        // in the inodes left, though nearly all the bytes are free: refused before anything is written.
        #expect { try archive.ingest(try metadata(), files: files) } throws: { error in
            guard let e = error as? KhoError else { return false }
            return e.code == .diskFull && e.message.contains("601 new files") && e.message.contains("inodes")
        }
        #expect(blobFiles(archive).isEmpty)
        #expect(try archive.ingest(try metadata("Một tệp"), files: [files[0]]).status == .stored)
        // Past that check (the store alone), the inodes really run out: said as such, not as a full disk.
        var n = 0
        while FileManager.default.createFile(atPath: "\(disk.path)/filler-\(n)", contents: nil) { n += 1 }
        #expect(n > 0)
        #expect { try archive.blobs.put([scratch.hostFile("late.txt", "muộn")], jobs: 1) } throws: { error in
            guard let e = error as? KhoError else { return false }
            return e.code == .diskFull && e.message.contains("no room for another file") && e.message.contains("df -i")
        }
        #expect(blobFiles(archive).count == 1)
    }

    /// Registrations without files need no blob but a sidecar each: an import of 600 of them
    /// where fewer inodes are left is refused before its first row is written, not stored
    /// with sidecars that cannot be made.
    @Test func registrationsWithoutFilesAreRefusedWhereNoSidecarsFit() throws {
        let disk = try TinyDisk(megabytes: 64, inodes: 1500)
        defer { disk.unmount() }
        let archive = try Archive.create(HostPath("\(disk.path)/archive"), agent: "test", environment: testEnvironment).archive
        let scratch = Scratch()
        let rows = (0..<600).map { "S\($0),Tờ rơi \($0),leaflet,vi,00004,2024-01-01,paper" }
        let manifest = scratch.hostFile("m.csv", (["source_id,title,kind,languages,unit,produced,carrier"] + rows).joined(separator: "\n") + "\n")
        #expect { try archive.importManifest(manifest, options: ImportOptions(report: HostPath("\(scratch.path)/m.result.csv"))) } throws: { error in
            guard let e = error as? KhoError else { return false }
            return e.code == .diskFull && e.message.contains("manifest rows 2–601 need room for 600 new files") && e.message.contains("0 blob(s), 600 product sidecar(s)") && e.message.contains("inodes")
        }
        #expect(try archive.catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM products") } == 0)
        // A few still fit.
        let few = scratch.hostFile("few.csv", (["source_id,title,kind,languages,unit,produced,carrier"] + rows.prefix(3)).joined(separator: "\n") + "\n")
        #expect(try archive.importManifest(few, options: ImportOptions(report: HostPath("\(scratch.path)/few.result.csv"))).count(.stored) == 3)
    }
}

struct TinyDisk {
    let path: String

    static let available: Bool = {
        guard getuid() == 0 else { return false }
        guard let probe = try? TinyDisk(megabytes: 1) else { return false }
        probe.unmount()
        return true
    }()

    init(megabytes: Int, inodes: Int? = nil) throws {
        let scratch = "/tmp/kho-tinydisk-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m" + (inodes.map { ",nr_inodes=\($0)" } ?? ""), "tmpfs", scratch]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw KhoError(.internal, "mount failed") }
        path = scratch
    }

    func unmount() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = [path]
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }
}
