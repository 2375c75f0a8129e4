// Folder replicas: replicate copies what a replica lacks (blobs by digest, a catalog copy),
// never restricted products' bytes unless the replica takes them, goes on after an interrupted
// run, refuses a damaged archive blob; status counts present, missing and extra and exits 4
// when a replica is older than --max-age.
import Foundation
import KhoTesting
import Testing

@Suite struct ReplicaTests {
    @Test func aFolderReplicaGetsWhatItLacksAndNoSecrets() throws {
        let ws = Workspace()
        let open = ws.ingest(ws.file("p.txt", "Bài công khai"), title: "Bài công khai")
        let secret = ws.ingest(ws.file("s.txt", "Tài liệu mật"), title: "Tài liệu mật", extra: ["--access", "restricted"])
        let openSHA = ws.sha256(of: "\(ws.path)/p.txt"), secretSHA = ws.sha256(of: "\(ws.path)/s.txt")
        let usb = "\(ws.path)/usb", vault = "\(ws.path)/vault"
        #expect(ws.run(["replica", "add", "usb", usb]).status == 0)
        #expect(ws.run(["replica", "add", "vault", vault, "--include-restricted"]).status == 0)
        // Inside the archive, around it, relative, a name taken, another archive's replica: refused, nothing made.
        #expect(ws.run(["replica", "add", "inside", "\(ws.archive)/copy"]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: "\(ws.archive)/copy"))
        #expect(ws.run(["replica", "add", "around", ws.path]).status == 2)
        #expect(ws.run(["replica", "add", "rel", "copy"]).status == 2)
        #expect(ws.run(["replica", "add", "usb", "\(ws.path)/usb2"]).status == 1)
        let done = ws.run(["replicate", "--json"])
        #expect(done.status == 0, "\(done.stderr)")
        let byName = Dictionary(uniqueKeysWithValues: done.array.map { ($0["replica"] as? String ?? "", $0) })
        #expect(byName["usb"]?["blobsCopied"] as? Int == 1 && byName["usb"]?["restrictedLeftOut"] as? Int == 1)
        #expect(byName["vault"]?["blobsCopied"] as? Int == 2)
        func blob(_ root: String, _ sha: String) -> String { "\(root)/blobs/sha256/\(sha.prefix(2))/\(sha)" }
        #expect(ws.sha256(of: blob(usb, openSHA)) == openSHA && ws.sha256(of: blob(vault, secretSHA)) == secretSHA)
        #expect(!FileManager.default.fileExists(atPath: blob(usb, secretSHA)), "a restricted product's bytes went to a replica that does not take them")
        let catalog = try Data(contentsOf: URL(fileURLWithPath: "\(usb)/catalog.sqlite"))
        #expect(catalog.starts(with: Data("SQLite format 3".utf8)))
        // Again: nothing to copy. Each run is an event.
        let again = ws.run(["replicate", "usb", "--json"])
        #expect(again.array.first?["blobsCopied"] as? Int == 0 && again.array.first?["blobsAlreadyThere"] as? Int == 1)
        // A product made restricted after it was copied: its bytes leave the replica that does not take them.
        #expect(ws.run(["edit", open, "--access", "restricted"]).status == 0)
        let after = ws.run(["replicate", "usb", "--json"])
        #expect(after.array.first?["restrictedRemoved"] as? Int == 1)
        #expect(!FileManager.default.fileExists(atPath: blob(usb, openSHA)))
        _ = secret
    }

    @Test func anInterruptedCopyIsFinishedAndStatusTellsWhatIsMissing() throws {
        let ws = Workspace()
        let a = ws.ingest(ws.file("a.txt", "Bài A"), title: "Bài A")
        ws.ingest(ws.file("b.txt", "Bài B"), title: "Bài B")
        let nas = "\(ws.path)/nas"
        #expect(ws.run(["replica", "add", "nas", nas]).status == 0)
        // Never brought up to date: older than any age, exit 4.
        #expect(ws.run(["replica", "status", "--max-age", "2d"]).status == 4)
        #expect(ws.run(["replicate"]).status == 0)
        let fresh = ws.run(["replica", "status", "--max-age", "2d", "--json"])
        #expect(fresh.status == 0)
        let first = (fresh.object["replicas"] as? [[String: Any]])?.first
        #expect(first?["present"] as? Int == 2 && first?["missing"] as? Int == 0 && first?["extra"] as? Int == 0)
        // One copy lost (a run killed before it, a drive's fault), a stranger's file added.
        let shaA = ws.sha256(of: "\(ws.path)/a.txt")
        try FileManager.default.removeItem(atPath: "\(nas)/blobs/sha256/\(shaA.prefix(2))/\(shaA)")
        ws.file("nas/blobs/sha256/00/" + String(repeating: "0", count: 64), "?")
        let status = (ws.run(["replica", "status", "nas", "--json"]).object["replicas"] as? [[String: Any]])?.first
        #expect(status?["present"] as? Int == 1 && status?["missing"] as? Int == 1 && status?["extra"] as? Int == 1)
        let resumed = ws.run(["replicate", "nas", "--json"])
        #expect(resumed.array.first?["blobsCopied"] as? Int == 1)
        #expect(ws.sha256(of: "\(nas)/blobs/sha256/\(shaA.prefix(2))/\(shaA)") == shaA)
        // A damaged blob in the archive is never sent.
        try FileManager.default.removeItem(atPath: "\(nas)/blobs/sha256/\(shaA.prefix(2))/\(shaA)")
        let stored = "\(ws.archive)/blobs/sha256/\(shaA.prefix(2))/\(shaA)"
        _ = chmod(stored, 0o644)
        try Data("Bài X".utf8).write(to: URL(fileURLWithPath: stored))
        let refused = ws.run(["replicate", "nas"])
        #expect(refused.status == 3 && refused.stderr.contains("damaged"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(nas)/blobs/sha256/\(shaA.prefix(2))/\(shaA)"))
        // The replica's own folder gone (a drive not mounted): said, not recreated.
        try FileManager.default.removeItem(atPath: nas)
        let unmounted = ws.run(["replicate", "nas"])
        #expect(unmounted.status != 0 && unmounted.stderr.contains("mounted"), "\(unmounted.stderr)")
        _ = a
    }
}
