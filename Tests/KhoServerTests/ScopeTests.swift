// Who sees which product: a user's unit and the units under it, the old units merged into it
// (Kon Tum into Quảng Ngãi), restricted products only with the right; everything else is
// "not found", in the list and by its address alike.
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoStore
import Testing

@Suite struct ScopeTests {
    /// Four products: an old Kon Tum ward (2024), a Quảng Ngãi ward of today, a restricted one
    /// there, and one in Hà Nội.
    static func office() throws -> (ServerFixture, [String: String]) {
        let f = try ServerFixture()
        var ids: [String: String] = [:]
        func register(_ title: String, unit: String, produced: String, access: String? = nil) throws {
            let input = ProductInput(title: title, kind: "leaflet", languages: ["vi"], unit: unit, produced: produced, access: access)
            ids[title] = try Register(metadata: input, carrier: .paper).run(in: f.session).product.id
        }
        try register("Tờ rơi Kon Tum", unit: "23281", produced: "2024-05-01")
        try register("Tờ rơi Cẩm Thành", unit: "21025", produced: "2025-09-01")
        try register("Tài liệu mật Cẩm Thành", unit: "21025", produced: "2025-09-02", access: "restricted")
        try register("Tờ rơi Ba Đình", unit: "00004", produced: "2025-08-01")
        return (f, ids)
    }

    /// For each user (role, today's unit), the titles they find.
    static let expected: [(name: String, role: String, unit: String?, sees: Set<String>)] = [
        ("tinh.staff", "staff", "51", ["Tờ rơi Kon Tum", "Tờ rơi Cẩm Thành", "Tài liệu mật Cẩm Thành"]),
        ("tinh.auditor", "auditor", "51", ["Tờ rơi Kon Tum", "Tờ rơi Cẩm Thành"]),
        ("phuong.staff", "staff", "21025", ["Tờ rơi Cẩm Thành", "Tài liệu mật Cẩm Thành"]),
        ("kontum.staff", "staff", "23293", ["Tờ rơi Kon Tum"]),
        ("hanoi.auditor", "auditor", "01", ["Tờ rơi Ba Đình"]),
        ("quan.tri", "admin", nil, ["Tờ rơi Kon Tum", "Tờ rơi Cẩm Thành", "Tài liệu mật Cẩm Thành", "Tờ rơi Ba Đình"]),
        ("may.xuat", "exporter", "51", ["Tờ rơi Kon Tum", "Tờ rơi Cẩm Thành"]),
    ]

    @Test func eachUserFindsExactlyTheirScope() async throws {
        let (f, ids) = try Self.office()
        for user in Self.expected { try f.addUser(user.name, role: user.role, unit: user.unit) }
        try await f.app().test(.router) { client in
            for user in Self.expected {
                let cookie = try #require(try await logIn(client, user.name))
                let list = try await client.execute(uri: "/products", method: .get, headers: headers(cookie: cookie))
                #expect(list.status == .ok)
                let listed = Set(ids.keys.filter { list.text.contains($0) })
                #expect(listed == user.sees, "\(user.name) lists \(listed.sorted())")
                for (title, id) in ids {
                    let page = try await client.execute(uri: "/products/\(id)", method: .get, headers: headers(cookie: cookie))
                    let want: HTTPResponse.Status = user.sees.contains(title) ? .ok : .notFound
                    #expect(page.status == want, "\(user.name) reading \(title)")
                    if want == .notFound { #expect(!page.text.contains(title)) }
                }
            }
        }
    }

    @Test func searchFiltersAndPagesStayInsideTheScope() async throws {
        let (f, ids) = try Self.office()
        try f.addUser("tinh.auditor", role: "auditor", unit: "51")
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "tinh.auditor")
            // Without diacritics; the restricted one matches the words but is not theirs.
            let found = try await client.execute(uri: "/products?q=cam+thanh", method: .get, headers: headers(cookie: cookie))
            #expect(found.text.contains("Tờ rơi Cẩm Thành") && !found.text.contains("mật"))
            let dated = try await client.execute(uri: "/products?from=01/01/2025&to=31/12/2025", method: .get, headers: headers(cookie: cookie))
            #expect(dated.text.contains("Tờ rơi Cẩm Thành") && !dated.text.contains("Kon Tum"))
            let bad = try await client.execute(uri: "/products?from=31/02/2025", method: .get, headers: headers(cookie: cookie))
            #expect(bad.status == .ok && bad.text.contains("không phải ngày"))
            #expect(ids.count == 4)
        }
    }

    @Test func pagesFollowEachOtherWithoutGapsOrRepeats() async throws {
        let f = try ServerFixture()
        for i in 1...7 {
            let input = ProductInput(title: "Sản phẩm \(i)", kind: "poster", languages: ["vi"], unit: "21025", produced: "2025-09-0\(i % 3 + 1)")
            _ = try Register(metadata: input, carrier: .paper).run(in: f.session)
        }
        try f.addUser("tinh.staff", role: "staff", unit: "51")
        let browse = { (after: BrowseCursor?) throws -> BrowsePage in
            try f.session.archive.browse(BrowseQuery(after: after, limit: 3), as: Visibility.of(role: .staff, unit: "51", table: .standard))
        }
        var seen: [String] = []
        var cursor: BrowseCursor?
        repeat {
            let page = try browse(cursor)
            seen += page.products.map(\.metadata.title)
            cursor = page.next
        } while cursor != nil
        #expect(seen.count == 7 && Set(seen).count == 7)
        #expect(BrowseCursor.parse("2025-09-01.12") == BrowseCursor(referenceDate: "2025-09-01", pk: 12))
        #expect(BrowseCursor.parse(".5") == BrowseCursor(referenceDate: "", pk: 5))
        for junk in ["", "x.1", "2025-13-01.2", "2025-01-01.-1", "2025-01-01.x"] { #expect(BrowseCursor.parse(junk) == nil, "\(junk)") }
    }
}
