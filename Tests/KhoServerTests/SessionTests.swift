// The server's front door: health, headers, login and logout, cookies, CSRF and origin checks,
// session timeouts and fixation, the login slowdown, error pages.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import Testing

@Suite struct SessionTests {
    @Test func healthAndSecurityHeaders() async throws {
        let f = try ServerFixture()
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/healthz", method: .get)
            #expect(r.status == .ok)
            #expect(r.text == #"{"status":"ok"}"#)
            let csp = r.headers[.contentSecurityPolicy] ?? ""
            #expect(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(r.headers[.xContentTypeOptions] == "nosniff")
            #expect(r.headers[HTTPField.Name("X-Request-ID")!]?.isEmpty == false)
            let css = try await client.execute(uri: "/static/kho.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
        }
    }

    @Test func pagesNeedALoginAndLoginWorks() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            let anonymous = try await client.execute(uri: "/", method: .get)
            #expect(anonymous.status == .found && anonymous.headers[.location] == "/login")
            let page = try await client.execute(uri: "/login", method: .get)
            #expect(page.status == .ok && page.text.contains(#"<html lang="vi">"#) && page.text.contains(#"<label for="password">"#))

            let login = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                 body: form([("name", "Lan.Nguyen"), ("password", ServerFixture.password)]))
            #expect(login.status == .found && login.headers[.location] == "/")
            let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("kho_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            let home = try await client.execute(uri: "/", method: .get, headers: headers(cookie: login.sessionCookie))
            #expect(home.status == .ok && home.text.contains("lan.nguyen") && home.text.contains("Quảng Ngãi"))
            #expect(home.csrf != nil)
        }
    }

    @Test func wrongPasswordsAndUnknownNamesGetTheSameAnswer() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            let wrong = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                 body: form([("name", "lan.nguyen"), ("password", "not the password 2")]))
            let unknown = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                   body: form([("name", "nobody.here"), ("password", "not the password 2")]))
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.sessionCookie == nil && unknown.sessionCookie == nil)
            #expect(wrong.text.contains("Tên đăng nhập hoặc mật khẩu không đúng.") && unknown.text.contains("Tên đăng nhập hoặc mật khẩu không đúng."))
        }
    }

    @Test func aDisabledUserCannotLogInAndLosesTheirSession() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "lan.nguyen")
            _ = try SetUserDisabled(name: "lan.nguyen", disabled: true).run(in: f.session)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: cookie)).status == .found)
            #expect(try await logIn(client, "lan.nguyen") == nil)
        }
    }

    @Test func secureCookieBehindHttps() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app(baseURL: "https://kho.example.gov.vn").test(.router) { client in
            let login = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                 body: form([("name", "lan.nguyen"), ("password", ServerFixture.password)]))
            #expect(login.headers[values: .setCookie].first?.contains("Secure") == true)
        }
    }

    @Test func aLoginNeverKeepsASessionIDTheBrowserBrought() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            let first = try #require(try await logIn(client, "lan.nguyen"))
            // Logging in again from a browser that has a session: a new token, the old one ends.
            let again = try await client.execute(uri: "/login", method: .post, headers: headers(cookie: first),
                                                  body: form([("name", "lan.nguyen"), ("password", ServerFixture.password)]))
            #expect(again.status == .forbidden, "a logged-in browser's post needs its CSRF token")
            let page = try await client.execute(uri: "/", method: .get, headers: headers(cookie: first))
            let relogin = try await client.execute(uri: "/login", method: .post, headers: headers(cookie: first),
                                                   body: form([("csrf", page.csrf ?? ""), ("name", "lan.nguyen"), ("password", ServerFixture.password)]))
            let second = try #require(relogin.sessionCookie)
            #expect(second != first)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: first)).status == .found)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: second)).status == .ok)
            // A made-up token is nobody's session.
            let forged = String(repeating: "A", count: 43)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: forged)).status == .found)
        }
    }

    @Test func logoutNeedsTheCSRFTokenAndEndsTheSession() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "lan.nguyen")
            let refused = try await client.execute(uri: "/logout", method: .post, headers: headers(cookie: cookie), body: form([]))
            #expect(refused.status == .forbidden && !refused.text.contains("Swift") && refused.text.contains("Lỗi 403"))
            let wrong = try await client.execute(uri: "/logout", method: .post, headers: headers(cookie: cookie), body: form([("csrf", "x")]))
            #expect(wrong.status == .forbidden)
            let csrf = try await client.execute(uri: "/", method: .get, headers: headers(cookie: cookie)).csrf
            let out = try await client.execute(uri: "/logout", method: .post, headers: headers(cookie: cookie), body: form([("csrf", csrf ?? "")]))
            #expect(out.status == .found && out.headers[.location] == "/login")
            #expect(out.headers[values: .setCookie].first?.contains("Max-Age=0") == true)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: cookie)).status == .found)
        }
    }

    @Test func postsFromAnotherSiteAreRefused() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            let body = form([("name", "lan.nguyen"), ("password", ServerFixture.password)])
            let origin = try await client.execute(uri: "/login", method: .post, headers: headers([("Origin", "http://evil.example")]), body: body)
            #expect(origin.status == .forbidden && origin.sessionCookie == nil)
            let site = try await client.execute(uri: "/login", method: .post, headers: headers([("Sec-Fetch-Site", "cross-site")]), body: body)
            #expect(site.status == .forbidden)
            let same = try await client.execute(uri: "/login", method: .post,
                                                headers: headers([("Origin", "http://127.0.0.1:8080"), ("Sec-Fetch-Site", "same-origin")]), body: body)
            #expect(same.status == .found && same.sessionCookie != nil)
        }
    }

    @Test func sessionsEndWhenIdleAndAfterTheirLongestLife() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app(idle: 600, absolute: 3600).test(.router) { client in
            let cookie = try await logIn(client, "lan.nguyen")
            f.hand.advance(500)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: cookie)).status == .ok)
            f.hand.advance(500)   // 500 s since the last request: still within the idle limit
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: cookie)).status == .ok)
            f.hand.advance(601)
            let idle = try await client.execute(uri: "/", method: .get, headers: headers(cookie: cookie))
            #expect(idle.status == .found && idle.headers[values: .setCookie].first?.contains("Max-Age=0") == true)

            let second = try await logIn(client, "lan.nguyen")
            for _ in 0..<7 {
                f.hand.advance(500)
                _ = try await client.execute(uri: "/", method: .get, headers: headers(cookie: second))
            }
            // Active all along, but 3,500 s old: one more step passes the absolute limit.
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: second)).status == .ok)
            f.hand.advance(200)
            #expect(try await client.execute(uri: "/", method: .get, headers: headers(cookie: second)).status == .found)
        }
    }

    @Test func repeatedFailuresAreSlowedPerAccountAndPerAddress() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            for _ in 0..<5 {
                let r = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                 body: form([("name", "lan.nguyen"), ("password", "guess guess guess")]))
                #expect(r.status == .unauthorized)
            }
            // The sixth try, even with the right password, waits.
            let slowed = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                  body: form([("name", "lan.nguyen"), ("password", ServerFixture.password)]))
            #expect(slowed.status == .tooManyRequests && slowed.headers[.retryAfter] != nil && slowed.sessionCookie == nil)
            // The same address trying another account is slowed too.
            let other = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                 body: form([("name", "someone.else"), ("password", "guess guess guess")]))
            #expect(other.status == .tooManyRequests)
            f.hand.advance(3)
            #expect(try await logIn(client, "lan.nguyen") != nil)
        }
    }

    @Test func manyGuessesSentAtOnceGetNoMoreThanFiveChecks() async throws {
        let f = try ServerFixture()
        try f.addUser("lan.nguyen")
        try await f.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await client.execute(uri: "/login", method: .post, headers: formType,
                                                 body: form([("name", "lan.nguyen"), ("password", "guess number \(i)")])).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count <= 5, "\(statuses)")
            #expect(statuses.allSatisfy { [.unauthorized, .tooManyRequests, .serviceUnavailable].contains($0) })
        }
    }

    @Test func aPasswordTypedDecomposedIsTheSamePassword() async throws {
        let f = try ServerFixture()
        _ = try AddUser(name: "hoa", role: "staff", unit: "51", password: "Hòa bình cho muôn nơi", hashing: ServerFixture.hashing).run(in: f.session)
        try await f.app().test(.router) { client in
            let decomposed = "Hòa bình cho muôn nơi".decomposedStringWithCanonicalMapping
            let cookie = try await logIn(client, "hoa", password: decomposed)
            #expect(cookie != nil)
        }
    }

    @Test func unknownAddressesGetAVietnamesePageWithoutInternals() async throws {
        let f = try ServerFixture()
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/../../etc/passwd", method: .get)
            #expect(r.status == .notFound && r.text.contains("Không tìm thấy") && !r.text.contains("HTTPError"))
            let api = try await client.execute(uri: "/api/v1/nothing", method: .get)
            #expect(api.status == .notFound && api.text.contains(#""code":"not_found""#))
        }
    }
}
