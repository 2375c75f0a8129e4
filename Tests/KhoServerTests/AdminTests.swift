// The admins' page for users: add (a password shown once that works), a new password (the old
// stops), disable (their sessions end) and enable; nobody else may use it; events name the admin.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import Testing

@Suite struct AdminTests {
    static func shownPassword(_ r: TestResponse) -> String? {
        r.text.firstMatch(of: /<code class="wrap">([A-Za-z0-9]{20})<\/code>/).map { String($0.1) }
    }

    @Test func anAdminManagesUsersFromThePage() async throws {
        let f = try ServerFixture()
        try f.addUser("quan.tri", role: "admin", unit: nil)
        try await f.app().test(.router) { client in
            let admin = try await UploadTests.tusser(client, "quan.tri")
            let list = try await client.execute(uri: "/admin/users", method: .get, headers: headers(cookie: admin.cookie))
            #expect(list.status == .ok && list.text.contains("quan.tri"))
            let added = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "add"), ("name", "Lan.Nguyen"), ("role", "staff"), ("unit", "21025")]))
            let first = try #require(Self.shownPassword(added), "\(added.text)")
            #expect(added.text.contains("lan.nguyen") && added.text.contains("Phường Cẩm Thành"))
            let lan = try #require(try await logIn(client, "lan.nguyen", password: first))
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: lan)).status == .ok)
            let renewed = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "password"), ("name", "lan.nguyen")]))
            let second = try #require(Self.shownPassword(renewed))
            #expect(second != first)
            #expect(try await logIn(client, "lan.nguyen", password: first) == nil, "the old password stops working")
            let lan2 = try #require(try await logIn(client, "lan.nguyen", password: second))
            let disabled = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "disable"), ("name", "lan.nguyen")]))
            #expect(disabled.status == .seeOther)
            let after = try await client.execute(uri: "/products", method: .get, headers: headers(cookie: lan2))
            #expect(after.status == .found && after.headers[.location] == "/login", "a disabled user's session ends")
            #expect(try await client.execute(uri: "/admin/users", method: .get, headers: headers(cookie: admin.cookie)).text.contains("đã khóa"))
            let enabled = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "enable"), ("name", "lan.nguyen")]))
            #expect(enabled.status == .seeOther)
            #expect(try await logIn(client, "lan.nguyen", password: second) != nil)
            let bad = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "add"), ("name", "x"), ("role", "staff")]))
            #expect(bad.status.code == 422 && Self.shownPassword(bad) == nil)
            let oldUnit = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "add"), ("name", "kontum"), ("role", "staff"), ("unit", "62")]))
            #expect(oldUnit.status.code == 422, "a user's unit is one of today's")
            let selfLock = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "disable"), ("name", "quan.tri")]))
            #expect(selfLock.status.code == 400)
            let noToken = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("action", "disable"), ("name", "lan.nguyen")]))
            #expect(noToken.status == .forbidden)
        }
        let events = try f.session.archive.events(object: "user:lan.nguyen")
        #expect(events.count == 4 && events.allSatisfy { $0.agent.contains("web user quan.tri") })
    }

    @Test func onlyAdminsMayUseIt() async throws {
        let f = try ServerFixture()
        try f.addUser("tinh.staff", role: "staff", unit: "51")
        try await f.app().test(.router) { client in
            let staff = try await UploadTests.tusser(client, "tinh.staff")
            #expect(try await client.execute(uri: "/admin/users", method: .get, headers: headers(cookie: staff.cookie)).status == .forbidden)
            let post = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: staff.cookie), body: form([
                ("csrf", staff.csrf), ("action", "add"), ("name", "ke.gian"), ("role", "admin")]))
            #expect(post.status == .forbidden)
            #expect(try ListUsers().run(in: f.session).map(\.name) == ["tinh.staff"])
            let home = try await client.execute(uri: "/", method: .get, headers: headers(cookie: staff.cookie))
            #expect(!home.text.contains("/admin/users"))
        }
    }

    /// An admin makes an API token for a machine: shown once, it acts as that user; revoked
    /// from the page, it stops; nobody else may make one.
    @Test func anAdminMakesAndRevokesAPITokens() async throws {
        let f = try ServerFixture()
        try f.addUser("quan.tri", role: "admin", unit: nil)
        try f.addUser("may.xuat", role: "exporter", unit: "51")
        try await f.app().test(.router) { client in
            let admin = try await UploadTests.tusser(client, "quan.tri")
            let made = try await client.execute(uri: "/admin/tokens", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "make"), ("user", "may.xuat"), ("label", "máy xuất tỉnh"), ("days", "30")]))
            #expect(made.status == .ok, "\(made.text)")
            let token = try #require(made.text.firstMatch(of: /<code class="wrap">([A-Za-z0-9_-]{43})<\/code>/).map { String($0.1) })
            #expect(made.text.contains("máy xuất tỉnh") && made.text.contains("đang dùng"))
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            #expect(try await client.execute(uri: "/api/v1/exports", method: .get, headers: bearer).status == .ok, "it acts as the exporter")
            let again = try await client.execute(uri: "/admin/users", method: .get, headers: headers(cookie: admin.cookie))
            #expect(!again.text.contains(token), "shown once")
            let id = try #require(try ListTokens().run(in: f.session).first?.id)
            #expect(again.text.contains(#"name="id" value="\#(id)""#) && again.text.contains(#"name="csrf" value="\#(admin.csrf)"><input type="hidden" name="id""#),
                    "each revoke form carries the page's CSRF token")
            let revoked = try await client.execute(uri: "/admin/tokens", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "revoke"), ("id", id)]))
            #expect(revoked.status == .seeOther)
            #expect(try await client.execute(uri: "/api/v1/exports", method: .get, headers: bearer).status == .unauthorized)
            for (days, user) in [("0", "may.xuat"), ("400", "may.xuat"), ("30", "khong.co")] {
                let bad = try await client.execute(uri: "/admin/tokens", method: .post, headers: headers(cookie: admin.cookie), body: form([
                    ("csrf", admin.csrf), ("action", "make"), ("user", user), ("days", days)]))
                #expect(bad.status == .unprocessableContent, "\(days) \(user)")
            }
            try f.addUser("tinh.staff", role: "staff", unit: "51")
            let staff = try await UploadTests.tusser(client, "tinh.staff")
            let refused = try await client.execute(uri: "/admin/tokens", method: .post, headers: headers(cookie: staff.cookie), body: form([
                ("csrf", staff.csrf), ("action", "make"), ("user", "tinh.staff"), ("days", "30")]))
            let kept = try ListTokens().run(in: f.session).count
            #expect(refused.status == .forbidden && kept == 1)
            // Disabling the machine's user revokes its tokens: enabling it again brings none back.
            let second = try await client.execute(uri: "/admin/tokens", method: .post, headers: headers(cookie: admin.cookie), body: form([
                ("csrf", admin.csrf), ("action", "make"), ("user", "may.xuat"), ("days", "30")]))
            let secondToken = try #require(second.text.firstMatch(of: /<code class="wrap">([A-Za-z0-9_-]{43})<\/code>/).map { String($0.1) })
            let secondBearer: HTTPFields = [.authorization: "Bearer \(secondToken)"]
            #expect(try await client.execute(uri: "/api/v1/exports", method: .get, headers: secondBearer).status == .ok)
            for action in ["disable", "enable"] {
                let changed = try await client.execute(uri: "/admin/users", method: .post, headers: headers(cookie: admin.cookie), body: form([
                    ("csrf", admin.csrf), ("action", action), ("name", "may.xuat")]))
                #expect(changed.status == .seeOther)
            }
            #expect(try await client.execute(uri: "/api/v1/exports", method: .get, headers: secondBearer).status == .unauthorized)
            #expect(try ListTokens().run(in: f.session).allSatisfy { $0.revokedAt != nil })
        }
    }
}
