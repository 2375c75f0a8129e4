// Attaching a scan later, from the product's page: the upload becomes the product's master and
// makes a paper product digitized on the day given; only staff whose scope holds the product.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import Testing

@Suite struct AttachTests {
    @Test func aScanAttachedLaterDigitizesAPaperProduct() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try f.addUser("tinh.auditor", role: "auditor", unit: "51")
        let id = try Register(metadata: ProductInput(title: "Tờ rơi giấy", kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-09-01"),
                              carrier: .paper).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let page = try await client.execute(uri: "/products/\(id)", method: .get, headers: headers(cookie: t.cookie))
            #expect(page.text.contains(#"action="/products/\#(id)/attach""#) && page.text.contains(#"id="digitized""#))
            #expect(page.text.contains(#"<script src="/static/kho-upload.js" defer></script>"#))
            let none = try await client.execute(uri: "/products/\(id)/attach", method: .post, headers: headers(cookie: t.cookie), body: form([("csrf", t.csrf)]))
            #expect(none.status.code == 422 && none.text.contains("Chưa có tệp nào"))
            let scan = try await NewProductTests.upload(client, t, NewProductTests.photo, name: "quét.jpg")
            let badDate = try await client.execute(uri: "/products/\(id)/attach", method: .post, headers: headers(cookie: t.cookie),
                                                   body: form([("csrf", t.csrf), ("upload", scan), ("digitized", "32/10/2025")]))
            #expect(badDate.status.code == 422 && badDate.text.contains("32/10/2025"))
            let auditor = try await UploadTests.tusser(client, "tinh.auditor")
            let seen = try await client.execute(uri: "/products/\(id)", method: .get, headers: headers(cookie: auditor.cookie))
            #expect(seen.status == .ok && !seen.text.contains("/attach\""), "auditors read, they do not attach")
            let refused = try await client.execute(uri: "/products/\(id)/attach", method: .post, headers: headers(cookie: auditor.cookie),
                                                   body: form([("csrf", auditor.csrf), ("upload", scan)]))
            #expect(refused.status == .forbidden)
            let done = try await client.execute(uri: "/products/\(id)/attach", method: .post, headers: headers(cookie: t.cookie),
                                                body: form([("csrf", t.csrf), ("upload", scan), ("role", "master"), ("digitized", "05/10/2025")]))
            #expect(done.status == .seeOther && done.headers[.location] == "/products/\(id)?attached=1", "\(done.text)")
            let product = try f.session.archive.product(try ProductID.parse(id).get())
            #expect(product.isDigitized && product.digitization.digitizedOn?.description == "2025-10-05")
            #expect(product.files.map(\.sha256) == [UploadTests.sha(NewProductTests.photo)])
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.scratch.path)/archive/tmp/uploads").isEmpty)
            let shown = try await client.execute(uri: "/products/\(id)?attached=1", method: .get, headers: headers(cookie: t.cookie))
            #expect(shown.text.contains("Đã thêm 1 tệp") && !shown.text.contains(#"id="digitized""#))
        }
    }

    @Test func staffOutsideTheProductsScopeCannotAttach() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try f.addUser("hanoi.staff", role: "staff", unit: "01")
        let id = try Register(metadata: ProductInput(title: "Tờ rơi giấy", kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-09-01"),
                              carrier: .paper).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            let other = try await UploadTests.tusser(client, "hanoi.staff")
            let mine = try await NewProductTests.upload(client, other, NewProductTests.photo, name: "a.jpg")
            let refused = try await client.execute(uri: "/products/\(id)/attach", method: .post, headers: headers(cookie: other.cookie),
                                                   body: form([("csrf", other.csrf), ("upload", mine)]))
            #expect(refused.status == .notFound, "a product outside the scope is not found")
            #expect(try f.session.archive.product(try ProductID.parse(id).get()).files.isEmpty)
        }
    }
}
