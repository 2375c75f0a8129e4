import Foundation
import KhoTesting
import Testing

@Suite struct JSONOutputTests {
    static let required = ["id", "title", "kind", "languages", "unit", "produced", "published", "channels", "access", "digitized", "files"]
    static let fileKeys = ["sha256", "size", "name", "role", "mediaType"]

    func checkProduct(_ object: [String: Any], _ context: String) {
        for key in Self.required { #expect(object.keys.contains(key), "\(context): no \(key)") }
        for file in object["files"] as? [[String: Any]] ?? [] {
            for key in Self.fileKeys { #expect(file.keys.contains(key), "\(context): file has no \(key)") }
        }
    }

    @Test func everyCommandSpeaksJSON() {
        let ws = Workspace(initArchive: false)
        let initRun = ws.run(["init", ws.archive, "--json"])
        #expect(initRun.object["created"] as? Bool == true)
        let ingest = ws.run(["ingest", ws.file("a.txt", "a"), "--title", "A", "--kind", "article", "--lang", "vi", "--unit", "00004",
                             "--published", "2024-12-10", "--channel", "facebook", "--json"])
        checkProduct(ingest.object, "ingest")
        #expect(ingest.object["status"] as? String == "stored")
        let id = ingest.object["id"] as? String ?? ""
        let register = ws.run(["register", "--title", "B", "--kind", "poster", "--lang", "vi", "--unit", "00004", "--json"])
        checkProduct(register.object, "register")
        #expect(register.object["carrier"] as? String == "print")
        let attach = ws.run(["attach", register.object["id"] as? String ?? "", ws.file("b.png", "png?"), "--json"])
        checkProduct(attach.object, "attach")
        let show = ws.run(["show", id, "--json"])
        checkProduct(show.object, "show")
        #expect((show.object["events"] as? [Any])?.isEmpty == false)
        for list in [ws.run(["list", "--json"]).array, ws.run(["search", "a", "--json"]).array] {
            #expect(!list.isEmpty)
            for p in list { checkProduct(p, "list/search") }
        }
        let get = ws.run(["get", id, "-o", "\(ws.path)/out.txt", "--json"])
        #expect((get.object["file"] as? [String: Any])?["sha256"] as? String != nil)
        let edit = ws.run(["edit", id, "--title", "A2", "--json"])
        checkProduct(edit.object, "edit")
        let verify = ws.run(["verify", "--json"])
        #expect(verify.object["intact"] as? Bool == true)
        #expect(verify.object["checkedBlobs"] as? Int == 2)
        // Values, not just keys.
        #expect(show.object["languages"] as? [String] == ["vi"])
        #expect(show.object["channels"] as? [String] == ["facebook"])
        #expect(show.object["published"] as? String == "2024-12-10")
        #expect(show.object["produced"] is NSNull)
        #expect(show.object["digitized"] as? Bool == true)
        #expect(show.object["access"] as? String == "public")
    }

    @Test func everyCommandHasHelp() {
        let ws = Workspace(initArchive: false)
        for command in ["init", "ingest", "register", "attach", "edit", "show", "list", "search", "get", "verify"] {
            let r = ws.run([command, "--help"])
            #expect(r.status == 0, "\(command)")
            #expect(r.out.contains("USAGE: kho \(command)"), "\(command)")
            #expect(r.out.contains("--json"), "\(command) has no --json")
        }
    }
}

@Suite struct VerifyCLITests {
    @Test func damageIsReportedWithItsProductAndExitsThree() throws {
        let ws = Workspace()
        let good = ws.ingest(ws.file("good.txt", "good"), title: "Tốt")
        let bad = ws.ingest(ws.file("bad.txt", "rots"), title: "Sẽ hỏng")
        #expect(ws.run(["verify"]).status == 0)
        let sha = ws.sha256(of: "\(ws.path)/bad.txt")
        let blob = "\(ws.archive)/blobs/sha256/\(sha.prefix(2))/\(sha)"
        chmod(blob, 0o644)
        try Data("r0ts".utf8).write(to: URL(fileURLWithPath: blob))
        let r = ws.run(["verify", "--jobs", "2"])
        #expect(r.status == 3)
        #expect(r.out.contains("DAMAGED: sha256:\(sha)"))
        #expect(r.out.contains(bad) && r.out.contains("Sẽ hỏng"))
        #expect(!r.out.contains(good))
        #expect(r.out.contains("1 missing or damaged"))
        let show = ws.run(["show", bad])
        #expect(show.out.contains("fixity_check") && show.out.contains("failure"))
        #expect(show.out.contains("checked") && show.out.contains("damaged"))
        // get refuses to pass the damage on as if it were the original.
        #expect(ws.run(["get", bad, "-o", "\(ws.path)/copy.txt"]).status == 3)
        #expect(!FileManager.default.fileExists(atPath: "\(ws.path)/copy.txt"))
        // Attaching the original again repairs it.
        let repair = ws.run(["attach", bad, ws.file("original-again.txt", "rots")])
        #expect(repair.status == 0 && repair.stderr.contains("replaced the damaged copy"))
        #expect(ws.run(["verify"]).status == 0)
    }
}
