// The --json results written through PrettyJSONWriter are the bytes JSONEncoder writes.
import Foundation
import KhoCore
import KhoStore
import KhoTesting
@testable import KhoOperations
import Testing

@Suite struct ResultWritingTests {
    static func encoderBytes(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [10]
    }

    static func ids(_ count: Int, seed: UInt64) -> [ProductID] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in ProductID.generate(using: &rng) }
    }

    @Test(arguments: [0, 1, 3])
    func anExportSummaryIsWhatJSONEncoderWrites(count: Int) throws {
        for follows in [nil, "0f3c"] as [String?] {
            let summary = ExportSummary(exportID: "7a8e", file: "/srv/xuất – \"bản\"\\tháng 1.tar", format: "tar", products: count,
                                        productIDs: Self.ids(count, seed: UInt64(count)), payloadFiles: 2 * count, payloadBytes: 1 << 40,
                                        bundleSHA256: String(repeating: "ab", count: 32), restrictedLeftOut: 4, follows: follows)
            #expect(summary.prettyJSON() == (try Self.encoderBytes(summary)), "\(String(decoding: summary.prettyJSON(), as: UTF8.self))")
        }
    }

    @Test(arguments: [0, 2])
    func aBundleImportIsWhatJSONEncoderWrites(count: Int) throws {
        for bundle in [nil, "kho-export-7a8e"] as [String?] {
            let refused = (0..<count).map { BundleImportDocument.Refusal(id: "ID\($0)", reason: "không được hạ\n\u{7}mức") }
            let document = BundleImportDocument(bundle: bundle, sender: "5b1c", stored: Self.ids(count, seed: 1), updated: Self.ids(count, seed: 2),
                                                unchanged: Self.ids(count + 1, seed: 3), refused: refused)
            #expect(document.prettyJSON() == (try Self.encoderBytes(document)), "\(String(decoding: document.prettyJSON(), as: UTF8.self))")
        }
    }

    @Test func controlsAreLookedAtTheCarefulWay() {
        #expect(TextRules.mayHoldControl(utf8: Array("{ \"a\" : \"Đà Nẵng – ok\" }".utf8)))   // – is E2: looked at
        #expect(!TextRules.mayHoldControl(utf8: Array("{ \"a\" : \"Đà Nẵng\" }".utf8)))
        for scalar in ["\u{7F}", "\u{85}", "\u{202E}", "\u{2069}"] {
            #expect(TextRules.mayHoldControl(utf8: Array("x\(scalar)y".utf8)), "\(scalar.unicodeScalars.first!.value)")
        }
    }
}


extension ResultWritingTests {
    /// Handed on a part at a time, the same bytes; each part ends between items.
    @Test func partsMakeTheSameDocument() throws {
        let summary = ExportSummary(exportID: "7a8e", file: "/srv/x.tar", format: "tar", products: 20_000, productIDs: Self.ids(20_000, seed: 9),
                                    payloadFiles: 1, payloadBytes: 1, bundleSHA256: "", restrictedLeftOut: 0, follows: nil)
        nonisolated(unsafe) var parts: [[UInt8]] = []
        var w = PrettyJSONWriter(sink: { parts.append($0) })
        summary.write(to: &w)
        parts.append(w.finishedWithNewline())
        #expect(parts.count > 3 && parts.dropLast().allSatisfy { $0.count >= 1 << 16 && $0.count < (1 << 16) + 64 })
        // Between items: an ID's closing quote ends each part, so each is whole UTF-8 text.
        #expect(parts.dropLast().allSatisfy { $0.last == UInt8(ascii: "\"") && String(bytes: $0, encoding: .utf8) != nil })
        #expect(Array(parts.joined()) == (try Self.encoderBytes(summary)))
    }
}

extension ResultWritingTests {
    /// `kho exports --json`: an array of entries written one at a time, as JSONEncoder writes the array.
    @Test(arguments: [0, 1, 3])
    func theListOfExportsIsWhatJSONEncoderWrites(count: Int) throws {
        let entries = (0..<count).map { n in
            let ids = Self.ids(n * 2, seed: UInt64(n))
            let record = ExportRecord(exportID: "e\(n)", scopeKey: "k", scope: "Xã Đông – \(n)", period: "2025", follows: n == 1 ? "e0" : nil,
                                      createdAt: Timestamp(iso: "2026-12-07T03:00:00.000Z"), file: "/srv/e\(n).tar", format: "tar",
                                      bundleSHA256: "ab", payloadBytes: Int64(n), cursor: "c", productIDs: ids)
            return ExportEntry(record, products: ids)
        }
        var w = PrettyJSONWriter()
        w.beginArray()
        for entry in entries { entry.write(to: &w) }
        w.endArray()
        #expect(w.finishedWithNewline() == (try Self.encoderBytes(entries)))
    }
}
