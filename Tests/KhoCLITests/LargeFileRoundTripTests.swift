// Large files are written straight to the disk (direct I/O) by ingest's pipelined copy, whole
// blocks that way and the tail the usual way; a bundle import unpacks files of 256 KiB and more
// on a second thread: every size, with a tail or without one, must arrive byte for byte.
import Foundation
import KhoTesting
import Testing

@Suite struct LargeFileRoundTripTests {
    @Test func largeFilesOfEveryShapeCrossIngestAndABundleWhole() throws {
        let ws = Workspace()
        func bytes(_ count: Int, seed: UInt32) -> [UInt8] {
            var x = seed
            return (0..<count).map { _ in x = x &* 1_664_525 &+ 1_013_904_223; return UInt8(truncatingIfNeeded: x >> 24) }
        }
        // The pipelined copy from 16 MiB (a tail of 4,097 bytes); sizes for the unpacking thread
        // (from 256 KiB) with a tail of one byte and with none.
        let shapes: [(name: String, size: Int)] = [("phong-su.bin", (16 << 20) + 4097), ("anh.bin", (300 << 10) + 1), ("bai.bin", 512 << 10)]
        var ids: [String: [UInt8]] = [:]
        for (i, shape) in shapes.enumerated() {
            let content = bytes(shape.size, seed: UInt32(11 + i))
            let id = ws.ingest(ws.file(shape.name, bytes: content), title: "Tệp lớn \(i)")
            #expect(ws.run(["get", id]).stdout == Data(content), "\(shape.name) as ingested")
            ids[id] = content
        }
        #expect(ws.run(["export", "-o", "\(ws.path)/b.tar"]).status == 0)
        let province = "\(ws.path)/province"
        #expect(ws.run(["init", province], storage: false).status == 0)
        let imported = ws.run(["bundle", "import", "\(ws.path)/b.tar", "--storage", province, "--json"], storage: false)
        #expect(imported.status == 0 && (imported.object["stored"] as? [String])?.count == shapes.count, "\(imported.stderr)")
        for (id, content) in ids {
            #expect(ws.run(["get", id, "--storage", province], storage: false).stdout == Data(content), "\(id) after the bundle")
        }
        let verify = ws.run(["verify", "--json", "--storage", province], storage: false)
        #expect(verify.status == 0 && verify.object["intact"] as? Bool == true, "\(verify.out)")
    }
}
