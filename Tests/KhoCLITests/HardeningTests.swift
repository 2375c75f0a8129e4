// Regression tests for what a hostile test of the archive found (issue 10): each runs the
// built binary as an attacker or a careless clerk would.
import Foundation
import Glibc
import KhoTesting
import Testing

@Suite struct HardeningTests {
    /// 5. A symbolic link planted in the archive's tmp/ must not make the next command empty
    /// the folder it points to.
    @Test func temporaryCleanupNeverFollowsALink() throws {
        let ws = Workspace()
        ws.file("precious/keep.txt", "do not delete")
        ws.file("precious/sub/deep.txt", "nor this")
        for name in ["s99999-1", "planted", "s1-1.lock.d"] {
            #expect(symlink("\(ws.path)/precious", "\(ws.archive)/tmp/\(name)") == 0)
        }
        // A folder that looks like a dead session's, holding a link to the precious folder.
        try FileManager.default.createDirectory(atPath: "\(ws.archive)/tmp/s99998-1", withIntermediateDirectories: true)
        #expect(symlink("\(ws.path)/precious", "\(ws.archive)/tmp/s99998-1/link") == 0)
        #expect(ws.run(["list"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: "\(ws.path)/precious/keep.txt"))
        #expect(FileManager.default.fileExists(atPath: "\(ws.path)/precious/sub/deep.txt"))
        #expect(!FileManager.default.fileExists(atPath: "\(ws.archive)/tmp/s99998-1"), "a dead session's own folder is still cleaned")
    }
}

extension HardeningTests {
    /// 3. No output replaces an existing file without --force, and none goes inside the
    /// archive folder, even with --force.
    @Test func outputsNeverReplaceUnaskedNorLandInTheArchive() throws {
        let ws = Workspace()
        _ = ws.ingest(ws.file("a.txt", "a"))
        let manifest = ws.file("m/m.csv", "title,kind,languages,unit\nTờ gấp,leaflet,vi,00004\n")
        let other = ws.file("notes.txt", "my notes")
        let catalog = try Data(contentsOf: URL(fileURLWithPath: "\(ws.archive)/catalog.sqlite"))
        let mine = ws.run(["import", manifest, "--report", other])
        #expect(mine.status == 1 && mine.stderr.contains("already exists"), "\(mine.stderr)")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "my notes")
        for args in [["import", manifest, "--report", "\(ws.archive)/catalog.sqlite", "--force"],
                     ["import", manifest, "--report", "\(ws.archive)/kho-archive.json", "--force"],
                     ["import", manifest, "--report", manifest, "--force"],
                     ["export", "-o", "\(ws.archive)/catalog.sqlite", "--format", "tar", "--force"],
                     ["export", "-o", "\(ws.archive)/../archive/x.tar"],
                     ["report", "-o", "\(ws.archive)/r.html"],
                     ["get", ws.run(["list", "--json"]).array.first?["id"] as? String ?? "", "-o", "\(ws.archive)/blobs/x", "--force"]] {
            let r = ws.run(args)
            #expect(r.status == 1 && (r.stderr.contains("inside the archive") || r.stderr.contains("the manifest itself")), "\(args): \(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(ws.archive)/catalog.sqlite")) == catalog || ws.run(["verify"]).status == 0)
        #expect(ws.run(["list", "--json"]).array.count == 1, "nothing was imported by the refused runs")
        // A hard link to the catalog outside the archive is replaced, never written through.
        #expect(link("\(ws.archive)/catalog.sqlite", "\(ws.path)/cat.csv") == 0)
        _ = ws.run(["import", manifest, "--report", "\(ws.path)/cat.csv", "--force"])
        #expect(ws.run(["verify"]).status == 0 && ws.run(["list", "--json"]).array.count >= 1, "the catalog survived")
        // Another name for the archive folder (a bind mount) is still the archive.
        if getuid() == 0 {
            try FileManager.default.createDirectory(atPath: "\(ws.path)/bm", withIntermediateDirectories: true)
            #expect(ws.run(executable: "/bin/mount", ["--bind", ws.archive, "\(ws.path)/bm"]).status == 0)
            let r = ws.run(["export", "-o", "\(ws.path)/bm/catalog.sqlite", "--format", "tar", "--force"])
            _ = ws.run(executable: "/bin/umount", ["\(ws.path)/bm"])
            #expect(r.status == 1 && r.stderr.contains("inside the archive"), "\(r.stderr)")
        }
        // A re-run may replace its own earlier result file.
        #expect(ws.run(["import", manifest]).status == 0)
        #expect(ws.run(["import", manifest]).status == 0)
    }
}

extension HardeningTests {
    /// 2. A name from a bundle that climbs out of a folder is stored as one safe component, and
    /// `get -o DIR/` writes inside DIR.
    @Test func namesFromABundleCannotLeaveAFolder() throws {
        let ws = Workspace()
        let id = ws.ingest(ws.file("a.txt", "bài A"))
        #expect(ws.run(["export", "-o", "\(ws.path)/good.tar"]).status == 0)
        let scratch = Scratch(prefix: "kho-forge")
        let evil = "../../../../\(scratch.path.dropFirst())/escaped.txt"
        let hex = evil.utf8.map { String(format: "%02x", $0) }.joined()
        let forged = PythonBags.make("forged.tar", in: scratch, """
            def edit(m):
                for f in m['product']['files']: f['name'] = '\(evil)'; f['originalNameHex'] = '\(hex)'
            rebag('\(ws.path)/good.tar', out, edit)
            """)
        let province = Workspace()
        #expect(province.run(["bundle", "verify", forged]).status == 0)
        let imported = province.run(["bundle", "import", forged])
        #expect(imported.status == 0, "\(imported.stderr)")
        let shown = province.run(["show", id, "--json"]).object
        let name = (shown["files"] as? [[String: Any]])?.first?["name"] as? String ?? ""
        #expect(!name.contains("/") && name != ".." && name != ".", "stored name: \(name)")
        try FileManager.default.createDirectory(atPath: "\(province.path)/out", withIntermediateDirectories: true)
        let got = province.run(["get", id, "-o", "\(province.path)/out/", "--json"])
        #expect(got.status == 0, "\(got.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/escaped.txt"), "written outside the folder")
        #expect((got.object["output"] as? String)?.hasPrefix("\(province.path)/out/") == true, "\(got.object)")
    }

