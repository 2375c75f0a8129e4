// The API list written by hand must be what JSONEncoder writes for the same page: documents
// with every kind of string (quotes, backslashes, slashes, control characters, Vietnamese in
// NFD, emoji), nulls, files with and without a check, first and last pages; and, end to end, the
// list route's body against the encoder's output for the same products.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import KhoStore
import Testing

@Suite struct ApiJSONTests {
    struct Page: Encodable { var products: [ProductDocument]; var next: String? }

    static func encoded(_ products: [ProductDocument], next: String?) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Page(products: products, next: next)), as: UTF8.self)
    }

    @Test func theHandWrittenListIsTheEncodersByteForByte() throws {
        var tricky: [String] = ["", "\"quoted\" \\ back/slash", "tab\there\nnew line\r\u{8}\u{c}", "\u{1}\u{1f}\u{7f}", "Quyền con người",
                                "Quye\u{302}\u{300}n", "😀 🇻🇳", "\u{2028}\u{2029}", "</script><b>"]
        tricky += (0..<32).map { String(UnicodeScalar(UInt8($0))) }
        let files = #"[{"addedAt": "2025-01-01T00:00:00.000Z", "mediaType": "image/png", "n": 1, "name": "ảnh \"1\".png", "nameEncoding": "utf-8", "originalNameHex": "ab", "role": "master", "sha256": "00", "size": 12345678901},"#
            + #"{"addedAt": "2025-01-02T00:00:00.000Z", "lastCheck": {"at": "2025-02-01T00:00:00.000Z", "outcome": "success"}, "mediaType": "text/plain", "n": 2, "name": "b", "nameEncoding": "windows-1252", "originalNameHex": "", "role": "supplement", "sha256": "11", "size": 0}]"#
        var documents: [ProductDocument] = []
        for (i, text) in tricky.enumerated() {
            let quoted = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
            let json = """
                {"id": "ABCD-EFGH-JKMN-\(String(format: "%04d", i))", "title": \(quoted), "kind": "leaflet", "languages": ["vi", "tyz"], "languageGroups": ["vietnamese", "minority"],
                 "unit": "21025", "produced": \(i % 2 == 0 ? "null" : "\"2024-01-0\(i % 9 + 1)\""), "published": null, "referenceDate": "2024-01-01",
                 "channels": [\(i % 3 == 0 ? "" : "\"facebook\", \"zalo\"")], "digitalPlatform": \(i % 2 == 0), "topics": [\(quoted)], "campaign": \(quoted),
                 "description": \(i % 4 == 0 ? "null" : quoted), "creator": null, "access": "public", "digitized": \(i % 2 == 1), "origin": "physical",
                 "carrier": "paper", "digitizedOn": null, "digitizationMethod": "scan", "createdAt": "2025-01-01T00:00:00.000Z",
                 "updatedAt": "2025-01-01T00:00:00.000Z", "files": \(i % 5 == 0 ? "[]" : files)}
                """
            documents.append(try JSONDecoder().decode(ProductDocument.self, from: Data(json.utf8)))
        }
        for next in [nil, "2024-01-01.42", "\"odd\"/next"] as [String?] {
            #expect(ApiJSON.productPage(documents, next: next) == (try Self.encoded(documents, next: next)))
        }
        #expect(ApiJSON.productPage([], next: nil) == (try Self.encoded([], next: nil)))
    }

    @Test func theListRouteAnswersWhatTheEncoderWould() async throws {
        let (f, _) = try ScopeTests.office()
        let file = HostPath(f.scratch.file("a.txt", "tệp"))
        _ = try Ingest(metadata: ProductInput(title: #"Bài "có" \ ký tự / lạ"#, kind: "article", languages: ["vi"], unit: "21025", published: "2025-09-09"),
                       files: [file], jobs: 1).run(in: f.session)
        try f.addUser("quan.tri", role: "admin", unit: nil)
        _ = try MakeToken(user: "quan.tri", token: ApiWriteTests.token, days: 30).run(in: f.session)
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/products?limit=3", method: .get, headers: [.authorization: "Bearer \(ApiWriteTests.token)"])
            let page = try f.session.archive.browse(BrowseQuery(limit: 3), as: .everything)
            let expected = try Self.encoded(page.products.map { ProductDocument($0, registry: f.session.archive.registry) }, next: page.next?.token)
            #expect(r.status == .ok && r.text == expected)
        }
    }
}
