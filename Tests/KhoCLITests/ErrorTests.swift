import Foundation
import GRDB
import KhoTesting
import Testing

@Suite struct ErrorTests {
    func ingestArgs(_ files: [String], kind: String = "article", lang: String = "vi", unit: String = "00004") -> [String] {
        ["ingest"] + files + ["--title", "T", "--kind", kind, "--lang", lang, "--unit", unit]
    }

    /// Each mistake: exit 1, one line naming the value and what was expected, nothing stored.
    @Test(arguments: [
        (["--kind", "poem"], "'poem'", "one of article"),
        (["--lang", "vi_VN"], "'vi_VN'", "not '_'"),
        (["--lang", "Klingonese"], "'Klingonese'", "BCP 47 tag"),
        (["--unit", "4"], "'4'", "leading zeros"),
        (["--published", "2023-02-29"], "'2023-02-29'", "February 2023 has 28 days"),
        (["--channel", "pigeon"], "'pigeon'", "one of web_portal"),
        (["--access", "secret"], "'secret'", "public, internal, restricted"),
    ])
    func badMetadataIsOneClearLine(extra: [String], value: String, expected: String) {
        let ws = Workspace()
        let file = ws.file("a.txt", "a")
        var args = ["ingest", file, "--title", "T"]
        var given = Dictionary(uniqueKeysWithValues: stride(from: 0, to: extra.count, by: 2).map { (extra[$0], extra[$0 + 1]) })
        for (option, value) in [("--kind", "article"), ("--lang", "vi"), ("--unit", "00004")] where given[option] == nil { given[option] = value }
        for (option, value) in given { args += [option, value] }
        let r = ws.run(args)
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("kho: error: "))
        #expect(r.stderr.contains(value) && r.stderr.contains(expected), "\(r.stderr)")
        #expect(r.out.isEmpty)
        #expect(ws.run(["list", "--json"]).array.isEmpty)
        #expect(ws.run(["verify", "--json"]).object["checkedBlobs"] as? Int == 0)
    }

    @Test func severalMistakesAreAllListed() {
        let ws = Workspace()
        let r = ws.run(["register", "--title", "T", "--kind", "poem", "--lang", "xx_YY", "--unit", "12"  + "3456"])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 3, "\(r.stderr)")
    }

    @Test func missingFilesAreNamedAndNothingIsStored() {
        let ws = Workspace()
        let good = ws.file("good.txt", "good")
        let r = ws.run(ingestArgs([good, "\(ws.path)/missing-1.pdf", "\(ws.path)/missing-2.pdf"]))
        #expect(r.status == 1)
        #expect(r.stderr.contains("missing-1.pdf: no such file") && r.stderr.contains("missing-2.pdf: no such file"))
        #expect(ws.run(["verify", "--json"]).object["checkedBlobs"] as? Int == 0)
        let folder = ws.run(ingestArgs([ws.path]))
        #expect(folder.status == 1 && folder.stderr.contains("is a folder"))
    }

    @Test func unreadableFilesAreNamed() {
        let ws = Workspace()
        // /proc/self/mem opens but cannot be read at offset 0: a real read error even for root.
        let r = ws.run(ingestArgs(["/proc/self/mem"]))
        #expect(r.status == 1)
        #expect(r.stderr.contains("/proc/self/mem"), "\(r.stderr)")
        #expect(ws.run(["list", "--json"]).array.isEmpty)
        if getuid() != 0 {
            let locked = ws.file("locked.txt", "secret")
            chmod(locked, 0)
            let denied = ws.run(ingestArgs([locked]))
            #expect(denied.status == 1 && denied.stderr.contains("permission denied"))
        }
    }

    @Test func unknownAndMistypedIDs() {
        let ws = Workspace()
        let id = ws.ingest(ws.file("a.txt", "a"))
        var chars = Array(id)
        chars[0] = chars[0] == "2" ? "3" : "2"
        let typo = ws.run(["show", String(chars)])
        #expect(typo.status == 1 && typo.stderr.contains("check character"))
        let unknown = ws.run(["show", "0000-0000-0000-0000"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no product 0000-0000-0000-0000"))
        let garbage = ws.run(["get", "hello"])
        #expect(garbage.status == 1 && garbage.stderr.contains("'hello' is not a product ID"))
        // Lower case without hyphens is the same ID.
        #expect(ws.run(["show", id.lowercased().replacingOccurrences(of: "-", with: "")]).status == 0)
    }

    @Test func usageMistakesExitTwo() {
        let ws = Workspace()
        #expect(ws.run(["ingest", "--title", "T"]).status == 2)
        #expect(ws.run(["list", "--bogus"]).status == 2)
        #expect(ws.run(["frobnicate"]).status == 2)
        let r = ws.run(["get", "0000-0000-0000-0000", "--json"])
        #expect(r.status == 2 && r.stderr.contains("--json needs -o"))
    }

    @Test func aMissingArchiveIsNotCreatedByAccident() {
        let ws = Workspace(initArchive: false)
        let r = ws.run(["list", "--storage", "\(ws.path)/typo"], storage: false)
        #expect(r.status == 1 && r.stderr.contains("kho init"))
        #expect(!FileManager.default.fileExists(atPath: "\(ws.path)/typo"))
        // The default ./Storage is created on first use.
        let d = ws.run(["list"], storage: false)
        #expect(d.status == 0, "\(d.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(ws.path)/Storage/kho-archive.json"))
        // init refuses a folder holding other things.
        ws.file("busy/notes.txt", "x")
        let busy = ws.run(["init", "\(ws.path)/busy"], storage: false)
        #expect(busy.status == 1 && busy.stderr.contains("not empty"))
        #expect(ws.run(["init", "\(ws.path)/Storage"], storage: false).out.contains("already an archive"))
    }

    @Test func aLockedArchiveIsReportedAndNothingChanges() throws {
        let ws = Workspace()
        _ = ws.ingest(ws.file("first.txt", "first"))
        let other = try DatabaseQueue(path: "\(ws.archive)/catalog.sqlite")
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            let r = ws.run(ingestArgs([ws.file("second.txt", "second")]), env: ["KHO_LOCK_TIMEOUT": "0.3"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("locked by another Kho process"), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
            try db.execute(sql: "ROLLBACK")
        }
        #expect(ws.run(["list", "--json"]).array.count == 1)
        #expect(ws.run(["verify", "--json"]).object["unreferenced"] as? [String] == [])
    }

    @Test func errorsAreJSONWithJSON() {
        let ws = Workspace()
        let r = ws.run(["show", "0000-0000-0000-0000", "--json"])
        #expect(r.status == 1)
        let error = r.object["error"] as? [String: Any]
        #expect(error?["code"] as? String == "unknown_product")
    }
}

@Suite struct SpecialFileTests {
    /// A named pipe would block a reader forever: it is refused at once, like a folder.
    @Test func pipesAndFoldersAreRefusedWithoutHanging() {
        let ws = Workspace()
        mkfifo("\(ws.path)/pipe", 0o644)
        let r = ws.run(["ingest", "\(ws.path)/pipe", "--title", "T", "--kind", "article", "--lang", "vi", "--unit", "00004"])
        #expect(r.status == 1 && r.stderr.contains("not a regular file"), "\(r.stderr)")
        ws.file("m/a.txt", "a")
        mkfifo("\(ws.path)/m/pipe", 0o644)
        try? FileManager.default.createDirectory(atPath: "\(ws.path)/m/folder", withIntermediateDirectories: true)
        ws.file("m/m.csv", "title,kind,languages,unit,files\nỐng,article,vi,00004,pipe\nThư mục,article,vi,00004,folder\nTốt,article,vi,00004,a.txt\n")
        let i = ws.run(["import", "\(ws.path)/m/m.csv", "--json"])
        #expect(i.object["stored"] as? Int == 1)
        let codes = (i.object["problems"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes == ["not_a_file", "not_a_file"], "\(codes)")
    }
}