    /// 4. Two files whose names differ only in Unicode normalization, with different bytes:
    /// both are kept, the second under a name made unique.
    @Test func namesThatDifferOnlyInNormalizationKeepBothFiles() {
        let ws = Workspace()
        let nfd = ws.file("n\u{0303}.txt", "NFD bytes")
        let nfc = ws.file("\u{00F1}.txt", "NFC bytes")
        let r = ws.run(["ingest", nfd, nfc, "--title", "Hai tệp", "--kind", "article", "--lang", "vi", "--unit", "00004", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = r.object["files"] as? [[String: Any]] ?? []
        #expect(files.count == 2, "\(files)")
        #expect(Set(files.compactMap { $0["sha256"] as? String }).count == 2)
        #expect(Set(files.compactMap { $0["name"] as? String }).count == 2, "names made unique: \(files.map { $0["name"] ?? "" })")
        #expect(!r.stderr.contains("stored once"))
    }
}

extension HardeningTests {
    /// Every cell of a CSV file, as a spreadsheet reads it.
    func csvCells(_ path: String, _ ws: Workspace) -> [String] {
        let r = ws.run(executable: "/usr/bin/env", ["python3", "-c", "import csv,sys,json\nprint(json.dumps([c for row in csv.reader(open(sys.argv[1], newline='', encoding='utf-8')) for c in row]))", path])
        return (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String]) ?? []
    }

    /// 9. Titles and source IDs that a spreadsheet would run as formulas are neutralised in
    /// every CSV Kho writes (OWASP: a leading ').
    @Test func csvCellsAreNeverFormulas() {
        let ws = Workspace()
        for (i, title) in ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)"].enumerated() {
            #expect(ws.run(["register", "--title=\(title)", "--kind", "leaflet", "--lang", "vi", "--unit", "00004", "--produced", "2024-0\(i + 1)-01"]).status == 0)
        }
        let report = ws.run(["report", "--period", "2024", "--format", "csv", "-o", "\(ws.path)/r.csv"])
        #expect(report.status == 0, "\(report.stderr)")
        ws.file("m/m.csv", "source_id,title,kind,languages,unit\n=cmd|'/c calc',Tờ A,leaflet,vi,00004\n@x,Tờ B,poem,vi,00004\n")
        _ = ws.run(["import", "\(ws.path)/m/m.csv"])
        for file in ["\(ws.path)/r.csv", "\(ws.path)/m/m.csv.result.csv"] {
            let cells = csvCells(file, ws)
            #expect(!cells.isEmpty, "\(file)")
            let formulas = cells.filter { cell in
                guard let first = cell.unicodeScalars.first else { return false }
                return "=+-@\t\r".unicodeScalars.contains(first) && Double(cell) == nil
            }
            #expect(formulas.isEmpty, "\(file): \(formulas)")
        }
        #expect(csvCells("\(ws.path)/r.csv", ws).contains("'=HYPERLINK(\"http://evil\")"))
    }

