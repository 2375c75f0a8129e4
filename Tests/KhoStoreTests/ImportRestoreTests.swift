// An import restores bytes the archive lost (a repair event on the product that held them) and
// counts the same bytes twice in a chunk once.
import Foundation
import Glibc
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct ImportRestoreTests {
    /// The whole path through an import: a product whose stored copy went missing gets it back
    /// (a repair event), the second file of the same bytes says they were already stored, and
    /// the report counts each new blob once.
    @Test func anImportRestoresMissingBytesAndStoresDuplicatesOnce() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let old = try archive.ingest(try metadata("Bài cũ"), files: [scratch.hostFile("cu.txt", "bytes that went missing")]).product
        unlink(archive.blobs.path(for: old.files[0].sha256).description)
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/in", withIntermediateDirectories: true)
        _ = scratch.file("in/lai.txt", "bytes that went missing")
        _ = scratch.file("in/a.txt", "twice the same")
        _ = scratch.file("in/b.txt", "twice the same")
        let manifest = scratch.hostFile("in/m.csv", """
            source_id,title,kind,languages,unit,published,files
            R1,Bài gửi lại,article,vi,00004,2024-05-01,lai.txt
            R2,Bản một,article,vi,00004,2024-05-01,a.txt
            R3,Bản hai,article,vi,00004,2024-05-02,b.txt

            """)
        let report = try archive.importManifest(manifest, options: ImportOptions(report: HostPath("\(scratch.path)/r.csv")))
        #expect(report.count(.stored) == 3)
        #expect(report.blobsStored == 2)
        #expect(report.bytesStored == Int64("bytes that went missing".utf8.count + "twice the same".utf8.count))
        #expect(report.warnings.contains { $0.contains("restored the stored bytes of file 1 of \(old.id)") }, "\(report.warnings)")
        #expect(try archive.events(of: old.id).contains { $0.type == .repair && $0.detail?.contains("were missing") == true })
        #expect(try archive.verify(jobs: 2).isIntact)
        let details = try report.results.compactMap(\.productID).flatMap { try archive.events(of: $0) }.compactMap(\.detail)
        #expect(details.filter { $0.contains("bytes already in store") }.count == 1, "\(details)")
    }
}
