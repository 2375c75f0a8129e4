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