    /// 10. Control characters (ESC, BEL, NUL…) are refused in one-line fields, and messages that
    /// quote what was typed show them escaped, never raw.
    @Test func controlCharactersAreRefusedAndNeverEchoedRaw() {
        let ws = Workspace()
        let file = ws.file("a.txt", "a")
        for (option, value) in [("--creator", "Ban \u{1B}[31mđỏ"), ("--campaign", "Chiến dịch\u{07}"), ("--topic", "a\u{1B}]0;title\u{07}"),
                                ("--description", "dòng 1\n\u{1B}[2Jxoá màn hình")] {
            let r = ws.run(["ingest", file, "--title", "T", "--kind", "article", "--lang", "vi", "--unit", "00004", option, value])
            #expect(r.status == 1, "\(option): \(r.stderr)")
            #expect(!r.stderr.contains("\u{1B}") && !r.stderr.contains("\u{07}"), "\(option): raw control characters echoed")
        }
        #expect(ws.run(["list", "--json"]).array.isEmpty)
        ws.file("m/m.csv", "title,kind,languages,unit\n\"Tờ\u{1B}[5m\",leaflet,vi\u{00},00004\n")
        let r = ws.run(["import", "\(ws.path)/m/m.csv"])
        #expect(r.status == 1 && !r.stderr.contains("\u{1B}") && !r.stderr.contains("\u{00}"), "\(r.stderr)")
        let result = (try? String(contentsOfFile: "\(ws.path)/m/m.csv.result.csv", encoding: .utf8)) ?? ""
        #expect(!result.isEmpty && !result.contains("\u{1B}") && !result.contains("\u{00}"))
    }

    /// 14. A title typed with Alt+Enter in Excel is one line with a space, and the row is stored
    /// with a warning naming it; a description keeps its line breaks.
    @Test func lineBreaksInOneLineFieldsAreFolded() {
        let ws = Workspace()
        ws.file("m/m.csv", "title,kind,languages,unit,description\n\"Quyền con người\ntrong   Hiến pháp\",leaflet,vi,00004,\"Dòng 1\nDòng 2\"\n")
        let r = ws.run(["import", "\(ws.path)/m/m.csv", "--json"])
        #expect(r.status == 0 && r.object["stored"] as? Int == 1, "\(r.stderr)")
        #expect((r.object["warnings"] as? [String])?.contains { $0.hasPrefix("row 2:") && $0.contains("line break") } == true, "\(r.object["warnings"] ?? "")")
        let product = ws.run(["list", "--json"]).array.first ?? [:]
        #expect(product["title"] as? String == "Quyền con người trong Hiến pháp")
        #expect(product["description"] as? String == "Dòng 1\nDòng 2")
    }
}

extension HardeningTests {
    /// 11. Every environment setting is parsed with a clear error and a sane range.
    @Test func environmentSettingsAreChecked() {
        let ws = Workspace()
        for value in ["2147484", "1e10", "inf", "nan", "abc", "-5"] {
            let r = ws.run(["list"], env: ["KHO_LOCK_TIMEOUT": value])
            #expect(r.status == 1 && r.stderr.contains("KHO_LOCK_TIMEOUT") && r.stderr.contains(value), "\(value): \(r.status) \(r.stderr)")
        }
        #expect(ws.run(["list"], env: ["KHO_LOCK_TIMEOUT": "2.5"]).status == 0)
        #expect(ws.run(["list"], env: ["KHO_PROGRESS_DELAY": "soon"]).stderr.contains("KHO_PROGRESS_DELAY"))
        #expect(ws.run(["list"], env: ["KHO_LOG_LEVEL": "loud"]).stderr.contains("KHO_LOG_LEVEL"))
        #expect(ws.run(["list"], env: ["KHO_AGENT": "clerk\u{1B}[31m"]).status == 1)
    }

