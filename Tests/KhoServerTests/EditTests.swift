// Editing from the browser: the form filled with the product, a change saved as an event naming
// the user, two clerks at once (the second gets a 409 showing the other's change, keeps their
// own values, and can save over it), and nobody outside the product's scope.
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

@Suite struct EditTests {
    static func fields(_ page: TestResponse, title: String) -> [(String, String)] {
        let version = page.text.firstMatch(of: /name="version" value="([^"]+)"/).map { String($0.1) } ?? ""
        return [("version", version), ("title", title), ("kind", "leaflet"), ("languages", "vi"), ("unit", "21025"),
                ("published", "01/09/2025"), ("access", "public")]
    }

    @Test func twoClerksAtOnceAndOneConflict() async throws {
        let f = try ServerFixture()
        try f.addUser("lan", role: "staff", unit: "21025")
        try f.addUser("minh", role: "staff", unit: "51")
        let id = try Register(metadata: ProductInput(title: "Tờ rơi cũ", kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-09-01"),
                              carrier: .paper).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            let lan = try await UploadTests.tusser(client, "lan")
            let minh = try await UploadTests.tusser(client, "minh")
            let lanForm = try await client.execute(uri: "/products/\(id)/edit", method: .get, headers: headers(cookie: lan.cookie))
            #expect(lanForm.status == .ok && lanForm.text.contains(#"value="Tờ rơi cũ""#) && lanForm.text.contains(#"value="01/09/2025""#))
            #expect(lanForm.text.contains(#"data-units="/api/v1/units""#) && lanForm.text.contains(#"<script src="/static/kho-upload.js" defer></script>"#),
                    "unit suggestions on the edit form too")
            let minhForm = try await client.execute(uri: "/products/\(id)/edit", method: .get, headers: headers(cookie: minh.cookie))
            let saved = try await client.execute(uri: "/products/\(id)/edit", method: .post, headers: headers(cookie: lan.cookie),
                                                 body: form([("csrf", lan.csrf)] + Self.fields(lanForm, title: "Tờ rơi của Lan")))
            #expect(saved.status == .seeOther && saved.headers[.location] == "/products/\(id)?edited=1")
            let product = try f.session.archive.product(try ProductID.parse(id).get())
            #expect(product.metadata.title == "Tờ rơi của Lan")
            #expect(try f.session.archive.events(of: product.id).last?.agent.contains("web user lan") == true)
            // Minh saves what he read before Lan's change: 409, Lan's change shown, his values kept.
            let late = try await client.execute(uri: "/products/\(id)/edit", method: .post, headers: headers(cookie: minh.cookie),
                                                body: form([("csrf", minh.csrf)] + Self.fields(minhForm, title: "Tờ rơi của Minh")))
            #expect(late.status == .conflict)
            #expect(late.text.contains("Người khác đã sửa") && late.text.contains("Tờ rơi của Lan") && late.text.contains(#"value="Tờ rơi của Minh""#))
            #expect(try f.session.archive.product(try ProductID.parse(id).get()).metadata.title == "Tờ rơi của Lan")
            let over = try await client.execute(uri: "/products/\(id)/edit", method: .post, headers: headers(cookie: minh.cookie),
                                                body: form([("csrf", minh.csrf)] + Self.fields(late, title: "Tờ rơi của Minh")))
            #expect(over.status == .seeOther)
            #expect(try f.session.archive.product(try ProductID.parse(id).get()).metadata.title == "Tờ rơi của Minh")
            let bad = try await client.execute(uri: "/products/\(id)/edit", method: .post, headers: headers(cookie: lan.cookie),
                                               body: form([("csrf", lan.csrf)] + Self.fields(over, title: "").filter { $0.0 != "version" }
                                                          + [("version", Archive.version(of: try f.session.archive.product(try ProductID.parse(id).get())))]))
            #expect(bad.status.code == 422 && bad.text.contains(#"id="title-error""#))
        }
    }

    @Test func onlyStaffWhoseScopeHoldsItBeforeAndAfter() async throws {
        let f = try ServerFixture()
        try f.addUser("lan", role: "staff", unit: "21025")
        try f.addUser("hanoi", role: "staff", unit: "01")
        try f.addUser("kiem.tra", role: "auditor", unit: "51")
        let id = try Register(metadata: ProductInput(title: "Tờ rơi", kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-09-01"),
                              carrier: .paper).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            let auditor = try await UploadTests.tusser(client, "kiem.tra")
            #expect(try await client.execute(uri: "/products/\(id)/edit", method: .get, headers: headers(cookie: auditor.cookie)).status == .forbidden)
            let page = try await client.execute(uri: "/products/\(id)", method: .get, headers: headers(cookie: auditor.cookie))
            #expect(!page.text.contains("/edit\""))
            let hanoi = try await UploadTests.tusser(client, "hanoi")
            #expect(try await client.execute(uri: "/products/\(id)/edit", method: .get, headers: headers(cookie: hanoi.cookie)).status == .notFound)
            let lan = try await UploadTests.tusser(client, "lan")
            let form0 = try await client.execute(uri: "/products/\(id)/edit", method: .get, headers: headers(cookie: lan.cookie))
            let away = try await client.execute(uri: "/products/\(id)/edit", method: .post, headers: headers(cookie: lan.cookie),
                                                body: form([("csrf", lan.csrf)] + Self.fields(form0, title: "Tờ rơi").filter { $0.0 != "unit" } + [("unit", "00004")]))
            #expect(away.status == .forbidden && away.text.contains(#"id="unit-error""#))
            #expect(try f.session.archive.product(try ProductID.parse(id).get()).metadata.unit.value == "21025")
        }
    }
}
