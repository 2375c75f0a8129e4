// A bundle's product kept between the two passes of an import reads back as it was written,
// every optional field present or absent; a damaged record is an error, not a wrong product.
@testable import KhoOperations
import KhoCore
import KhoPlatform
import KhoStore
import Testing

@Suite struct BundleProductRecordTests {
    static func product(full: Bool) throws -> BundleProduct {
        let id = try ProductID.parse("7K3Q-X9M2-PD4R-8WTR").get()
        let metadata = ProductMetadata(
            title: "Bài viết: quyền con người", kind: .radioProgram,
            languages: full ? [try LanguageTag.parse("vi").get(), try LanguageTag.parse("blt-Tavt").get()] : [],
            unit: try UnitCode.parse("00004").get(), produced: full ? try CalendarDate.parse("2024-12-10").get() : nil,
            published: full ? try CalendarDate.parse("2024-12-11").get() : nil, channels: full ? [.zalo, .event] : [],
            topics: full ? ["quyền", ""] : [], campaign: full ? "Chiến dịch" : nil, description: full ? "Mô tả\nhai dòng" : nil,
            creator: full ? "Phòng VHTT" : nil, access: full ? .restricted : .public)
        let digitization = full ? Digitization(origin: .physical, carrier: .paper, digitizedOn: try CalendarDate.parse("2025-01-02").get(), method: .scan)
            : Digitization(origin: .bornDigital)
        let files = full ? [
            BundleFile(n: 1, name: FileName(display: "bài.pdf", original: [0x62, 0x61, 0xCC, 0x80, 0x69], decodedAs: "utf-8"), role: .master,
                       mediaType: "application/pdf", sha256: String(repeating: "ab", count: 32), size: 1 << 40, path: HostPath("/tmp/x/000001")),
            BundleFile(n: 3, name: FileName(display: "ảnh.jpg", original: [0xE1], decodedAs: "windows-1258"), role: .supplement,
                       mediaType: "image/jpeg", sha256: String(repeating: "cd", count: 32), size: 0, path: HostPath(bytes: [0x2F, 0xFF])),
        ] : []
        let events = full ? [
            PreservationEvent(id: 7, at: Timestamp(iso: "2024-12-20T03:00:00.000Z"), type: .ingestion, object: "product:\(id)",
                              productID: id, agent: "kho", outcome: .success, detail: "chi tiết", importedFrom: "archive-1"),
            PreservationEvent(at: Timestamp(iso: "2024-12-21T03:00:00.000Z"), type: .fixityCheck, object: "file:\(id)/1",
                              productID: nil, agent: "", outcome: .failure, detail: nil),
        ] : []
        return BundleProduct(id: id, metadata: metadata, digitization: digitization, files: files, events: events, homeArchive: "home")
    }

    @Test(arguments: [true, false]) func aProductReadsBackAsWritten(full: Bool) throws {
        let product = try Self.product(full: full)
        #expect(try BundleProductRecord.decoded(BundleProductRecord.encoded(product)) == product)
    }

    @Test func aCutOrAlteredRecordIsAnError() throws {
        let bytes = BundleProductRecord.encoded(try Self.product(full: true))
        for cut in [0, 1, 8, bytes.count / 2, bytes.count - 1] {
            #expect(throws: KhoError.self) { try BundleProductRecord.decoded(Array(bytes.prefix(cut))) }
        }
        // The kind's text replaced by one of the same length that no kind has.
        var altered = bytes
        let kind = Array("radio_program".utf8)
        let at = try #require((0...(altered.count - kind.count)).first { Array(altered[$0..<$0 + kind.count]) == kind })
        altered.replaceSubrange(at..<at + kind.count, with: Array("radio_progrem".utf8))
        #expect(throws: KhoError.self) { try BundleProductRecord.decoded(altered) }
    }
}