    /// 12. Weak validation: text that is not UTF-8, implausible dates, absurd tags, negative jobs.
    @Test func weakValidationIsStrengthened() throws {
        let ws = Workspace()
        let file = ws.file("a.txt", "a")
        // Invalid UTF-8 in --title, passed as raw bytes.
        let raw = ws.run(executable: "/usr/bin/env", ["bash", "-c", "\"$KHO\" ingest \"$F\" --title $'Quy\\xe1n' --kind article --lang vi --unit 00004"],
                         env: ["KHO": Kho.binary, "F": file])
        #expect(raw.status == 1 && raw.stderr.contains("title") && raw.stderr.contains("byte 4"), "\(raw.stderr)")
        #expect(ws.run(["list", "--json"]).array.isEmpty)
        // Dates far outside the scheme's years are accepted with a warning.
        let old = ws.run(["register", "--title", "Rất cũ", "--kind", "leaflet", "--lang", "vi", "--unit", "00004", "--produced", "1900-01-01"])
        #expect(old.status == 0 && old.stderr.contains("warning") && old.stderr.contains("1900-01-01"), "\(old.stderr)")
        let far = ws.run(["register", "--title", "Tương lai", "--kind", "leaflet", "--lang", "vi", "--unit", "00004", "--produced", "2099-12-31"])
        #expect(far.status == 0 && far.stderr.contains("warning") && far.stderr.contains("2099-12-31"), "\(far.stderr)")
        // A 1,000-character private-use tag.
        let tag = "x-" + Array(repeating: "abcdefgh", count: 125).joined(separator: "-")
        let long = ws.run(["ingest", file, "--title", "T", "--kind", "article", "--lang", tag, "--unit", "00004"])
        #expect(long.status == 1 && long.stderr.contains("at most"), "\(long.stderr.prefix(300))")
        // --jobs -1 names the option and what it takes.
        let jobs = ws.run(["verify", "--jobs", "-1"])
        #expect(jobs.status == 2 && jobs.stderr.contains("--jobs") && jobs.stderr.contains("at least 1"), "\(jobs.stderr)")
    }
}

extension HardeningTests {
    func blob(_ ws: Workspace, _ sha: String) -> String { "\(ws.archive)/blobs/sha256/\(sha.prefix(2))/\(sha)" }

