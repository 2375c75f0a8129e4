// The JSON API with API tokens: a token acts as its user within their scope, needs no CSRF token,
// stops working when revoked, expired or its user disabled; errors are JSON; the OpenAPI document
// lists exactly the routes that answer.
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

@Suite struct ApiTests {
    static let token = "a-token-made-for-the-tests-0123456789abcdef"

    /// A page holds up to the 500 products the OpenAPI document promises (not fewer, silently).
    @Test func aPageHoldsUpTo500Products() async throws {
        let f = try ServerFixture()
        try f.addUser("may.xuat", role: "exporter", unit: nil)
        _ = try MakeToken(user: "may.xuat", token: Self.token, days: 30, label: "").run(in: f.session)
        let input = (0..<260).map { ProductInput(title: "Tờ rơi \($0)", kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-09-01") }
        for metadata in input { _ = try Register(metadata: metadata, carrier: .paper).run(in: f.session) }
        try await f.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(Self.token)"]
            let page = try await client.execute(uri: "/api/v1/products?limit=500", method: .get, headers: bearer)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(page.bytes)) as? [String: Any])
            #expect((object["products"] as? [Any])?.count == 260)
            #expect((400...422).contains(try await client.execute(uri: "/api/v1/products?limit=501", method: .get, headers: bearer).status.code))
        }
    }

    @Test func aTokenActsAsItsUserWithinTheirScope() async throws {
        let (f, ids) = try ScopeTests.office()
        try f.addUser("may.xuat", role: "exporter", unit: "51")
        _ = try MakeToken(user: "may.xuat", token: Self.token, days: 30, label: "tỉnh").run(in: f.session)
        try await f.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(Self.token)"]
            let list = try await client.execute(uri: "/api/v1/products?limit=10", method: .get, headers: bearer)
            #expect(list.status == .ok && list.headers[.contentType]?.hasPrefix("application/json") == true)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(list.bytes)) as? [String: Any])
            let titles = Set(((object["products"] as? [[String: Any]]) ?? []).compactMap { $0["title"] as? String })
            #expect(titles == ["Tờ rơi Kon Tum", "Tờ rơi Cẩm Thành"], "restricted and Hà Nội's are not the exporter's")
            let one = try await client.execute(uri: "/api/v1/products/\(ids["Tờ rơi Cẩm Thành"]!)", method: .get, headers: bearer)
            #expect(one.status == .ok && one.text.contains("\"events\""))
            let hidden = try await client.execute(uri: "/api/v1/products/\(ids["Tài liệu mật Cẩm Thành"]!)", method: .get, headers: bearer)
            #expect(hidden.status == .notFound && hidden.text.contains("\"error\"") && !hidden.text.contains("mật"))
            // Paging: one at a time, every product once.
            var seen: [String] = []
            var after = ""
            for _ in 0..<5 {
                let page = try await client.execute(uri: "/api/v1/products?limit=1\(after.isEmpty ? "" : "&after=\(after)")", method: .get, headers: bearer)
                let o = try #require(try JSONSerialization.jsonObject(with: Data(page.bytes)) as? [String: Any])
                seen += ((o["products"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
                guard let next = o["next"] as? String else { break }
                after = next
            }
            #expect(seen.count == 2 && Set(seen).count == 2)
            for bad in ["limit=0", "limit=x", "kind=tank", "after=zzz"] {
                let r = try await client.execute(uri: "/api/v1/products?\(bad)", method: .get, headers: bearer)
                #expect((400...422).contains(r.status.code) && r.text.contains("\"error\""), "\(bad)")
            }
            // A token needs no CSRF token, and no cookie is read beside it.
            let upload = try await client.execute(uri: "/api/v1/uploads", method: .post, headers: [.authorization: "Bearer \(Self.token)",
                                                  HTTPField.Name("Tus-Resumable")!: "1.0.0", HTTPField.Name("Upload-Length")!: "3"])
            #expect(upload.status == .forbidden, "an exporter puts no files in; the refusal is the role's, not a CSRF one")
            #expect(upload.text.contains("role"))
            for wrong in ["Bearer nope", "Basic YWJj", "Bearer \(String(repeating: "x", count: 43))"] {
                let r = try await client.execute(uri: "/api/v1/products", method: .get, headers: [.authorization: wrong])
                #expect(r.status == .unauthorized && r.text.contains("\"error\""), "\(wrong)")
            }
            let anonymous = try await client.execute(uri: "/api/v1/products", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
        // Revoked: never again.
        let id = try #require(try ListTokens().run(in: f.session).first?.id)
        _ = try RevokeToken(id: id).run(in: f.session)
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/products", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(r.status == .unauthorized)
        }
    }

    /// Units by name without diacritics; `scope=mine` keeps the caller's (old units merged into
    /// theirs included), so a clerk finds the code to type.
    @Test func unitsAreFoundByNameWithinTheScope() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let cookie = try #require(try await logIn(client, "xa.staff"))
            func codes(_ query: String) async throws -> [String] {
                let r = try await client.execute(uri: "/api/v1/units?\(query)", method: .get, headers: headers(cookie: cookie))
                let o = try JSONSerialization.jsonObject(with: Data(r.bytes)) as? [String: Any]
                return ((o?["units"] as? [[String: Any]]) ?? []).compactMap { u in (u["code"] as? String).map { "\($0)/\(u["era"] as? String ?? "")" } }
            }
            #expect(try await codes("q=cam+thanh").contains("21025/from_2025"))
            #expect(try await codes("q=nghia+chanh&scope=mine") == ["21019/before_2025"], "the old ward merged into Cẩm Thành")
            let mine = try await codes("q=ba+dinh&scope=mine"), all = try await codes("q=ba+dinh")
            #expect(mine.isEmpty && !all.isEmpty)
            let empty = try await client.execute(uri: "/api/v1/units?q=+", method: .get, headers: headers(cookie: cookie))
            #expect(empty.status.code == 422 && empty.text.contains("\"error\""))
        }
    }

    @Test func expiredTokensAndDisabledUsersStop() async throws {
        let f = try ServerFixture()
        try f.addUser("may.xuat", role: "exporter", unit: "51")
        _ = try MakeToken(user: "may.xuat", token: Self.token, days: 1).run(in: f.session)
        let other = Self.token.replacingOccurrences(of: "0123", with: "9999")
        _ = try MakeToken(user: "may.xuat", token: other, days: 30).run(in: f.session)
        try await f.app().test(.router) { client in
            #expect(try await client.execute(uri: "/api/v1/products", method: .get, headers: [.authorization: "Bearer \(Self.token)"]).status == .ok)
            f.hand.advance(86_401)
            #expect(try await client.execute(uri: "/api/v1/products", method: .get, headers: [.authorization: "Bearer \(Self.token)"]).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/products", method: .get, headers: [.authorization: "Bearer \(other)"]).status == .ok)
            _ = try SetUserDisabled(name: "may.xuat", disabled: true).run(in: f.session)
            #expect(try await client.execute(uri: "/api/v1/products", method: .get, headers: [.authorization: "Bearer \(other)"]).status == .unauthorized)
        }
        #expect(throws: KhoError.self) { _ = try MakeToken(user: "nobody", token: other + "x", days: 30).run(in: f.session) }
        #expect(throws: KhoError.self) { _ = try MakeToken(user: "may.xuat", token: other + "y", days: 0).run(in: f.session) }
    }

    /// Every path and method the document lists answers (never "no such route"), and the routes
    /// under /api/v1 that exist are all in it.
    @Test func theOpenAPIDocumentDescribesTheRoutesThatExist() async throws {
        let f = try ServerFixture()
        try await f.app().test(.router) { client in
            let doc = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(doc.bytes)) as? [String: Any])
            #expect(object["openapi"] as? String == "3.1.0")
            let paths = try #require(object["paths"] as? [String: [String: Any]])
            var listed: Set<String> = []
            for (path, item) in paths {
                for method in item.keys where method != "parameters" {
                    listed.insert("\(method.uppercased()) \(path)")
                    let uri = path.replacingOccurrences(of: "{id}", with: path.contains("uploads") ? String(repeating: "0", count: 32) : "0000-0000-0000-0000")
                    let r = try await client.execute(uri: uri, method: HTTPRequest.Method(method.uppercased())!, headers: [HTTPField.Name("Tus-Resumable")!: "1.0.0"])
                    #expect(r.status != .notFound || r.text.contains("\"code\":\"unknown_") || r.text.contains("unknown"), "\(method) \(path): \(r.status)")
                    #expect(r.status != .methodNotAllowed, "\(method) \(path)")
                }
            }
            #expect(listed == ["GET /api/v1/openapi.json", "GET /api/v1/products", "GET /api/v1/products/{id}", "GET /api/v1/units", "OPTIONS /api/v1/uploads",
                               "POST /api/v1/uploads", "HEAD /api/v1/uploads/{id}", "PATCH /api/v1/uploads/{id}", "DELETE /api/v1/uploads/{id}",
                               "GET /api/v1/exports", "POST /api/v1/exports", "GET /api/v1/exports/{export}/bundle", "GET /api/v1/jobs/{job}",
                               "POST /api/v1/products", "PATCH /api/v1/products/{id}", "GET /api/v1/reports", "GET /api/v1/languages",
                               "GET /api/v1/products/{id}/files/{n}"])
        }
    }
}
