// metadata.json and sidecars written by PrettyJSONWriter must be, byte for byte, what
// JSONEncoder writes: the bags of earlier exports and of other tools that read them stay the
// same, and a sidecar's bytes (its name is their digest) do not change under an archive.
import Foundation
@testable import KhoOperations
import KhoCore
import KhoStore
import Testing

@Suite struct DocumentWritingTests {
    static func encoderBytes(_ document: MetadataDocument) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(document)) + [10]
    }

    /// A document with every optional field present or absent, and `text` in every string.
    static func document(_ text: String, full: Bool) throws -> MetadataDocument {
        let value: (String) -> Any = { full ? $0 : NSNull() }
        let event: [String: Any] = ["id": full ? 7 : NSNull(), "at": "2024-12-20T03:00:00.000Z", "type": "ingestion",
                                    "object": "product:\(text)", "agent": text, "outcome": "success", "detail": value(text)]
        var imported = event
        imported["importedFrom"] = text
        var file: [String: Any] = ["n": 1, "sha256": String(repeating: "ab", count: 32), "size": Int64.max, "name": text,
                                   "originalNameHex": "c3a9", "nameEncoding": "utf-8", "role": "master",
                                   "mediaType": "application/pdf", "addedAt": "2024-12-20T03:00:00.000Z"]
        if full { file["lastCheck"] = ["at": "2025-01-01T00:00:00.000Z", "outcome": "ok"] }
        var product: [String: Any] = [
            "id": "AB12-CD34-EF56-GH78", "title": text, "kind": "article", "languages": full ? ["vi", "blt-Tavt"] : [],
            "languageGroups": full ? ["national", "minority"] : [], "unit": "00004", "produced": value("2024-12-10"),
            "published": value("2024-12-11"), "referenceDate": value("2024-12-11"), "channels": full ? ["zalo"] : [],
            "digitalPlatform": full, "topics": full ? [text, ""] : [], "campaign": value(text), "description": value(text),
            "creator": value(text), "access": "public", "digitized": !full, "origin": "born_digital", "carrier": value("paper"),
            "digitizedOn": value("2024-12-12"), "digitizationMethod": value("scan"), "createdAt": "2024-12-20T03:00:00.000Z",
            "updatedAt": "2024-12-20T03:00:00.000Z", "files": full ? [file, file] : [],
        ]
        if full { product["events"] = [event, imported] }
        var root: [String: Any] = ["format": "kho-product", "version": 1, "product": product,
                                   "bagFiles": full ? [["n": 1, "path": "data/x/\(text)"]] : [], "exportedFrom": text]
        if full { root["homeArchive"] = text }
        return try JSONDecoder().decode(MetadataDocument.self, from: JSONSerialization.data(withJSONObject: root))
    }

    @Test(arguments: [
        "Bài viết: quyền con người", "", "a/b\\c\"d", "tab\there\nnew\rret", "\u{0}\u{1}\u{8}\u{c}\u{1b}\u{1f}\u{7f}",
        "\u{2028}\u{2029}😀 Hòa Hoà", "ba\u{300}i-vie\u{302}\u{301}t.pdf", "<script>&amp;</script>", " spaces ",
    ])
    func prettyJSONWritesWhatJSONEncoderWrites(text: String) throws {
        for full in [true, false] {
            let document = try Self.document(text, full: full)
            let mine = document.prettyBytes()
            let theirs = try Self.encoderBytes(document)
            #expect(mine == theirs, "\(String(decoding: mine, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))")
        }
    }

    /// Every control character and a spread of others, one string at a time.
    @Test func everyEscapedCharacterMatches() throws {
        let scalars = (0..<0x80).compactMap(Unicode.Scalar.init) + ["\u{80}", "\u{9f}", "\u{a0}", "\u{fffd}", "\u{10ffff}"]
        for scalar in scalars {
            let document = try Self.document("x\(Character(scalar))y", full: true)
            #expect(document.prettyBytes() == (try Self.encoderBytes(document)), "U+\(String(scalar.value, radix: 16))")
        }
    }

    /// What a sidecar holds, in the Codable form: the reference for ProductSidecars.encode.
    struct SidecarMirror: Encodable {
        var archiveID: String
        var format = "kho-sidecar"
        @NullEncoded var homeArchive: String?
        var key: Int64
        var product: ProductDocument
        var shown: Int
        var sources: [[String: String]]
        var version = 1
        var withdrawn: Bool
    }

    static func sidecarContent(full: Bool) throws -> SidecarContent {
        let id = try ProductID.parse("7K3Q-X9M2-PD4R-8WTR").get()
        let metadata = ProductMetadata(
            title: "Bài viết: \"quyền\" con người", kind: .radioProgram,
            languages: full ? [try LanguageTag.parse("vi").get(), try LanguageTag.parse("blt-Tavt").get()] : [try LanguageTag.parse("vi").get()],
            unit: try UnitCode.parse("00004").get(), produced: full ? try CalendarDate.parse("2024-12-10").get() : nil,
            published: full ? try CalendarDate.parse("2024-12-11").get() : nil, channels: full ? [.zalo, .event] : [],
            topics: full ? ["quyền", "bầu cử"] : [], campaign: full ? "Chiến dịch" : nil, description: full ? "Mô tả\nhai dòng\tvà / \\" : nil,
            creator: full ? "Phòng VHTT" : nil, access: full ? .restricted : .public)
        let digitization = full ? Digitization(origin: .physical, carrier: .paper, digitizedOn: try CalendarDate.parse("2025-01-02").get(), method: .scan)
            : Digitization(origin: .bornDigital)
        let files = full ? [
            StoredFile(n: 1, sha256: String(repeating: "ab", count: 32), size: 1 << 40,
                       name: FileName(display: "bài.pdf", original: [0x62, 0x61, 0xCC, 0x80, 0x69], decodedAs: "utf-8"), role: .master,
                       mediaType: "application/pdf", addedAt: Timestamp(iso: "2024-12-20T03:00:00.000Z")),
            StoredFile(n: 3, sha256: String(repeating: "cd", count: 32), size: 0,
                       name: FileName(display: "ảnh.jpg", original: [0xE1], decodedAs: "windows-1258"), role: .supplement,
                       mediaType: "image/jpeg", addedAt: Timestamp(iso: "2024-12-21T03:00:00.000Z")),
        ] : []
        let events = full ? [
            PreservationEvent(id: 7, at: Timestamp(iso: "2024-12-20T03:00:00.000Z"), type: .ingestion, object: "product:\(id)",
                              productID: id, agent: "kho", outcome: .success, detail: "chi tiết", importedFrom: "archive-1"),
            PreservationEvent(id: 9, at: Timestamp(iso: "2024-12-21T03:00:00.000Z"), type: .fixityCheck, object: "file:\(id)/1",
                              productID: id, agent: "", outcome: .failure, detail: nil),
        ] : []
        let product = Product(id: id, metadata: metadata, digitization: digitization, files: files,
                              createdAt: Timestamp(iso: "2024-12-20T03:00:00.000Z"), updatedAt: Timestamp(iso: "2024-12-21T03:00:00.000Z"),
                              homeArchive: full ? "home-archive" : nil)
        var content = SidecarContent(key: full ? 1 << 40 : 1, product: product, events: events, shown: full ? 3 : 0, withdrawn: full,
                                     sources: full ? [.init(unit: "00004", sourceID: "B-1/\"x\""), .init(unit: "00007", sourceID: "")] : [])
        content.archiveID = "archive-\(full)"
        return content
    }

    @Test(arguments: [true, false]) func aSidecarIsWhatJSONEncoderWrites(full: Bool) throws {
        let content = try Self.sidecarContent(full: full)
        let mine = ProductSidecars().encode(content, archiveID: content.archiveID)
        let mirror = SidecarMirror(archiveID: content.archiveID, homeArchive: content.product.homeArchive, key: content.key,
                                   product: ProductDocument(content.product, events: content.events, registry: .standard), shown: content.shown,
                                   sources: content.sources.map { ["unit": $0.unit, "sourceID": $0.sourceID] }, withdrawn: content.withdrawn)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let theirs = Array(try encoder.encode(mirror)) + [10]
        #expect(mine == theirs, "\(String(decoding: mine, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))")
        // And it reads back as the content it was written from.
        let back = try ProductSidecars().decode(mine).get()
        #expect(back == content, "\(back)\n---\n\(content)")
    }

    /// Containers nested and empty at every depth, as JSONEncoder lays them out.
    @Test func nestedAndEmptyContainers() throws {
        var w = PrettyJSONWriter()
        w.beginObject()
        w.key("a"); w.beginArray(); w.beginArray(); w.endArray(); w.beginObject(); w.endObject(); w.int(-5); w.null(); w.endArray()
        w.key("b"); w.beginObject(); w.key("c"); w.beginObject(); w.key("d"); w.bool(false); w.endObject(); w.endObject()
        w.key("e"); w.strings([])
        w.endObject()
        let mine = w.finishedWithNewline()
        let value: [String: Any] = ["a": [[], [String: Any](), -5, NSNull()] as [Any], "b": ["c": ["d": false]], "e": [String]()]
        let theirs = Array(try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) + [10]
        #expect(mine == theirs, "\(String(decoding: mine, as: UTF8.self))\n---\n\(String(decoding: theirs, as: UTF8.self))")
    }
}
