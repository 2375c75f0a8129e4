import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct ArchiveTests {
    @Test func ingestStoresAProductWithItsFilesAndEvents() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let result = try archive.ingest(try metadata(), files: [scratch.hostFile("bài viết.txt", "Nội dung"), scratch.hostFile("ảnh.png", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1])])
        #expect(result.status == .stored)
        let product = try archive.product(result.product.id)
        #expect(product.isDigitized)
        #expect(product.files.map(\.n) == [1, 2])
        #expect(product.files.map(\.name.display) == ["bài viết.txt", "ảnh.png"])
        #expect(product.files.map(\.mediaType) == ["text/plain", "image/png"])
        #expect(product.files.allSatisfy { $0.role == .master })
        let events = try archive.events(of: product.id)
        #expect(events.map(\.type) == [.ingestion, .ingestion, .ingestion])
        #expect(events.map(\.object) == ["product:\(product.id)", "file:\(product.id)/1", "file:\(product.id)/2"])
        #expect(events.allSatisfy { $0.agent == "test" && $0.outcome == .success })
    }

    @Test func ingestingTheSameAgainStoresNothing() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let file = scratch.hostFile("a.pdf", "%PDF-1.4 same")
        let first = try archive.ingest(try metadata(), files: [file])
        let again = try archive.ingest(try metadata(), files: [file])
        #expect(again.status == .alreadyPresent)
        #expect(again.product.id == first.product.id)
        #expect(try archive.list(ProductFilter()).total == 1)
        // Same bytes, another title: a new product sharing the blob, and the user is told.
        let other = try archive.ingest(try metadata("Tiêu đề khác"), files: [file])
        #expect(other.status == .stored)
        #expect(other.newBlobs == 0 && other.bytesStored == 0)
        #expect(other.notices.contains { $0.contains(first.product.id.description) })
        #expect(blobFiles(archive).count == 1)
    }

    @Test func registerThenAttachFlipsDigitized() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let registered = try archive.register(try metadata("Tờ rơi", kind: .leaflet), carrier: .paper)
        #expect(!registered.product.isDigitized)
        #expect(registered.product.files.isEmpty)
        #expect(try archive.register(try metadata("Tờ rơi", kind: .leaflet), carrier: .paper).status == .alreadyPresent)
        let date = try CalendarDate.parse("2025-03-01").get()
        let attached = try archive.attach(registered.product.id, files: [scratch.hostFile("scan.pdf", "%PDF scan")], digitizedOn: date)
        #expect(attached.product.isDigitized)
        #expect(attached.product.digitization.digitizedOn == date)
        #expect(attached.product.digitization.method == .scan)
        #expect(try archive.events(of: registered.product.id).map(\.type) == [.registration, .attach, .attach])
        // Attaching the same file again changes nothing.
        let again = try archive.attach(registered.product.id, files: [scratch.hostFile("scan-copy.pdf", "%PDF scan")])
        #expect(again.status == .alreadyPresent)
        #expect(again.product.files.count == 1)
    }

    @Test func accessCopiesDoNotDigitize() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let registered = try archive.register(try metadata("Băng", kind: .radioReport), carrier: .audioTape)
        let result = try archive.attach(registered.product.id, files: [scratch.hostFile("preview.mp3", "ID3 preview")], role: .access)
        #expect(!result.product.isDigitized)
        #expect(throws: KhoError.self) {
            try archive.attach(registered.product.id, files: [scratch.hostFile("p2.mp3", "ID3 p2")], role: .access,
                               digitizedOn: try CalendarDate.parse("2025-01-01").get())
        }
    }

    @Test func searchFindsVietnameseWithoutDiacritics() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let a = try archive.register(try metadata("Quyền con người trong Hiến pháp"), carrier: .paper).product.id
        let b = try archive.register(try metadata("Gương mặt Đặng Văn Ngữ"), carrier: .paper).product.id
        let c = try archive.register(try metadata("Hoà giải ở cơ sở"), carrier: .paper).product.id
        let d = try archive.register(try metadata("Hòa nhập cộng đồng"), carrier: .paper).product.id
        #expect(try archive.search("quyen con nguoi").map(\.id) == [a])
        #expect(try archive.search("dang").map(\.id) == [b])
        #expect(Set(try archive.search("hoa").map(\.id)) == [c, d])
        #expect(try archive.search("HIẾN PHÁP").map(\.id) == [a])
        #expect(try archive.search("hien ph*").map(\.id) == [a])
        #expect(try archive.search("nguoi hoa").isEmpty)
    }

    @Test func editRecordsAMetadataModification() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let product = try archive.register(try metadata("Cũ"), carrier: .paper).product
        var changed = product.metadata
        changed.title = "Mới hoàn toàn"
        let result = try archive.updateMetadata(product.id, from: product, to: changed)
        #expect(result.product.metadata.title == "Mới hoàn toàn")
        let last = try #require(try archive.events(of: product.id).last)
        #expect(last.type == .metadataModification)
        #expect(last.detail == "title: 'Cũ' → 'Mới hoàn toàn'")
        #expect(try archive.search("moi hoan toan").map(\.id) == [product.id])
        #expect(try archive.search("cu").isEmpty)
        // An edit based on a stale read is refused.
        var other = product.metadata
        other.title = "Khác"
        #expect { try archive.updateMetadata(product.id, from: product, to: other) } throws: { ($0 as? KhoError)?.code == .changedMeanwhile }
    }

    @Test func listFiltersCombine() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        _ = try archive.ingest(try metadata("A", published: "2024-01-05", languages: ["vi", "tyz"]), files: [scratch.hostFile("a", "a")])
        _ = try archive.register(try metadata("B", kind: .poster, published: "2024-06-01"), carrier: .print)
        _ = try archive.register(try metadata("C", unit: "00007", published: "2025-02-01", languages: ["blt-Tavt"]), carrier: .paper)
        func titles(_ f: ProductFilter) throws -> [String] { try archive.list(f).products.map(\.metadata.title) }
        #expect(try titles(ProductFilter()) == ["A", "B", "C"])
        #expect(try titles(ProductFilter(digitized: false)) == ["B", "C"])
        #expect(try titles(ProductFilter(kind: .poster)) == ["B"])
        #expect(try titles(ProductFilter(language: try LanguageTag.parse("tyz").get())) == ["A"])
        #expect(try titles(ProductFilter(language: try LanguageTag.parse("blt").get())) == ["C"])
        #expect(try titles(ProductFilter(unit: try UnitCode.parse("00004").get(), from: try CalendarDate.parse("2024-06-01").get())) == ["B"])
        #expect(try titles(ProductFilter(to: try CalendarDate.parse("2024-06-01").get())) == ["A", "B"])
        #expect(try archive.list(ProductFilter(limit: 1)) .total == 3)
    }

    @Test func theEventLogIsAppendOnly() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        _ = try archive.register(try metadata(), carrier: .paper)
        #expect(throws: KhoError.self) { try archive.catalog.write { db in try db.execute(sql: "UPDATE events SET outcome = 'failure'") } }
        #expect(throws: KhoError.self) { try archive.catalog.write { db in try db.execute(sql: "DELETE FROM events") } }
    }

    @Test func getStreamsTheExactBytesAndChecksThem() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let id = try archive.ingest(try metadata(), files: [scratch.hostFile("data.bin", bytes: bytes)]).product.id
        var out: [UInt8] = []
        let file = try archive.streamFile(id, n: nil) { chunk in out.append(contentsOf: chunk) }
        #expect(out == bytes)
        #expect(file.n == 1)
        #expect { _ = try archive.streamFile(id, n: 5) { _ in } } throws: { ($0 as? KhoError)?.code == .unknownFile }
    }
}