    /// Changes one byte of a stored file, keeping its size.
    func damage(_ path: String) throws {
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// 6. An export checks every file's digest as it streams: damaged bytes fail it, naming the
    /// product and file, and nothing is recorded.
    @Test func exportRefusesDamagedBytes() throws {
        let ws = Workspace()
        let id = ws.ingest(ws.file("a.txt", "nội dung gốc"))
        #expect(ws.run(["export", "-o", "\(ws.path)/first.tar"]).status == 0)
        #expect(ws.run(["edit", id, "--campaign", "Ngày Nhân quyền"]).status == 0)   // in the next --since-last export
        let sha = ((ws.run(["show", id, "--json"]).object["files"] as? [[String: Any]])?.first?["sha256"] as? String) ?? ""
        try damage(blob(ws, sha))
        let r = ws.run(["export", "-o", "\(ws.path)/bad.tar", "--since-last"])
        #expect(r.status == 3 && r.stderr.contains(id), "\(r.status) \(r.stderr)")
        let full = ws.run(["export", "-o", "\(ws.path)/bad2.tar"])
        #expect(full.status == 3 && full.stderr.contains(id) && full.stderr.contains("file 1"), "\(full.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(ws.path)/bad2.tar"))
        #expect(ws.run(["exports", "--json"]).array.count == 1, "no export was recorded, the --since-last cursor did not move")

        // A stored file shorter or longer than the catalog says is damage too, named as such,
        // before a byte too many or too few reaches the bag.
        #expect(ws.run(["attach", id, ws.file("a-again.txt", "nội dung gốc")]).status == 0)
        #expect(ws.run(["export", "-o", "\(ws.path)/repaired.tar"]).status == 0)
        for (name, change) in [("short", { (b: Data) in b.dropLast(2) }), ("long", { (b: Data) in b + Data("x".utf8) })] as [(String, (Data) -> Data)] {
            let other = ws.ingest(ws.file("\(name).txt", "nội dung \(name) đủ dài"))
            let otherSHA = ((ws.run(["show", other, "--json"]).object["files"] as? [[String: Any]])?.first?["sha256"] as? String) ?? ""
            let path = blob(ws, otherSHA)
            chmod(path, 0o644)
            try change(Data(contentsOf: URL(fileURLWithPath: path))).write(to: URL(fileURLWithPath: path))
            let r = ws.run(["export", "-o", "\(ws.path)/\(name).tar"])
            #expect(r.status == 3 && r.stderr.contains(other) && r.stderr.contains("damaged in the store"), "\(name): \(r.status) \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(ws.path)/\(name).tar"))
            try FileManager.default.removeItem(atPath: path)
            #expect(ws.run(["attach", other, ws.file("\(name)-again.txt", "nội dung \(name) đủ dài")]).status == 0)
        }
    }

    /// 7. Identical good bytes replace a damaged copy, even one nobody knew was damaged, and a
    /// damaged file nobody refers to is not adopted; verify checks every blob file.
    @Test func goodBytesReplaceDamagedOnes() throws {
        let ws = Workspace()
        let content = "bản gốc của tờ rơi"
        let id = ws.ingest(ws.file("a.txt", content))
        let sha = ((ws.run(["show", id, "--json"]).object["files"] as? [[String: Any]])?.first?["sha256"] as? String) ?? ""
        try damage(blob(ws, sha))
        // The same bytes arrive under another title, before any verify.
        _ = ws.ingest(ws.file("copy.txt", content), title: "Bản sao")
        let after = ws.run(["verify", "--json"])
        #expect(after.status == 0 && after.object["intact"] as? Bool == true, "\(after.out)")

        // A damaged file under the name of bytes not yet stored, that no product refers to.
        let orphan = "bytes no product holds yet"
        let orphanSHA = ws.sha256(of: ws.file("orphan.txt", orphan))
        try FileManager.default.createDirectory(atPath: (blob(ws, orphanSHA) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("not those bytes".utf8).write(to: URL(fileURLWithPath: blob(ws, orphanSHA)))
        let found = ws.run(["verify", "--json"])
        #expect(found.status == 3, "an unreferenced damaged blob is found: \(found.out)")
        #expect(((found.object["findings"] as? [[String: Any]]) ?? []).contains { $0["sha256"] as? String == orphanSHA })
        #expect((found.object["unreferenced"] as? [String]) == [orphanSHA])
        _ = ws.ingest(ws.file("orphan-source.txt", orphan), title: "Tờ khác")
        let final = ws.run(["verify", "--json"])
        #expect(final.status == 0 && final.object["intact"] as? Bool == true, "\(final.out)")
    }

    /// 15. Restoring a missing blob by ingesting its bytes again says "restored" and logs it.
    @Test func restoringAMissingBlobIsSaidAndLogged() throws {
        let ws = Workspace()
        let file = ws.file("a.txt", "nội dung")
        let id = ws.ingest(file)
        let sha = ((ws.run(["show", id, "--json"]).object["files"] as? [[String: Any]])?.first?["sha256"] as? String) ?? ""
        try FileManager.default.removeItem(atPath: blob(ws, sha))
        #expect(ws.run(["verify"]).status == 3)
        let again = ws.run(["ingest", file, "--title", "Quyền con người", "--kind", "article", "--lang", "vi", "--unit", "00004", "--json"])
        #expect(again.status == 0 && again.object["status"] as? String == "restored", "\(again.out) \(again.stderr)")
        #expect((again.object["notices"] as? [String])?.contains { $0.contains("restored") } == true)
        let events = (ws.run(["show", id, "--json"]).object["events"] as? [[String: Any]]) ?? []
        #expect(events.contains { $0["type"] as? String == "repair" && ($0["object"] as? String) == "file:\(id)/1" }, "\(events.map { $0["type"] ?? "" })")
        #expect(ws.run(["verify"]).status == 0)
    }
}

extension HardeningTests {
    /// 8. A re-run whose metadata differs is never silently ignored: a change is applied as an
    /// edit (logged, reported "updated"), lowering access is refused naming the field.
    @Test func reRunsApplyChangesOrRefuseThem() {
        let ws = Workspace()
        let file = ws.file("a.txt", "a")
        let base = ["ingest", file, "--title", "Bài A", "--kind", "article", "--lang", "vi", "--unit", "00004", "--json"]
        let id = ws.run(base).object["id"] as? String ?? ""
        let raised = ws.run(base + ["--access", "restricted", "--campaign", "Ngày Nhân quyền"])
        #expect(raised.status == 0 && raised.object["status"] as? String == "updated" && raised.object["id"] as? String == id, "\(raised.out) \(raised.stderr)")
        let shown = ws.run(["show", id, "--json"]).object
        #expect(shown["access"] as? String == "restricted" && shown["campaign"] as? String == "Ngày Nhân quyền")
        #expect(((shown["events"] as? [[String: Any]]) ?? []).contains { $0["type"] as? String == "metadata_modification" })
        let lowered = ws.run(base + ["--access", "public"])
        #expect(lowered.status == 1 && lowered.stderr.contains("access") && lowered.stderr.contains("kho edit"), "\(lowered.stderr)")
        #expect(ws.run(["show", id, "--json"]).object["access"] as? String == "restricted")
        // Not given: kept as stored.
        #expect(ws.run(base).object["status"] as? String == "already_present")

        // A manifest re-run, matched by source_id.
        let manifest = "\(ws.path)/m/m.csv"
        ws.file("m/m.csv", "source_id,title,kind,languages,unit,access\nS1,Tờ gấp,leaflet,vi,00004,public\n")
        #expect(ws.run(["import", manifest]).status == 0)
        ws.file("m/m.csv", "source_id,title,kind,languages,unit,access\nS1,Tờ gấp,leaflet,vi,00004,restricted\n")
        let updated = ws.run(["import", manifest, "--json"])
        #expect(updated.status == 0 && (updated.object["results"] as? [[String: Any]])?.first?["status"] as? String == "updated", "\(updated.out)")
        ws.file("m/m.csv", "source_id,title,kind,languages,unit,access\nS1,Tờ gấp,leaflet,vi,00004,public\n")
        let refused = ws.run(["import", manifest, "--json"])
        #expect(refused.status == 1 && ((refused.object["results"] as? [[String: Any]])?.first?["message"] as? String)?.contains("access") == true, "\(refused.out)")
        ws.file("m/m.csv", "source_id,title,kind,languages,unit\nS1,Tờ gấp,leaflet,vi,00004\n")
        #expect((ws.run(["import", manifest, "--json"]).object["results"] as? [[String: Any]])?.first?["status"] as? String == "already_present")
        let leaflet = ws.run(["list", "--kind", "leaflet", "--json"]).array.first
        #expect(leaflet?["access"] as? String == "restricted")
    }

    /// 15. The import result file keeps the manifest's order, rejected rows among the others.
    @Test func theResultFileKeepsManifestOrder() {
        let ws = Workspace()
        ws.file("m/a.txt", "a")
        ws.file("m/m.csv", "title,kind,languages,unit,files\nA,article,vi,00004,a.txt\nB,poem,vi,00004,\nC,leaflet,vi,00004,\nD,article,xx_YY,00004,\n")
        _ = ws.run(["import", "\(ws.path)/m/m.csv"])
        let rows = ((try? String(contentsOfFile: "\(ws.path)/m/m.csv.result.csv", encoding: .utf8)) ?? "").split(separator: "\r\n").dropFirst()
        #expect(rows.map { $0.split(separator: ",").first.map(String.init) ?? "" } == ["2", "3", "4", "5"], "\(rows)")
    }
}

extension HardeningTests {
    /// 1. A bundle may create products from anywhere, but may change one only when it comes from
    /// the product's home archive (or a source declared authoritative for its unit); it never
    /// lowers access unless the operator names the product; imported events stay marked.
    @Test func aBundleCannotRewriteAnotherArchivesProduct() throws {
        let province = Workspace()
        let secret = province.ingest(province.file("mat.txt", "tài liệu mật"), title: "Tài liệu mật", extra: ["--access", "restricted"])
        let commune = Workspace()
        _ = commune.ingest(commune.file("a.txt", "bài xã"), title: "Bài của xã")
        #expect(commune.run(["export", "-o", "\(commune.path)/xa.tar"]).status == 0)
        // The commune's bundle, edited to carry the province's restricted product, made public.
        let scratch = Scratch(prefix: "kho-forge")
        let forged = PythonBags.make("forged.tar", in: scratch, """
            import copy
            def edit(m):
                m['product']['id'] = '\(secret)'; m['product']['access'] = 'public'; m['product']['title'] = 'Tài liệu mật'
                m['product']['events'].append({'id': None, 'at': '2020-01-01T00:00:00.000Z', 'type': 'metadata_modification', 'object': 'product:\(secret)', 'agent': 'forger', 'outcome': 'success', 'detail': 'forged'})
            rebag('\(commune.path)/xa.tar', out, edit)
            """)
        let r = province.run(["bundle", "import", forged, "--json"])
        let refusedIDs = ((r.object["refused"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(r.status == 1 && refusedIDs == [secret], "\(r.out) \(r.stderr)")
        let shown = province.run(["show", secret, "--json"]).object
        #expect(shown["access"] as? String == "restricted")
        #expect(!((shown["events"] as? [[String: Any]]) ?? []).contains { $0["agent"] as? String == "forger" })
        #expect(province.run(["export", "-o", "\(province.path)/p.tar", "--json"]).object["restrictedLeftOut"] as? Int == 1)
    }

    /// 1. Updates from the home archive are taken, except a lower access level unless the
    /// operator names the product; events from the sender are kept, marked as its history.
    @Test func theHomeArchiveUpdatesItsProductsButDoesNotOpenThemUnasked() throws {
        let commune = Workspace()
        let id = commune.ingest(commune.file("a.txt", "bài xã"), title: "Bài của xã", extra: ["--access", "internal"])   // restricted never leaves
        #expect(commune.run(["export", "-o", "\(commune.path)/v1.tar"]).status == 0)
        let province = Workspace()
        #expect(province.run(["bundle", "import", "\(commune.path)/v1.tar"]).status == 0)
        let first = province.run(["show", id, "--json"]).object
        let imported = ((first["events"] as? [[String: Any]]) ?? []).filter { $0["type"] as? String == "ingestion" }
        #expect(!imported.isEmpty && imported.allSatisfy { $0["importedFrom"] as? String != nil }, "\(imported)")
        // The commune opens it and changes its campaign: the campaign is taken, the access not.
        #expect(commune.run(["edit", id, "--access", "public", "--campaign", "Mới"]).status == 0)
        #expect(commune.run(["export", "-o", "\(commune.path)/v2.tar"]).status == 0)
        let refused = province.run(["bundle", "import", "\(commune.path)/v2.tar", "--json"])
        #expect(refused.status == 1 && ((refused.object["refused"] as? [[String: Any]]) ?? []).first?["id"] as? String == id, "\(refused.out)")
        #expect(province.run(["show", id, "--json"]).object["access"] as? String == "internal")
        let allowed = province.run(["bundle", "import", "\(commune.path)/v2.tar", "--lower-access", id, "--json"])
        #expect(allowed.status == 0 && (allowed.object["updated"] as? [String]) == [id], "\(allowed.out) \(allowed.stderr)")
        let now = province.run(["show", id, "--json"]).object
        #expect(now["access"] as? String == "public" && now["campaign"] as? String == "Mới")
    }
}

extension HardeningTests {
    /// A copy of `ws`'s archive on read-only storage: a read-only mount as root, a folder
    /// without write permission otherwise. Returns its path and how to undo it.
    func readOnlyCopy(_ ws: Workspace) -> (path: String, undo: () -> Void) {
        let target = "\(ws.path)/ro"
        try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        if getuid() == 0 {
            _ = ws.run(executable: "/bin/mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", target])
            _ = ws.run(executable: "/bin/cp", ["-a", ws.archive, "\(target)/archive"])
            _ = ws.run(executable: "/bin/mount", ["-o", "remount,ro", target])
            return ("\(target)/archive", { _ = ws.run(executable: "/bin/umount", [target]) })
        }
        _ = ws.run(executable: "/bin/cp", ["-a", ws.archive, "\(target)/archive"])
        _ = ws.run(executable: "/bin/chmod", ["-R", "a-w", "\(target)/archive"])
        return ("\(target)/archive", { _ = ws.run(executable: "/bin/chmod", ["-R", "u+w", "\(target)/archive"]) })
    }

    /// 13. A read-only copy of an archive (a DVD, a mounted backup) can be read, listed,
    /// reported on, verified and exported; a change is refused with a clear reason.
    @Test func aReadOnlyArchiveCanBeRead() throws {
        let ws = Workspace()
        let id = ws.ingest(ws.file("a.txt", "nội dung"))
        let (ro, undo) = readOnlyCopy(ws)
        defer { undo() }
        let env = ["KHO_STORAGE": ro]
        #expect(ws.run(["list", "--json"], env: env, storage: false).array.count == 1, "\(ws.run(["list"], env: env, storage: false).stderr)")
        #expect(ws.run(["show", id], env: env, storage: false).status == 0)
        #expect(ws.run(["get", id, "-o", "\(ws.path)/out.txt"], env: env, storage: false).status == 0)
        #expect(try String(contentsOfFile: "\(ws.path)/out.txt", encoding: .utf8) == "nội dung")
        #expect(ws.run(["report", "--period", "2024"], env: env, storage: false).status == 0)
        #expect(ws.run(["verify"], env: env, storage: false).status == 0)
        #expect(ws.run(["export", "-o", "\(ws.path)/copy.tar"], env: env, storage: false).status == 0)
        let change = ws.run(["edit", id, "--campaign", "x"], env: env, storage: false)
        #expect(change.status == 1 && change.stderr.contains("read-only"), "\(change.stderr)")
        let ingest = ws.run(["ingest", ws.file("b.txt", "b"), "--title", "B", "--kind", "article", "--lang", "vi", "--unit", "00004"], env: env, storage: false)
        #expect(ingest.status == 1 && ingest.stderr.contains("read-only"), "\(ingest.stderr)")
    }

    /// 13. A manifest that is one enormous row, or JSON nested without end, is refused quickly
    /// with a clear error, in flat memory.
    @Test func absurdManifestsAreRefusedClearly() throws {
        let ws = Workspace()
        ws.file("m/commas.csv", "title,kind,languages,unit\n" + String(repeating: ",", count: 5_000_000))
        let commas = ws.run(["import", "\(ws.path)/m/commas.csv", "--dry-run"])
        #expect(commas.status == 1 && commas.stderr.contains("cells"), "\(commas.stderr)")
        ws.file("m/deep.jsonl", String(repeating: "[", count: 100_000) + "\n")
        let deep = ws.run(["import", "\(ws.path)/m/deep.jsonl", "--dry-run"])
        #expect(deep.status == 1 && deep.stderr.contains("nested"), "\(deep.stderr)")
    }
}

extension HardeningTests {
    /// What a second hostile review found after the first fixes.
    @Test func secondReviewFindings() throws {
        let ws = Workspace()
        let id = ws.ingest(ws.file("a.txt", "nội dung A"), title: "Bài A")
        #expect(ws.run(["export", "-o", "\(ws.path)/a.tar"]).status == 0)
        // An expansion limit too large to compute with is refused, not a crash.
        let huge = ws.run(["bundle", "verify", "\(ws.path)/a.tar", "--max-expansion", "4611686018427387904"])
        #expect(huge.status == 1 && huge.stderr.contains("max-expansion"), "\(huge.status) \(huge.stderr)")
        // A forged original name that differs from the shown one is not what get writes.
        let scratch = Scratch(prefix: "kho-forge")
        let forged = PythonBags.make("names.tar", in: scratch, """
            def edit(m):
                for f in m['product']['files']: f['name'] = 'ok.txt'; f['originalNameHex'] = '2e6261736872c'[:-1]
            rebag('\(ws.path)/a.tar', out, edit)
            """)
        let province = Workspace()
        #expect(province.run(["bundle", "import", forged]).status == 0)
        try FileManager.default.createDirectory(atPath: "\(province.path)/out", withIntermediateDirectories: true)
        let got = province.run(["get", id, "-o", "\(province.path)/out/", "--json"])
        #expect(got.object["output"] as? String == "\(province.path)/out/ok.txt", "\(got.out) \(got.stderr)")
        // A bundle claiming to come from the importing archive itself changes nothing there.
        let own = ws.run(["init", "--json"]).object["archiveID"] as? String ?? ""
        let claim = PythonBags.make("own.tar", in: scratch, """
            def edit(m): m['product']['title'] = 'Đổi tên'
            rebag('\(ws.path)/a.tar', out, edit)
            """)
        let selfClaim = ws.run(["bundle", "import", claim])
        #expect(selfClaim.status == 1 && selfClaim.stderr.contains(own), "\(selfClaim.stderr)")
        // source_id is one line; bidirectional overrides are refused.
        ws.file("m/m.csv", "source_id,title,kind,languages,unit\n\"X\n1\",Tờ gấp,leaflet,vi,00004\nS2,\"abc\u{202E}txt.exe\",leaflet,vi,00004\n")
        let rows = ws.run(["import", "\(ws.path)/m/m.csv", "--json"])
        let results = (rows.object["results"] as? [[String: Any]]) ?? []
        #expect(results.first?["sourceID"] as? String == "X 1", "\(rows.out) \(rows.stderr)")
        #expect(results.last?["status"] as? String == "rejected", "\(results)")
        // A damaged copy restored by an import says so and logs a repair.
        let sha = ((ws.run(["show", id, "--json"]).object["files"] as? [[String: Any]])?.first?["sha256"] as? String) ?? ""
        try damage(blob(ws, sha))
        #expect(ws.run(["verify"]).status == 3)
        ws.file("n/a.txt", "nội dung A")
        ws.file("n/n.csv", "title,kind,languages,unit,files\nBài A,article,vi,00004,a.txt\n")
        let repaired = ws.run(["import", "\(ws.path)/n/n.csv", "--json"])
        #expect((repaired.object["warnings"] as? [String])?.contains { $0.contains("restored") } == true, "\(repaired.out)")
        #expect(((ws.run(["show", id, "--json"]).object["events"] as? [[String: Any]]) ?? []).contains { $0["type"] as? String == "repair" })
        #expect(ws.run(["verify"]).status == 0)
    }

    /// A read-only copy taken while changes were still in the write-ahead log is refused, not
    /// read without them.
    @Test func aReadOnlyCopyWithAnUnmergedLogIsRefused() throws {
        let ws = Workspace()
        _ = ws.ingest(ws.file("a.txt", "a"))
        // Another process holds the catalog open with a write in its log while the copy is made.
        let holder = try GRDBHolder(path: "\(ws.archive)/catalog.sqlite")
        _ = ws.ingest(ws.file("b.txt", "b"), title: "Trong nhật ký")
        let (ro, undo) = readOnlyCopy(ws)
        defer { undo() }
        withExtendedLifetime(holder) {}
        let r = ws.run(["list"], env: ["KHO_STORAGE": ro], storage: false)
        if FileManager.default.fileExists(atPath: "\(ro)/catalog.sqlite-wal"),
           ((try? FileManager.default.attributesOfItem(atPath: "\(ro)/catalog.sqlite-wal"))?[.size] as? Int ?? 0) > 0 {
            #expect(r.status == 1 && r.stderr.contains("write-ahead log"), "\(r.stderr)")
        } else {
            #expect(r.status == 0 && r.out.contains("Trong nhật ký"), "\(r.out) \(r.stderr)")
        }
    }
}

import GRDB

/// Keeps a catalog open in this process so its write-ahead log is not merged at close.
final class GRDBHolder: @unchecked Sendable {
    let queue: DatabaseQueue
    init(path: String) throws {
        queue = try DatabaseQueue(path: path)
        try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM products") }
    }
}
