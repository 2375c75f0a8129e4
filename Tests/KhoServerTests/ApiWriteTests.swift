// Writing through the API with a token: a product made from a tus upload, one registered on
// its carrier, problems answered field by field; an edit with the ETag as If-Match (a stale one
// is 409, none is 400, a product outside the scope 404); the report is `kho report`'s; the
// languages are found by name.
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

@Suite struct ApiWriteTests {
    static let token = "staff-token-for-the-api-write-tests-0123456"

    static func json(_ r: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.bytes)) as? [String: Any])
    }

    @Test func aClerksScriptAddsAndEditsProducts() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        _ = try MakeToken(user: "xa.staff", token: Self.token, days: 30).run(in: f.session)
        let hanoi = try Register(metadata: ProductInput(title: "Tờ rơi Ba Đình", kind: "leaflet", languages: ["vi"], unit: "00004", published: "2025-09-01"),
                                 carrier: .paper).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(Self.token)", .contentType: "application/json"]
            // The file through tus, with the token.
            let bytes = Array("Phóng sự bằng tiếng Tày".utf8)
            let made = try await client.execute(uri: "/api/v1/uploads", method: .post, headers: [
                .authorization: "Bearer \(Self.token)", HTTPField.Name("Tus-Resumable")!: "1.0.0", HTTPField.Name("Upload-Length")!: "\(bytes.count)",
                HTTPField.Name("Upload-Metadata")!: "filename \(Data("phong-su.txt".utf8).base64EncodedString())"])
            let location = try #require(made.headers[.location])
            let sent = try await client.execute(uri: location, method: .patch, headers: [
                .authorization: "Bearer \(Self.token)", HTTPField.Name("Tus-Resumable")!: "1.0.0", HTTPField.Name("Upload-Offset")!: "0",
                .contentType: "application/offset+octet-stream"], body: ByteBuffer(bytes: bytes))
            #expect(sent.status == .noContent)
            let upload = String(location.split(separator: "/").last!)
            let body = #"{"title": "Phóng sự Cẩm Thành", "kind": "radio_report", "languages": ["tyz", "vi"], "unit": "21025", "published": "2025-09-01", "channels": ["loudspeaker"], "uploads": ["\#(upload)"]}"#
            let created = try await client.execute(uri: "/api/v1/products", method: .post, headers: bearer, body: ByteBuffer(string: body))
            #expect(created.status == .created, "\(created.text)")
            let productURI = try #require(created.headers[.location])
            let product = try Self.json(created)   // the product's fields, with status beside them (as kho ingest --json)
            #expect(product["status"] as? String == "stored")
            #expect(product["title"] as? String == "Phóng sự Cẩm Thành" && (product["files"] as? [Any])?.count == 1)
            #expect(try await client.execute(uri: location, method: .head, headers: [.authorization: "Bearer \(Self.token)", HTTPField.Name("Tus-Resumable")!: "1.0.0"]).status == .notFound,
                    "the upload became the product's file")
            // A paper leaflet, registered.
            let paper = try await client.execute(uri: "/api/v1/products", method: .post, headers: bearer, body: ByteBuffer(string:
                #"{"title": "Tờ gấp Cẩm Thành", "kind": "leaflet", "languages": ["vi"], "unit": "21025", "produced": "2025-07-30", "carrier": "paper"}"#))
            #expect(paper.status == .created)
            // Problems, field by field; nothing stored.
            let bad = try await client.execute(uri: "/api/v1/products", method: .post, headers: bearer, body: ByteBuffer(string:
                #"{"title": "", "kind": "poem", "languages": ["xx"], "unit": "21025", "carrier": "paper"}"#))
            #expect(bad.status == .unprocessableContent, "\(bad.text)")
            let problems = try #require((try Self.json(bad)["error"] as? [String: Any])?["problems"] as? [[String: Any]])
            #expect(Set(problems.compactMap { $0["field"] as? String }).isSuperset(of: ["title", "kind", "language"]), "\(problems)")
            let outside = try await client.execute(uri: "/api/v1/products", method: .post, headers: bearer, body: ByteBuffer(string:
                #"{"title": "Ngoài phạm vi", "kind": "leaflet", "languages": ["vi"], "unit": "00004", "carrier": "paper"}"#))
            #expect(outside.status == .forbidden)
            for (body, status) in [(#"{"title": "x"}"#, 400), (#"{"uploads": ["../../etc"]}"#, 400), (#"{"carrier": "stone"}"#, 422),
                                   (#"{"uploads": ["\#(String(repeating: "b", count: 32))"], "carrier": "paper", "title": "x", "kind": "photo", "languages": ["vi"], "unit": "21025"}"#, 400),
                                   (#"{"uploads": ["\#(String(repeating: "a", count: 32))"], "title": "x", "kind": "photo", "languages": ["vi"], "unit": "21025"}"#, 404)] {
                let r = try await client.execute(uri: "/api/v1/products", method: .post, headers: bearer, body: ByteBuffer(string: body))
                #expect(r.status.code == status, "\(body): \(r.text)")
            }
            #expect(try ListProducts(filter: ProductFilter()).run(in: f.session).products.count == 3)

            // Editing with the ETag.
            let read = try await client.execute(uri: productURI, method: .get, headers: bearer)
            let etag = try #require(read.headers[.eTag])
            let patch = #"{"title": "Phóng sự Cẩm Thành (bản sửa)", "access": "internal"}"#
            let noVersion = try await client.execute(uri: productURI, method: .patch, headers: bearer, body: ByteBuffer(string: patch))
            #expect(noVersion.status == .badRequest)
            var withVersion = bearer
            withVersion[.ifMatch] = etag
            let edited = try await client.execute(uri: productURI, method: .patch, headers: withVersion, body: ByteBuffer(string: patch))
            #expect(edited.status == .ok && edited.headers[.eTag] != etag, "\(edited.text)")
            let after = try Self.json(edited)
            #expect(after["title"] as? String == "Phóng sự Cẩm Thành (bản sửa)" && (after["languages"] as? [String])?.contains("tyz") == true,
                    "fields left out keep their values")
            let stale = try await client.execute(uri: productURI, method: .patch, headers: withVersion, body: ByteBuffer(string: #"{"title": "Lần nữa"}"#))
            #expect(stale.status == .conflict)
            var any = bearer
            any[.ifMatch] = "*"
            let forced = try await client.execute(uri: productURI, method: .patch, headers: any, body: ByteBuffer(string: #"{"topics": ["CRC"]}"#))
            #expect(forced.status == .ok && forced.headers[.eTag] != edited.headers[.eTag], "If-Match: * takes the product as it is")
            var weak = bearer
            weak[.ifMatch] = "W/" + (forced.headers[.eTag] ?? "")
            #expect(try await client.execute(uri: productURI, method: .patch, headers: weak, body: ByteBuffer(string: patch)).status == .badRequest,
                    "a weak tag is not one of ours")
            let reread = try await client.execute(uri: productURI, method: .get, headers: bearer)
            #expect(reread.headers[.eTag] == forced.headers[.eTag], "the ETag a PATCH answers is the product's as written")
            var other = bearer
            other[.ifMatch] = "\"x\""
            #expect(try await client.execute(uri: "/api/v1/products/\(hanoi)", method: .patch, headers: other, body: ByteBuffer(string: patch)).status == .notFound)
            // A field given as null is emptied; an unknown field, or emptying one a product needs, is refused.
            var now = bearer
            now[.ifMatch] = "*"
            let cleared = try await client.execute(uri: productURI, method: .patch, headers: now,
                                                   body: ByteBuffer(string: #"{"channels": null, "produced": null, "topics": null}"#))
            #expect(cleared.status == .ok, "\(cleared.text)")
            let emptied = try Self.json(cleared)
            #expect((emptied["channels"] as? [Any])?.isEmpty == true && (emptied["topics"] as? [Any])?.isEmpty == true && emptied["produced"] is NSNull)
            #expect(emptied["published"] as? String == "2025-09-01", "fields left out keep their values")
            for body in [#"{"titel": "Lỗi gõ"}"#, #"{"title": null}"#, #"{"uploads": []}"#, #"[1, 2]"#] {
                let r = try await client.execute(uri: productURI, method: .patch, headers: now, body: ByteBuffer(string: body))
                #expect(r.status == .unprocessableContent, "\(body): \(r.text)")
            }
            let typo = try await client.execute(uri: "/api/v1/products", method: .post, headers: bearer, body: ByteBuffer(string:
                #"{"title": "Tờ gấp", "kind": "leaflet", "languages": ["vi"], "unit": "21025", "carrier": "paper", "publisehd": "2025-09-01"}"#))
            #expect(typo.status == .unprocessableContent && typo.text.contains("publisehd"), "a typo is said, not ignored")
            let shown = try Show(id: try ProductID.parse(String(productURI.split(separator: "/").last!)).get()).run(in: f.session)
            #expect((shown.events ?? []).contains { $0.agent.contains("web user xa.staff") && $0.type == "metadata_modification" }, "the change names the clerk")
        }
    }

    @Test func reportsAndLanguages() async throws {
        let f = try ReportRouteTests.office()
        _ = try MakeToken(user: "tinh.auditor", token: Self.token, days: 30).run(in: f.session)
        try await f.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(Self.token)"]
            let report = try await client.execute(uri: "/api/v1/reports?period=2025&by=unit", method: .get, headers: bearer)
            let cli = try MakeReport(unitCode: "51", period: try Period.parse("2025").get(), breakdown: .unit, format: .json).run(in: f.session)
            let fingerprint = try Self.json(report)["fingerprint"] as? String
            #expect(report.status == .ok && fingerprint == cli.fingerprint)
            #expect(!report.text.contains("Tài liệu mật Cẩm Thành"), "an auditor gets restricted products as counts only")
            #expect(try await client.execute(uri: "/api/v1/reports?unit=00004", method: .get, headers: bearer).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/reports?period=2025-13", method: .get, headers: bearer).status == .unprocessableContent)
            #expect(try await client.execute(uri: "/api/v1/reports?by=color", method: .get, headers: bearer).status == .unprocessableContent)
            let languages = try await client.execute(uri: "/api/v1/languages?q=t%C3%A0y", method: .get, headers: bearer)
            let entries = try #require(try Self.json(languages)["entries"] as? [[String: Any]])
            #expect(entries.contains { $0["tag"] as? String == "tyz" }, "\(entries.prefix(3))")
        }
    }

    /// Bytes already held by a product the clerk cannot see (restricted, another province):
    /// neither its title nor its ID nor the fact that the bytes were held comes back.
    @Test func aCreateNamesOnlyProductsTheCallerSees() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        _ = try MakeToken(user: "xa.staff", token: Self.token, days: 30).run(in: f.session)
        let bytes = Array("Tờ rơi đã lưu ở Hà Nội".utf8)
        let file = HostPath(f.scratch.file("secret.txt", bytes: bytes))
        let secret = try Ingest(metadata: ProductInput(title: "Tài liệu mật Ba Đình", kind: "leaflet", languages: ["vi"], unit: "00004",
                                                       published: "2025-09-01", access: "restricted"), files: [file], jobs: 1).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            let tus: HTTPFields = [.authorization: "Bearer \(Self.token)", HTTPField.Name("Tus-Resumable")!: "1.0.0"]
            var create = tus
            create[HTTPField.Name("Upload-Length")!] = "\(bytes.count)"
            let location = try #require(try await client.execute(uri: "/api/v1/uploads", method: .post, headers: create).headers[.location])
            var patch = tus
            patch[HTTPField.Name("Upload-Offset")!] = "0"
            patch[.contentType] = "application/offset+octet-stream"
            #expect(try await client.execute(uri: location, method: .patch, headers: patch, body: ByteBuffer(bytes: bytes)).status == .noContent)
            let body = #"{"title": "Tờ rơi Cẩm Thành", "kind": "leaflet", "languages": ["vi"], "unit": "21025", "published": "2025-09-02", "uploads": ["\#(location.split(separator: "/").last!)"]}"#
            let created = try await client.execute(uri: "/api/v1/products", method: .post, headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"],
                                                   body: ByteBuffer(string: body))
            #expect(created.status == .created)
            #expect(!created.text.contains("Tài liệu mật") && !created.text.contains(secret.description), "\(created.text)")
            #expect(try Self.json(created)["bytesStored"] as? Int == bytes.count, "the bytes count as received, held elsewhere or not")
            // A token is for the API only.
            #expect(try await client.execute(uri: "/admin/users", method: .get, headers: [.authorization: "Bearer \(Self.token)"]).status == .forbidden)
            #expect(try await client.execute(uri: "/products", method: .get, headers: [.authorization: "Bearer \(Self.token)"]).status == .forbidden)
        }
    }
}
