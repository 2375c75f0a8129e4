// An export's reads: every file's bytes reach the sink as stored, and a file whose bytes do
// not match the catalog (damaged, cut short, grown, gone) is reported by name, though its
// digest is checked on another thread a step behind the reading.
import Foundation
import Glibc
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct CheckedReaderTests {
    func overwrite(_ archive: Archive, _ sha256: String, with bytes: [UInt8]) throws {
        let path = archive.blobs.path(for: sha256).description
        chmod(path, 0o644)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Reads every file of `products` in order; the bytes each sent, and the first error.
    func readAll(_ archive: Archive, _ products: [Product]) -> (sent: [[UInt8]], error: KhoError?) {
        let reader = archive.checkedReader()
        var sent: [[UInt8]] = []
        do throws(KhoError) {
            for product in products {
                let file = product.files[0]
                var bytes: [UInt8] = []
                try reader.stream(n: file.n, sha256: file.sha256, size: file.size, of: product.id) { chunk in bytes += chunk }
                sent.append(bytes)
            }
            try reader.finish()
        } catch {
            return (sent, error)
        }
        return (sent, nil)
    }

    @Test func intactFilesArriveWhole() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        // Empty, small, exactly one buffer, and a buffer and a bit (the ring's edge cases).
        let sizes = [0, 10, BlobStore.chunkSize, BlobStore.chunkSize + 7]
        let contents = sizes.enumerated().map { (i, n) in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) } }
        let products = try contents.enumerated().map { (i, bytes) in
            try archive.ingest(try metadata("Tệp \(i)"), files: [scratch.hostFile("f\(i).bin", bytes: bytes)]).product
        }
        let read = readAll(archive, products)
        #expect(read.error == nil)
        #expect(read.sent == contents)
    }

    @Test(arguments: ["same size", "shorter", "longer", "gone"])
    func aBadFileAmongGoodOnesIsNamed(_ damage: String) throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let products = try (0..<5).map { i in
            try archive.ingest(try metadata("Sản phẩm \(i)"), files: [scratch.hostFile("p\(i).txt", String(repeating: "nội dung \(i) ", count: 200))]).product
        }
        let bad = products[1]
        let stored = try Array(Data(contentsOf: URL(fileURLWithPath: archive.blobs.path(for: bad.files[0].sha256).description)))
        switch damage {
        case "same size": try overwrite(archive, bad.files[0].sha256, with: stored.map { $0 ^ 1 })
        case "shorter": try overwrite(archive, bad.files[0].sha256, with: Array(stored.dropLast(3)))
        case "longer": try overwrite(archive, bad.files[0].sha256, with: stored + [0x0A])
        default: unlink(archive.blobs.path(for: bad.files[0].sha256).description)
        }
        let read = readAll(archive, products)
        let error = try #require(read.error)
        #expect(error.code == (damage == "gone" ? .blobMissing : .blobDamaged), "\(error)")
        #expect(error.message.contains(bad.id.description) && error.message.contains("file 1"), "\(error.message)")
        // The file before the bad one arrived whole.
        #expect(read.sent.first == Array(String(repeating: "nội dung 0 ", count: 200).utf8))
    }

    /// Damage the reader has passed already (an early chunk of a large file, a file of exactly
    /// one buffer, the last file of all) is still found: by the next chunk, the next file or
    /// the end.
    @Test(arguments: [(2_621_440, 100, 0), (2_621_440, 100, 2), (BlobStore.chunkSize, BlobStore.chunkSize - 1, 1), (3_000, 2_999, 2)])
    func damageBehindTheReaderIsFound(size: Int, at offset: Int, which: Int) throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let products = try (0..<3).map { i in
            try archive.ingest(try metadata("Lớn \(i)"), files: [scratch.hostFile("l\(i).bin", bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) })]).product
        }
        let bad = products[which]
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: archive.blobs.path(for: bad.files[0].sha256).description)))
        bytes[offset] ^= 0x80
        try overwrite(archive, bad.files[0].sha256, with: bytes)
        let error = try #require(readAll(archive, products).error)
        #expect(error.code == .blobDamaged && error.message.contains(bad.id.description), "\(error)")
    }
}
