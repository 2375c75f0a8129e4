// Repair and scheduled audits: a damaged or lost archive blob comes back from a replica's good
// copy, a damaged replica copy from the archive, bad bytes never replace anything, restricted
// bytes never reach a replica that does not take them, a bad first replica (a pipe) is passed
// over for a good second, blobs stored since the last replication are no loss, a link planted
// as the replica's tmp/ is not followed, every repair is an event; an audit re-reads exactly
// the copies not checked since, the longest unchecked first.
import Foundation
import KhoTesting
import Testing

@Suite struct RepairTests {
    func blob(_ root: String, _ sha: String) -> String { "\(root)/blobs/sha256/\(sha.prefix(2))/\(sha)" }

    /// Flips one byte of a stored copy (same size: only re-hashing sees it).
    func rot(_ path: String) throws {
        _ = chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[1] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    func sql(_ ws: Workspace, _ statement: String) -> String {
        let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print('|'.join(str(v) for row in r for v in row))"
        let run = ws.run(executable: "/usr/bin/env", ["python3", "-c", script, "\(ws.archive)/catalog.sqlite", statement])
        return run.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theArchiveAndAReplicaAreRepairedFromEachOther() throws {
        let ws = Workspace()
        for name in ["a", "b", "c"] { ws.ingest(ws.file("\(name).txt", "Bài \(name.uppercased()) về quyền con người"), title: "Bài \(name)") }
        ws.ingest(ws.file("s.txt", "Tài liệu mật, bản gốc"), title: "Tài liệu mật", extra: ["--access", "restricted"])
        let a = ws.sha256(of: "\(ws.path)/a.txt"), b = ws.sha256(of: "\(ws.path)/b.txt"), c = ws.sha256(of: "\(ws.path)/c.txt")
        let secret = ws.sha256(of: "\(ws.path)/s.txt")
        let usb = "\(ws.path)/usb"
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk"]).status == 0)
        #expect(ws.run(["replicate"]).status == 0)
        let nothing = ws.run(["repair"])
        #expect(nothing.status == 0 && nothing.out.contains("nothing to repair"), "\(nothing.out)")
        // One archive blob rotted in place, one lost: verify names them, repair brings both back.
        try rot(blob(ws.archive, a))
        try FileManager.default.removeItem(atPath: blob(ws.archive, b))
        let found = ws.run(["verify"])
        #expect(found.status == 3 && found.out.contains("DAMAGED: sha256:\(a)") && found.out.contains("MISSING: sha256:\(b)"), "\(found.out)")
        let repaired = ws.run(["repair", "--json"])
        #expect(repaired.status == 0, "\(repaired.out) \(repaired.stderr)")
        let mended = (repaired.object["repaired"] as? [[String: Any]] ?? []).map { "\($0["sha256"] ?? "") \($0["copy"] ?? "") \($0["from"] ?? "") \($0["was"] ?? "")" }
        #expect(Set(mended) == ["\(a) archive replica usb damaged", "\(b) archive replica usb missing"], "\(mended)")
        #expect(ws.sha256(of: blob(ws.archive, a)) == a && ws.sha256(of: blob(ws.archive, b)) == b)
        #expect(ws.run(["verify"]).status == 0)
        // Each repair is an event on the product's file.
        #expect(sql(ws, "SELECT count(*) FROM events WHERE type = 'repair' AND object LIKE 'file:%' AND detail LIKE '%restored from replica usb%'") == "2")
        // A replica copy rotted: verify --replica names it, repair writes it again from the archive.
        try rot(blob(usb, c))
        let replicaCheck = ws.run(["verify", "--replica", "usb"])
        #expect(replicaCheck.status == 3 && replicaCheck.out.contains("DAMAGED: sha256:\(c)"), "\(replicaCheck.out)")
        let toReplica = ws.run(["repair", "--replica", "usb"])
        #expect(toReplica.status == 0 && toReplica.out.contains("REPAIRED: sha256:\(c) in the replica usb (was damaged), from the archive"), "\(toReplica.out)")
        #expect(ws.sha256(of: blob(usb, c)) == c && ws.run(["verify", "--replica", "usb"]).status == 0)
        #expect(sql(ws, "SELECT count(*) FROM events WHERE type = 'repair' AND object = 'replica:usb'") == "1")
        // Both copies bad: nothing is replaced by bytes that do not match; exit 3, each named.
        try rot(blob(ws.archive, a))
        try rot(blob(usb, a))
        let badHere = try Data(contentsOf: URL(fileURLWithPath: blob(ws.archive, a)))
        let badThere = try Data(contentsOf: URL(fileURLWithPath: blob(usb, a)))
        #expect(ws.run(["verify"]).status == 3)
        let stuck = ws.run(["repair", "--json"])
        #expect(stuck.status == 3, "\(stuck.out)")
        let unmended = (stuck.object["unrepaired"] as? [[String: Any]] ?? []).map { "\($0["sha256"] ?? "") \($0["copy"] ?? "")" }
        #expect(Set(unmended) == ["\(a) archive", "\(a) replica usb"], "\(unmended)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: blob(ws.archive, a))) == badHere)
        #expect(try Data(contentsOf: URL(fileURLWithPath: blob(usb, a))) == badThere)
        // A restricted product's blob that a check (wrongly) says the replica lacks: repair does not put it there.
        #expect(sql(ws, "INSERT INTO replica_copies VALUES ('usb', '\(secret)', '2026-01-01T00:00:00Z', 'missing') RETURNING 1") == "1")
        #expect(ws.run(["repair", "--json"]).status == 3)
        #expect(!FileManager.default.fileExists(atPath: blob(usb, secret)))
        // Its lost blob: the replica never held it, and it is named as beyond repair.
        try FileManager.default.removeItem(atPath: blob(ws.archive, secret))
        let secretRun = ws.run(["repair", "--json"])
        let secretLeft = (secretRun.object["unrepaired"] as? [[String: Any]] ?? []).contains { $0["sha256"] as? String == secret && $0["copy"] as? String == "archive" }
        #expect(secretRun.status == 3 && secretLeft, "\(secretRun.out)")
        #expect(!FileManager.default.fileExists(atPath: blob(usb, secret)))
        // An unknown replica is said; an unplugged one is not used, and said.
        #expect(ws.run(["repair", "--replica", "nope"]).status == 1)
        try FileManager.default.removeItem(atPath: usb)
        let unplugged = ws.run(["repair"])
        #expect(unplugged.status == 3 && unplugged.stderr.contains("replica usb not used") && unplugged.stderr.contains("mounted"), "\(unplugged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: usb))
    }

    @Test func aBadReplicaIsPassedOverNewBlobsAreNoLossAndLinksAreNotFollowed() throws {
        let ws = Workspace()
        ws.ingest(ws.file("a.txt", "Phóng sự A"), title: "Phóng sự A")
        ws.ingest(ws.file("b.txt", "Phóng sự B"), title: "Phóng sự B")
        let a = ws.sha256(of: "\(ws.path)/a.txt"), b = ws.sha256(of: "\(ws.path)/b.txt")
        let nas = "\(ws.path)/nas", usb = "\(ws.path)/usb"
        #expect(ws.run(["replica", "add", "nas", nas, "--same-disk"]).status == 0)
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk"]).status == 0)
        #expect(ws.run(["replicate"]).status == 0)
        // The first replica's copy is a pipe (it would block a reader), the second's is good.
        try FileManager.default.removeItem(atPath: blob(nas, a))
        #expect(mkfifo(blob(nas, a), 0o644) == 0)
        try rot(blob(ws.archive, a))
        #expect(ws.run(["verify"]).status == 3)
        let repaired = ws.run(["repair", "--json"])
        #expect(repaired.status == 0, "\(repaired.out) \(repaired.stderr)")
        let mended = (repaired.object["repaired"] as? [[String: Any]] ?? []).map { "\($0["copy"] ?? "") \($0["from"] ?? "")" }
        #expect(Set(mended) == ["archive replica usb", "replica nas archive"], "\(mended)")
        #expect(ws.sha256(of: blob(ws.archive, a)) == a && ws.sha256(of: blob(nas, a)) == a)
        // A blob stored since the last replication is kho replicate's to send, not a loss.
        ws.ingest(ws.file("c.txt", "Phóng sự C"), title: "Phóng sự C")
        let quiet = ws.run(["repair"])
        #expect(quiet.status == 0 && quiet.out.contains("nothing to repair"), "\(quiet.out)")
        // A link planted as the replica's tmp/ towards the archive's blobs: not followed, nothing removed there.
        try rot(blob(nas, b))
        #expect(ws.run(["verify", "--replica", "nas"]).status == 3)
        let shard = "\(ws.archive)/blobs/sha256/\(b.prefix(2))"
        try FileManager.default.removeItem(atPath: "\(nas)/tmp")
        try FileManager.default.createSymbolicLink(atPath: "\(nas)/tmp", withDestinationPath: shard)
        let linked = ws.run(["repair"])
        #expect(linked.status == 1 && linked.stderr.contains("replica nas not used") && linked.stderr.contains("not a folder"), "\(linked.stderr)")
        #expect(ws.sha256(of: blob(ws.archive, b)) == b)
        // Another run holding the replica: said, exit 1.
        try FileManager.default.removeItem(atPath: "\(nas)/tmp")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["flock", "\(nas)/.kho-replica.lock", "sleep", "5"]
        try holder.run()
        usleep(300_000)
        let busy = ws.run(["repair", "--replica", "nas"])
        #expect(busy.status == 1 && busy.stderr.contains("another kho replicate or kho repair"), "\(busy.stderr)")
        holder.terminate()
        holder.waitUntilExit()
        let done = ws.run(["repair", "--replica", "nas"])
        #expect(done.status == 0 && done.out.contains("REPAIRED: sha256:\(b) in the replica nas (was damaged)"), "\(done.out)")
        #expect(ws.sha256(of: blob(nas, b)) == b)
    }

    @Test func anAuditReadsTheCopiesCheckedLongestAgo() throws {
        let ws = Workspace()
        for name in ["a", "b", "c", "d"] { ws.ingest(ws.file("\(name).txt", "Tin \(name) của xã"), title: "Tin \(name)") }
        let a = ws.sha256(of: "\(ws.path)/a.txt"), b = ws.sha256(of: "\(ws.path)/b.txt")
        #expect(ws.run(["verify"]).status == 0)
        let recent = sql(ws, "SELECT max(last_checked_at) FROM blobs")
        #expect(sql(ws, "UPDATE blobs SET last_checked_at = '2001-01-01T00:00:00Z' WHERE sha256 = '\(a)' RETURNING 1") == "1")
        #expect(sql(ws, "UPDATE blobs SET last_checked_at = '2002-01-01T00:00:00Z' WHERE sha256 = '\(b)' RETURNING 1") == "1")
        // The longest unchecked first, at most --limit.
        let first = ws.run(["verify", "--older-than", "90d", "--limit", "1", "--max-rate", "50MB/s", "--json"])
        #expect(first.status == 0 && first.object["checkedBlobs"] as? Int == 1 && first.object["knownBlobs"] as? Int == 4, "\(first.out)")
        #expect(sql(ws, "SELECT last_checked_at >= '\(recent)' FROM blobs WHERE sha256 = '\(a)'") == "1")
        #expect(sql(ws, "SELECT last_checked_at FROM blobs WHERE sha256 = '\(b)'") == "2002-01-01T00:00:00Z")
        // Then exactly the rest not checked since; then nothing.
        let second = ws.run(["verify", "--older-than", "90d", "--json"])
        #expect(second.object["checkedBlobs"] as? Int == 1 && sql(ws, "SELECT count(*) FROM blobs WHERE last_checked_at < '2003'") == "0", "\(second.out)")
        let third = ws.run(["verify", "--older-than", "90d"])
        #expect(third.status == 0 && third.out.contains("checked 0 of 4 blob(s)"), "\(third.out)")
        // A copy never checked counts from when it was stored: a new one does not crowd out an
        // old check, an old one comes first.
        ws.ingest(ws.file("e.txt", "Tin e, mới"), title: "Tin e")
        let e = ws.sha256(of: "\(ws.path)/e.txt")
        #expect(sql(ws, "UPDATE blobs SET last_checked_at = NULL WHERE sha256 = '\(e)' RETURNING 1") == "1")
        #expect(sql(ws, "UPDATE blobs SET last_checked_at = '2001-01-01T00:00:00Z' WHERE sha256 = '\(a)' RETURNING 1") == "1")
        #expect(ws.run(["verify", "--limit", "1", "--json"]).object["checkedBlobs"] as? Int == 1)
        #expect(sql(ws, "SELECT last_checked_at > '2001-01-02', last_checked_at IS NULL FROM blobs WHERE sha256 IN ('\(a)', '\(e)') ORDER BY sha256 = '\(e)'") == "1|0|None|1")
        #expect(sql(ws, "UPDATE blobs SET stored_at = '2000-01-01T00:00:00Z' WHERE sha256 = '\(e)' RETURNING 1") == "1")
        #expect(ws.run(["verify", "--limit", "1", "--json"]).object["checkedBlobs"] as? Int == 1)
        #expect(sql(ws, "SELECT last_checked_at IS NOT NULL FROM blobs WHERE sha256 = '\(e)'") == "1")
        // The replica's copies keep their own checks.
        let usb = "\(ws.path)/usb"
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk"]).status == 0)
        #expect(ws.run(["replicate"]).status == 0)
        // Copies never checked count from when their blobs were stored: only e's (stored "in 2000") is due.
        // A full check records each.
        #expect(ws.run(["verify", "--replica", "usb", "--older-than", "90d", "--json"]).object["checkedBlobs"] as? Int == 1)
        #expect(ws.run(["verify", "--replica", "usb", "--json"]).object["checkedBlobs"] as? Int == 5)
        #expect(ws.run(["verify", "--replica", "usb", "--older-than", "90d", "--json"]).object["checkedBlobs"] as? Int == 0)
        _ = sql(ws, "UPDATE replica_copies SET last_checked_at = '2001-01-01T00:00:00Z' WHERE sha256 = '\(b)' RETURNING 1")
        let oneCopy = ws.run(["verify", "--replica", "usb", "--older-than", "90d", "--json"])
        #expect(oneCopy.object["checkedBlobs"] as? Int == 1 && oneCopy.object["wantedBlobs"] as? Int == 5, "\(oneCopy.out)")
        let status = (ws.run(["replica", "status", "--json"]).object["replicas"] as? [[String: Any]])?.first?["replica"] as? [String: Any]
        #expect(status?["lastCheckedAt"] as? String != nil)
        // Bad values are said before anything is read.
        let badRate = ws.run(["verify", "--max-rate", "fast"])
        #expect(badRate.status == 2 && badRate.stderr.contains("50MB/s"), "\(badRate.stderr)")
        let badAge = ws.run(["verify", "--older-than", "soon"])
        #expect(badAge.status == 2 && badAge.stderr.contains("--older-than"), "\(badAge.stderr)")
        #expect(ws.run(["verify", "--limit", "0"]).status == 2)
        let forever = ws.run(["verify", "--older-than", "100000000000d"])
        #expect(forever.status == 2 && forever.stderr.contains("at most 100 years"), "\(forever.stderr)")
    }
}
