// The product list's filters: a unit (today's or an old one, with the units under it), a
// language by name or tag, a channel, access; always inside what the user sees anyway; the
// choices kept on the page and in the next page's link.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoServer
import Testing

@Suite struct BrowseFilterTests {
    static func titles(_ page: TestResponse) -> Set<String> {
        Set(page.text.matches(of: /<li><a href="\/products\/[^"]+">([^<]+)<\/a>/).map { String($0.1) })
    }

    @Test func filtersNarrowWithinTheScope() async throws {
        let (f, _) = try ScopeTests.office()
        _ = try Register(metadata: ProductInput(title: "Phóng sự tiếng Tày", kind: "radio_report", languages: ["tyz", "vi"], unit: "21025",
                                                published: "2025-09-03", channels: ["loudspeaker"]), carrier: .audioTape).run(in: f.session)
        try f.addUser("tinh.staff", role: "staff", unit: "51")
        try f.addUser("tinh.auditor", role: "auditor", unit: "51")
        try await f.app().test(.router) { client in
            let staff = try await logIn(client, "tinh.staff")
            func list(_ query: String, _ cookie: String?) async throws -> TestResponse {
                try await client.execute(uri: "/products?" + query, method: .get, headers: headers(cookie: cookie))
            }
            #expect(Self.titles(try await list("unit=21025", staff)) == ["Tờ rơi Cẩm Thành", "Tài liệu mật Cẩm Thành", "Phóng sự tiếng Tày"])
            #expect(Self.titles(try await list("unit=62", staff)) == ["Tờ rơi Kon Tum"], "old Kon Tum, by its old code")
            #expect(Self.titles(try await list("unit=00004", staff)).isEmpty, "a unit outside the scope shows nothing of it")
            let byName = try await list("language=T%C3%A0y", staff)
            #expect(Self.titles(byName) == ["Phóng sự tiếng Tày"], "a language by its name: \(byName.text)")
            #expect(Self.titles(try await list("language=tyz&channel=loudspeaker", staff)) == ["Phóng sự tiếng Tày"])
            #expect(Self.titles(try await list("channel=facebook", staff)).isEmpty)
            #expect(Self.titles(try await list("access=restricted", staff)) == ["Tài liệu mật Cẩm Thành"])
            let auditor = try await logIn(client, "tinh.auditor")
            #expect(Self.titles(try await list("access=restricted", auditor)).isEmpty, "a filter never shows what the role may not see")
            let kept = try await list("unit=21025&channel=loudspeaker&digitized=no&access=public", staff)
            #expect(kept.text.contains(#"id="unit" name="unit" value="21025""#) && kept.text.contains(#"<option value="loudspeaker" selected>"#)
                    && kept.text.contains(#"<option value="no" selected>"#) && kept.text.contains(#"<option value="public" selected>"#))
            for bad in ["unit=99999", "language=klingon-xyz", "channel=pigeon", "access=secret"] {
                let r = try await list(bad, staff)
                #expect(r.status == .ok && r.text.contains(#"class="problem""#), "\(bad)")
            }
        }
    }

    @Test func theAPIFiltersTheSameWay() async throws {
        let (f, _) = try ScopeTests.office()
        try f.addUser("tinh.staff", role: "staff", unit: "51")
        _ = try MakeToken(user: "tinh.staff", token: ApiWriteTests.token, days: 30).run(in: f.session)
        try await f.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(ApiWriteTests.token)"]
            let page = try await client.execute(uri: "/api/v1/products?unit=62", method: .get, headers: bearer)
            let products = try #require(try ApiWriteTests.json(page)["products"] as? [[String: Any]])
            #expect(products.compactMap { $0["title"] as? String } == ["Tờ rơi Kon Tum"])
            #expect(try await client.execute(uri: "/api/v1/products?unit=99999", method: .get, headers: bearer).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/products?channel=pigeon", method: .get, headers: bearer).status == .unprocessableContent)
            #expect(try await client.execute(uri: "/api/v1/products?language=klingon-xyz", method: .get, headers: bearer).status == .notFound)
        }
    }
}
