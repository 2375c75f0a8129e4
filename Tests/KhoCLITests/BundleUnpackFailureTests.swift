// A bundle import whose unpacking fails on this machine (a file larger than the process may
// write, as on a full disk): one clear error naming the file, and nothing stored or left over.
import Foundation
import KhoTesting
import Testing

@Suite struct BundleUnpackFailureTests {
    @Test func aFileThatCannotBeWrittenOutStopsTheImportAndStoresNothing() throws {
        let ws = Workspace()
        // Large enough to be written out by the second thread (at least 256 KiB).
        let big = ws.file("video.mp4", bytes: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        let id = ws.ingest(big, title: "Phóng sự lớn")
        ws.ingest(ws.file("a.txt", "Bài nhỏ"), title: "Bài nhỏ")
        #expect(ws.run(["export", "-o", "\(ws.path)/b.tar"]).status == 0)
        let province = "\(ws.path)/province"
        #expect(ws.run(["init", province], storage: false).status == 0)
        // At most 512 KiB per file for the importing process (SIGXFSZ ignored: the write fails
        // with EFBIG, as a write on a full disk fails with ENOSPC).
        let r = ws.run(executable: "/bin/bash", ["-c", "trap '' XFSZ; ulimit -f 512; exec \"$0\" bundle import \"$1\" --storage \"$2\"",
                                                  Kho.binary, "\(ws.path)/b.tar", province])
        #expect(r.status != 0)
        #expect(r.stderr.contains("data/\(id)/video.mp4") && r.stderr.contains("File too large"), "\(r.stderr)")
        #expect(ws.run(["list", "--json", "--storage", province], storage: false).array.isEmpty)
        #expect(filesUnder("\(province)/blobs").isEmpty)
        #expect(filesUnder("\(province)/tmp").filter { !$0.hasSuffix(".lock") }.isEmpty, "\(filesUnder("\(province)/tmp"))")
        // With room again, the same bundle imports whole.
        let again = ws.run(["bundle", "import", "\(ws.path)/b.tar", "--storage", province, "--json"], storage: false)
        #expect(again.status == 0 && (again.object["stored"] as? [String])?.count == 2, "\(again.stderr)")
    }
}
