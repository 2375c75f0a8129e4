// A withdrawn product leaves the web app's lists and searches and the API's list; its page
// still opens by its ID, for its history.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoServer
import Testing

@Suite struct WithdrawnListTests {
    @Test func aWithdrawnProductLeavesTheListsNotTheArchive() async throws {
        let (f, ids) = try ScopeTests.office()
        try f.addUser("quan.tri", role: "admin", unit: nil)
        let id = ids["Tờ rơi Ba Đình"]!
        _ = try Withdraw(id: try ProductID.parse(id).get(), reason: "trùng").run(in: f.session)
        try await f.app().test(.router) { client in
            let cookie = try #require(try await logIn(client, "quan.tri"))
            let list = try await client.execute(uri: "/products", method: .get, headers: headers(cookie: cookie))
            #expect(list.status == .ok && list.text.contains("Tờ rơi Kon Tum") && !list.text.contains("Tờ rơi Ba Đình"))
            let search = try await client.execute(uri: "/products?q=Ba+Dinh", method: .get, headers: headers(cookie: cookie))
            #expect(!search.text.contains(id))
            let page = try await client.execute(uri: "/products/\(id)", method: .get, headers: headers(cookie: cookie))
            #expect(page.status == .ok && page.text.contains("Tờ rơi Ba Đình") && page.text.contains("Đã rút khỏi lưu hành") && page.text.contains("trùng"))
        }
    }
}
