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
