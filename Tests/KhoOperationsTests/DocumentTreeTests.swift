// metadata.json written by PrettyJSON must be, byte for byte, what JSONEncoder writes: the
// bags of earlier exports and of other tools that read them stay the same.
import Foundation
@testable import KhoOperations
import KhoCore
import Testing

@Suite struct DocumentTreeTests {
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
}
