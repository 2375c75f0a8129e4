// Folder replicas: replicate copies what a replica lacks (blobs by digest, a catalog copy
// without the web app's secrets, nor restricted products for a replica that does not take
// them), never restricted products' bytes unless the replica takes
// them, goes on after an interrupted run and past a damaged archive blob, refuses links into
// the archive and a second run at once; status counts present, missing, damaged and extra and
// exits 4 for a cron to alert.
import Foundation
import KhoTesting
import Testing

@Suite struct ReplicaTests {
    func blob(_ root: String, _ sha: String) -> String { "\(root)/blobs/sha256/\(sha.prefix(2))/\(sha)" }

    @Test func aFolderReplicaGetsWhatItLacksAndNoSecrets() throws {
        let ws = Workspace()
        let open = ws.ingest(ws.file("p.txt", "Bài công khai"), title: "Bài công khai")
        ws.ingest(ws.file("s.txt", "Tài liệu mật"), title: "Tài liệu mật", extra: ["--access", "restricted"])
        #expect(ws.run(["users", "add", "lan.nguyen", "--role", "staff", "--unit", "00004", "--generate-password"]).status == 0)
        let openSHA = ws.sha256(of: "\(ws.path)/p.txt"), secretSHA = ws.sha256(of: "\(ws.path)/s.txt")
        let usb = "\(ws.path)/usb", vault = "\(ws.path)/vault"
        // On the archive's own disk only when said so (an unplugged drive's mount point is such a folder).
        let sameDisk = ws.run(["replica", "add", "usb", usb])
        #expect(sameDisk.status == 2 && sameDisk.stderr.contains("same disk"), "\(sameDisk.stderr)")
        #expect(!FileManager.default.fileExists(atPath: usb))
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk"]).status == 0)
        #expect(ws.run(["replica", "add", "vault", vault, "--include-restricted", "--same-disk"]).status == 0)
        // Inside the archive, around it, relative, inside another replica, a name taken: refused, nothing made.
        #expect(ws.run(["replica", "add", "inside", "\(ws.archive)/copy", "--same-disk"]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: "\(ws.archive)/copy"))
        #expect(ws.run(["replica", "add", "around", ws.path, "--same-disk"]).status == 2)
        #expect(ws.run(["replica", "add", "rel", "copy", "--same-disk"]).status == 2)
        #expect(ws.run(["replica", "add", "nested", "\(vault)/more", "--same-disk"]).status == 2)
        #expect(ws.run(["replica", "add", "usb", "\(ws.path)/usb2", "--same-disk"]).status == 1)
        let done = ws.run(["replicate", "--json"])
        #expect(done.status == 0, "\(done.stderr)")
        let byName = Dictionary(uniqueKeysWithValues: done.array.map { ($0["replica"] as? String ?? "", $0["summary"] as? [String: Any] ?? [:]) })
        #expect(byName["usb"]?["blobsCopied"] as? Int == 1 && byName["usb"]?["restrictedLeftOut"] as? Int == 1)
        #expect(byName["vault"]?["blobsCopied"] as? Int == 2)
        #expect(ws.sha256(of: blob(usb, openSHA)) == openSHA && ws.sha256(of: blob(vault, secretSHA)) == secretSHA)
        #expect(!FileManager.default.fileExists(atPath: blob(usb, secretSHA)), "a restricted product's bytes went to a replica that does not take them")
        // The catalog copy opens, holds the products, and none of the web app's secrets.
        let query = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select count(*) from products').fetchone()[0], c.execute(\"select count(*) from users where password_hash <> ''\").fetchone()[0])"
        let counts = ws.run(executable: "/usr/bin/env", ["python3", "-c", query, "\(usb)/catalog.sqlite"])
        #expect(counts.out.trimmingCharacters(in: .whitespacesAndNewlines) == "1 0", "\(counts.out) \(counts.stderr)")
        let vaultCounts = ws.run(executable: "/usr/bin/env", ["python3", "-c", query, "\(vault)/catalog.sqlite"])
        #expect(vaultCounts.out.trimmingCharacters(in: .whitespacesAndNewlines) == "2 0", "\(vaultCounts.out) \(vaultCounts.stderr)")
        // Not even its title: not in a row, not in the search index's words, not in a freed page.
        let usbCatalog = try Data(contentsOf: URL(fileURLWithPath: "\(usb)/catalog.sqlite"))
        for trace in ["Tài liệu mật", "tai lieu mat", "lieu"] { #expect(usbCatalog.range(of: Data(trace.utf8)) == nil, "\(trace) is in the copy") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(vault)/catalog.sqlite")).range(of: Data("Tài liệu mật".utf8)) != nil)
        // The archive's identity goes with it.
        #expect(FileManager.default.contents(atPath: "\(usb)/kho-archive.json") == FileManager.default.contents(atPath: "\(ws.archive)/kho-archive.json"))
        // Again: nothing to copy.
        let again = ws.run(["replicate", "usb", "--json"])
        #expect((again.array.first?["summary"] as? [String: Any])?["blobsCopied"] as? Int == 0)
        // A product made restricted after it was copied: its bytes leave the replica that does not take them.
        #expect(ws.run(["edit", open, "--access", "restricted"]).status == 0)
        let after = ws.run(["replicate", "usb", "--json"])
        #expect((after.array.first?["summary"] as? [String: Any])?["restrictedRemoved"] as? Int == 1)
        #expect(!FileManager.default.fileExists(atPath: blob(usb, openSHA)))
    }

    @Test func interruptedRunsDamageAndLinksAreHandled() throws {
        let ws = Workspace()
        ws.ingest(ws.file("a.txt", "Bài A"), title: "Bài A")
        ws.ingest(ws.file("b.txt", "Bài B"), title: "Bài B")
        let shaA = ws.sha256(of: "\(ws.path)/a.txt"), shaB = ws.sha256(of: "\(ws.path)/b.txt")
        let nas = "\(ws.path)/nas"
        #expect(ws.run(["replica", "add", "nas", nas, "--same-disk"]).status == 0)
        // Never brought up to date: an alert.
        #expect(ws.run(["replica", "status", "--max-age", "2d"]).status == 4)
        // A run killed mid-copy left a read-only partial file: the next run goes on.
        ws.file("nas/tmp/\(shaA).partial", "Bài")
        _ = chmod("\(nas)/tmp/\(shaA).partial", 0o444)
        #expect(ws.run(["replicate"]).status == 0)
        let fresh = ws.run(["replica", "status", "--max-age", "2d", "--json"])
        #expect(fresh.status == 0, "\(fresh.out)")
        let first = (fresh.object["replicas"] as? [[String: Any]])?.first
        #expect(first?["present"] as? Int == 2 && first?["missing"] as? Int == 0 && first?["extra"] as? Int == 0)
        // One copy lost, one of the wrong size, a stranger's file: counted, and the lost and wrong ones copied again.
        try FileManager.default.removeItem(atPath: blob(nas, shaA))
        _ = chmod(blob(nas, shaB), 0o644)
        try Data("x".utf8).write(to: URL(fileURLWithPath: blob(nas, shaB)))
        ws.file("nas/blobs/sha256/00/" + String(repeating: "0", count: 64), "?")
        let status = (ws.run(["replica", "status", "nas", "--json"]).object["replicas"] as? [[String: Any]])?.first
        #expect(status?["present"] as? Int == 0 && status?["missing"] as? Int == 2 && status?["damaged"] as? Int == 1 && status?["extra"] as? Int == 1)
        // Re-reading the replica names what is missing and what does not hash right.
        let checked = ws.run(["verify", "--replica", "nas", "--json"])
        #expect(checked.status == 3 && checked.object["missing"] as? [String] == [shaA] && checked.object["damaged"] as? [String] == [shaB], "\(checked.out)")
        let resumed = ws.run(["replicate", "nas", "--json"])
        #expect((resumed.array.first?["summary"] as? [String: Any])?["blobsCopied"] as? Int == 2)
        #expect(ws.sha256(of: blob(nas, shaA)) == shaA && ws.sha256(of: blob(nas, shaB)) == shaB)
        // A copy rotted in place (same size): only re-hashing sees it.
        _ = chmod(blob(nas, shaB), 0o644)
        var rotted = try Data(contentsOf: URL(fileURLWithPath: blob(nas, shaB)))
        rotted[0] ^= 0x01
        try rotted.write(to: URL(fileURLWithPath: blob(nas, shaB)))
        #expect((ws.run(["replica", "status", "nas", "--json"]).object["replicas"] as? [[String: Any]])?.first?["present"] as? Int == 2)
        let rot = ws.run(["verify", "--replica", "nas"])
        #expect(rot.status == 3 && rot.out.contains("DAMAGED: sha256:\(shaB)"), "\(rot.out)")
        #expect(ws.run(["verify", "--replica", "nope"]).status == 1)
        // A damaged blob in the archive is never sent; the rest and the catalog still are; exit 3.
        try FileManager.default.removeItem(atPath: blob(nas, shaA))
        try FileManager.default.removeItem(atPath: "\(nas)/catalog.sqlite")
        let stored = blob(ws.archive, shaA)
        _ = chmod(stored, 0o644)
        try Data("Bài X".utf8).write(to: URL(fileURLWithPath: stored))
        let refused = ws.run(["replicate", "nas"])
        #expect(refused.status == 3 && refused.stderr.contains("kho verify"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: blob(nas, shaA)) && FileManager.default.fileExists(atPath: "\(nas)/catalog.sqlite"))
        // Another run holding the replica: this one says so and waits for nothing.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["flock", "\(nas)/.kho-replica.lock", "sleep", "5"]
        try holder.run()
        usleep(300_000)
        let busy = ws.run(["replicate", "nas"])
        #expect(busy.status == 1 && busy.stderr.contains("another kho replicate"), "\(busy.stderr)")
        holder.terminate()
        holder.waitUntilExit()
        // A link planted in the replica towards the archive's own blobs is refused, nothing removed there.
        try FileManager.default.removeItem(atPath: "\(nas)/blobs")
        try FileManager.default.createSymbolicLink(atPath: "\(nas)/blobs", withDestinationPath: "\(ws.archive)/blobs")
        let linked = ws.run(["replicate", "nas"])
        #expect(linked.status == 1 && linked.stderr.contains("not a folder"), "\(linked.stderr)")
        #expect(FileManager.default.fileExists(atPath: blob(ws.archive, shaB)))
        // The replica's folder gone (a drive not mounted): said, not recreated; status alerts.
        try FileManager.default.removeItem(atPath: nas)
        let unmounted = ws.run(["replicate", "nas"])
        #expect(unmounted.status == 1 && unmounted.stderr.contains("mounted"), "\(unmounted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: nas))
        #expect(ws.run(["replica", "status"]).status == 4)
    }

    @Test func aSidecarCutShortInTheReplicaIsWrittenAgain() throws {
        let ws = Workspace()
        _ = ws.ingest(ws.file("p.txt", "Bài công khai"), title: "Bài công khai")
        let usb = "\(ws.path)/usb"
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk"]).status == 0)
        #expect(ws.run(["replicate"]).status == 0)
        let shards = try FileManager.default.contentsOfDirectory(atPath: "\(usb)/sidecars")
        let name = try FileManager.default.contentsOfDirectory(atPath: "\(usb)/sidecars/\(shards[0])")[0]
        let path = "\(usb)/sidecars/\(shards[0])/\(name)"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        // A kill while it was written: the file is there under its name, cut short.
        _ = chmod(path, 0o644)
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        let again = ws.run(["replicate", "--json"])
        let summary = again.array.first?["summary"] as? [String: Any] ?? [:]
        #expect(summary["sidecarsCopied"] as? Int == 1 && summary["sidecarsRemoved"] as? Int == 1, "\(again.out)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == whole)
    }

    @Test func aLargeBlobIsCopiedWholeWithItsTail() throws {
        // Written straight to the disk in whole blocks, its last 123 bytes the usual way.
        let ws = Workspace()
        var x: UInt32 = 7
        let bytes = (0..<(9 << 20) + 123).map { _ in
            x = x &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: x >> 24)
        }
        _ = ws.ingest(ws.file("video.bin", bytes: bytes), title: "Phóng sự")
        let sha = ws.sha256(of: "\(ws.path)/video.bin")
        let usb = "\(ws.path)/usb"
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk"]).status == 0)
        #expect(ws.run(["replicate"]).status == 0)
        #expect(ws.sha256(of: "\(usb)/blobs/sha256/\(sha.prefix(2))/\(sha)") == sha)
        #expect(ws.run(["verify", "--replica", "usb"]).status == 0)
    }
}
