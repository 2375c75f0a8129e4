// The new-product page: files uploaded with tus become the product's files (no copy left in
// the upload area), problems come back beside their fields with everything kept, units outside
// the user's scope and other users' uploads are refused, physical products register without files.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import Testing

@Suite struct NewProductTests {
    static let audio: [UInt8] = Array("RIFF....WAVEfmt ".utf8) + (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 31) }
    static let photo: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + (0..<7000).map { UInt8(truncatingIfNeeded: $0 * 17) }

    /// Uploads `bytes` whole and returns the upload's ID.
    static func upload(_ client: some TestClientProtocol, _ t: UploadTests.Tusser, _ bytes: [UInt8], name: String) async throws -> String {
        let location = try #require(try await UploadTests.create(client, t, length: bytes.count, name: name).headers[.location])
        let done = try await UploadTests.patch(client, t, location, offset: 0, bytes[...])
        #expect(done.status == .noContent)
        return String(location.split(separator: "/").last!)
    }

    static func post(_ client: some TestClientProtocol, _ t: UploadTests.Tusser, _ fields: [(String, String)]) async throws -> TestResponse {
        try await client.execute(uri: "/products/new", method: .post, headers: headers(cookie: t.cookie), body: form([("csrf", t.csrf)] + fields))
    }

    static let good: [(String, String)] = [("title", "Phóng sự Cẩm Thành"), ("kind", "radio_report"), ("languages", "Tiếng Việt, Tày"),
                                           ("unit", "21025"), ("published", "01/09/2025"), ("channels", "loudspeaker"), ("channels", "zalo"),
                                           ("access", "public")]

    @Test func uploadedFilesBecomeTheProductsFiles() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let page = try await client.execute(uri: "/products/new", method: .get, headers: headers(cookie: t.cookie))
            #expect(page.status == .ok && page.text.contains(#"<script src="/static/kho-upload.js" defer></script>"#))
            #expect(page.text.contains(#"value="21025""#), "the unit starts as the user's")
            #expect(!page.text.contains("<script>"), "no inline script")
            let script = try await client.execute(uri: "/static/kho-upload.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/javascript") == true && script.text.contains("Tus-Resumable"))
            let a = try await Self.upload(client, t, Self.audio, name: "phóng sự.wav")
            let b = try await Self.upload(client, t, Self.photo, name: "ảnh.jpg")
            let saved = try await Self.post(client, t, Self.good + [("upload", a), ("upload", b)])
            #expect(saved.status == .seeOther, "\(saved.text)")
            let location = try #require(saved.headers[.location])
            let id = try #require(location.firstMatch(of: /\/products\/([0-9A-Z-]+)\?saved=1/).map { String($0.1) })
            let product = try f.session.archive.product(try ProductID.parse(id).get())
            #expect(product.files.map(\.sha256).sorted() == [UploadTests.sha(Self.audio), UploadTests.sha(Self.photo)].sorted())
            #expect(product.files.map(\.name.display).sorted() == ["phóng sự.wav", "ảnh.jpg"].sorted())
            #expect(product.metadata.languages.map(\.value) == ["vi", "tyz"] && product.metadata.channels == [.loudspeaker, .zalo])
            #expect(product.metadata.published?.description == "2025-09-01" && product.isDigitized)
            let events = try f.session.archive.events(of: product.id)
            #expect(events.first?.agent.contains("web user xa.staff") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.scratch.path)/archive/tmp/uploads").isEmpty)
            let shown = try await client.execute(uri: location, method: .get, headers: headers(cookie: t.cookie))
            #expect(shown.text.contains("Đã lưu sản phẩm") && shown.text.contains("/products/new?like=\(id)"))
            let like = try await client.execute(uri: "/products/new?like=\(id)", method: .get, headers: headers(cookie: t.cookie))
            #expect(like.text.contains(#"<option value="radio_report" selected>"#) && like.text.contains(#"value="01/09/2025""#))
            #expect(!like.text.contains("Phóng sự Cẩm Thành"), "the title is not carried over")
            // The same upload cannot be used twice.
            let again = try await Self.post(client, t, Self.good + [("upload", a)])
            #expect(again.status.code == 422 && again.text.contains("không còn nữa"))
        }
    }

    @Test func problemsComeBackBesideTheirFieldsWithEverythingKept() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let a = try await Self.upload(client, t, Self.audio, name: "a.wav")
            var fields = Self.good.filter { $0.0 != "title" && $0.0 != "published" }
            fields += [("title", ""), ("published", "31/02/2025"), ("upload", a)]
            let bad = try await Self.post(client, t, fields)
            #expect(bad.status.code == 422)
            #expect(bad.text.contains(#"id="title-error""#) && bad.text.contains(#"id="published-error""#), "\(bad.text)")
            #expect(bad.text.contains(#"aria-describedby="title-error""#))
            #expect(bad.text.contains("cần có tên sản phẩm") && bad.text.contains("&#39;31/02/2025&#39;: không phải ngày có thật"), "said in Vietnamese")
            #expect(!bad.text.contains("a title is required"), "not the core's English")
            #expect(bad.text.contains(#"value="31/02/2025""#) && bad.text.contains(#"value="Tiếng Việt, Tày""#))
            #expect(bad.text.contains(#"name="channels" value="zalo" checked"#))
            #expect(bad.text.contains(#"<input type="hidden" name="upload" value="\#(a)">"#), "the upload stays with the form")
            // Fixed, the same upload goes into the product.
            let fixed = try await Self.post(client, t, Self.good + [("upload", a)])
            #expect(fixed.status == .seeOther)
        }
    }

    @Test func scopesAndOwnersAreKept() async throws {
        let f = try ServerFixture()
        let count = { @Sendable () throws -> Int in try f.session.archive.list(ProductFilter()).total }
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try f.addUser("other.staff", role: "staff", unit: "21025")
        try f.addUser("tinh.auditor", role: "auditor", unit: "51")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let a = try await Self.upload(client, t, Self.audio, name: "a.wav")
            // Ba Đình (Hà Nội) is not the commune's.
            let outside = try await Self.post(client, t, Self.good.filter { $0.0 != "unit" } + [("unit", "00004"), ("upload", a)])
            #expect(outside.status == .forbidden && outside.text.contains(#"id="unit-error""#))
            #expect(try count() == 0)
            let other = try await UploadTests.tusser(client, "other.staff")
            let stolen = try await Self.post(client, other, Self.good + [("upload", a)])
            #expect(stolen.status.code == 422)
            #expect(try count() == 0)
            let auditor = try await UploadTests.tusser(client, "tinh.auditor")
            #expect(try await client.execute(uri: "/products/new", method: .get, headers: headers(cookie: auditor.cookie)).status == .forbidden)
            #expect(try await Self.post(client, auditor, Self.good + [("carrier", "paper")]).status == .forbidden)
            let noToken = try await client.execute(uri: "/products/new", method: .post, headers: headers(cookie: t.cookie), body: form(Self.good + [("upload", a)]))
            #expect(noToken.status == .forbidden)
            #expect(try count() == 0)
            let nothing = try await Self.post(client, t, Self.good)
            #expect(nothing.status.code == 422 && nothing.text.contains("Chưa có tệp nào"))
        }
    }

    /// Found by a hostile review: two presses of Save made two products from one upload; the
    /// same title and bytes as another unit's restricted product sent the clerk to it.
    @Test func oneUploadMakesOneProductAndHiddenTwinsStayHidden() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try f.addUser("hanoi.staff", role: "staff", unit: "01")
        try await f.app().test(.router) { client in
            let hanoi = try await UploadTests.tusser(client, "hanoi.staff")
            let secret = try await Self.upload(client, hanoi, Self.audio, name: "a.wav")
            let hidden = try await Self.post(client, hanoi, [("title", "Biên bản"), ("kind", "radio_report"), ("languages", "vi"), ("unit", "00004"),
                                                             ("published", "01/09/2025"), ("access", "restricted"), ("upload", secret)])
            let hiddenID = try #require(hidden.headers[.location]?.firstMatch(of: /\/products\/([0-9A-Z-]+)\?/).map { String($0.1) })
            let t = try await UploadTests.tusser(client, "xa.staff")
            let a = try await Self.upload(client, t, Self.audio, name: "a.wav")
            let mine = try await Self.post(client, t, Self.good.filter { $0.0 != "title" } + [("title", "Biên bản"), ("upload", a)])
            let mineID = try #require(mine.headers[.location]?.firstMatch(of: /\/products\/([0-9A-Z-]+)\?saved=1/).map { String($0.1) })
            #expect(mineID != hiddenID, "a product the clerk may not see is neither named nor reused")
            // Pressed twice at once: one product.
            let b = try await Self.upload(client, t, Self.photo, name: "b.jpg")
            async let first = Self.post(client, t, Self.good + [("upload", b)])
            async let second = Self.post(client, t, Self.good.filter { $0.0 != "title" } + [("title", "Lần hai"), ("upload", b)])
            let answers = try await [first, second].map(\.status.code).sorted()
            #expect(answers.filter { $0 == 303 }.count == 1, "\(answers)")
            #expect(try f.session.archive.list(ProductFilter()).total == 3)
        }
    }

    @Test func aPhysicalProductIsRegisteredWithoutFiles() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let saved = try await Self.post(client, t, Self.good.filter { $0.0 != "kind" } + [("kind", "leaflet"), ("carrier", "paper")])
            #expect(saved.status == .seeOther)
            let id = try #require(saved.headers[.location]?.firstMatch(of: /\/products\/([0-9A-Z-]+)\?/).map { String($0.1) })
            let product = try f.session.archive.product(try ProductID.parse(id).get())
            #expect(!product.isDigitized && product.files.isEmpty && product.digitization.carrier == .paper)
        }
    }

    @Test func aBatchMakesOneProductPerFileWithTheSharedFields() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let names = ["IMG_0001.jpg", "IMG_0002.jpg", "ảnh hội nghị.jpg"]
            var ids: [String] = []
            for (n, name) in names.enumerated() { ids.append(try await Self.upload(client, t, Self.photo + [UInt8(n)], name: name)) }
            let page = try await client.execute(uri: "/products/new", method: .get, headers: headers(cookie: t.cookie))
            #expect(page.text.contains(#"name="batch" value="one" checked"#))
            let saved = try await Self.post(client, t, Self.good + [("batch", "each")] + ids.map { ("upload", $0) })
            #expect(saved.status == .seeOther, "\(saved.text)")
            let location = try #require(saved.headers[.location])
            #expect(location.hasPrefix("/products/new?like=") && location.hasSuffix("&count=3"))
            let made = try #require(location.firstMatch(of: /made=([^&]+)/).map { $0.1.split(separator: ",").map(String.init) })
            #expect(made.count == 3)
            var titles: [String] = []
            for id in made {
                let product = try f.session.archive.product(try ProductID.parse(id).get())
                #expect(product.files.count == 1 && product.metadata.kind == .radioReport && product.metadata.channels == [.loudspeaker, .zalo])
                titles.append(product.metadata.title)
            }
            #expect(titles.sorted() == ["Phóng sự Cẩm Thành (IMG_0001)", "Phóng sự Cẩm Thành (IMG_0002)", "Phóng sự Cẩm Thành (ảnh hội nghị)"])
            // The form again, the shared fields kept, the products named.
            let next = try await client.execute(uri: location, method: .get, headers: headers(cookie: t.cookie))
            #expect(next.text.contains("Đã lưu 3 sản phẩm") && next.text.contains("Phóng sự Cẩm Thành (IMG_0002)"))
            #expect(next.text.contains(#"<option value="radio_report" selected>"#) && next.text.contains(#"name="batch" value="each" checked"#))
            #expect(!next.text.contains(#"id="title" name="title" value="Phóng"#), "the title is typed anew")
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.scratch.path)/archive/tmp/uploads").isEmpty)
        }
    }

    @Test func filesAndACarrierAtOnceAreRefusedNotOneDropped() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let a = try await Self.upload(client, t, Self.photo, name: "quét.jpg")
            let both = try await Self.post(client, t, Self.good + [("upload", a), ("carrier", "paper")])
            #expect(both.status.code == 422 && both.text.contains(#"id="carrier-error""#) && both.text.contains(#"name="upload" value="\#(a)""#), "\(both.text)")
            #expect(try ListProducts(filter: ProductFilter()).run(in: f.session).products.isEmpty)
        }
    }
}
