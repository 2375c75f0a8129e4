// The English switch: every text of every template has its English; a cookie set by the
// switch turns pages, labels, numbers and the upload script to English; Vietnamese stays the
// default; the switch leads back only to a page of this site.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
@testable import KhoServer
import Testing

@Suite struct LanguageTests {
    /// Texts the same in both languages.
    static let same: Set<String> = ["Kho", "· Kho", "kho import", "dd/mm/yyyy", "CSV (Excel)", "JSON", "SHA-256"]

    @Test func everyTextOfEveryTemplateHasItsEnglish() {
        for (name, text) in Templates.all {
            let missing = Translation.untranslated(text, English.words, allowed: Self.same)
            #expect(missing.isEmpty, "template \(name) has texts without English: \(missing)")
        }
        // The script's messages too: none of its Vietnamese strings is left.
        for vietnamese in English.script.keys where vietnamese.unicodeScalars.contains(where: { $0.value > 0x7F }) {
            #expect(!UploadScript.english.contains("\"\(vietnamese)\""), "\(vietnamese) left in the English script")
        }
        #expect(UploadScript.english.filter { $0 == "\"" }.count == UploadScript.text.filter { $0 == "\"" }.count)
        #expect(UploadScript.english.contains("\"Pause\"") && UploadScript.text.contains("\"Tạm dừng\""))
    }

    @Test func theTranslationLeavesDataAndCodeAlone() {
        let page = #"<p>Mô tả</p><textarea name="d">Mô tả</textarea><input placeholder="Mô tả" value="Mô tả"><code>Mô tả</code><option value="article">tin, bài viết</option>"#
        let english = Translation.apply(page, English.words, mustache: false)
        #expect(english == #"<p>Description</p><textarea name="d">Mô tả</textarea><input placeholder="Description" value="Mô tả"><code>Mô tả</code><option value="article">news, article</option>"#)
        let template = "{{#a}}Lọc{{/a}} {{{body}}} <b title=\"{{t}}\">Kỳ</b>"
        #expect(Translation.apply(template, English.words, mustache: true) == "{{#a}}Filter{{/a}} {{{body}}} <b title=\"{{t}}\">Period</b>")
    }

    @Test func theSwitchTurnsPagesToEnglishAndBack() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        _ = try Register(metadata: ProductInput(title: "Tờ rơi giấy", kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-09-01"),
                         carrier: .paper).run(in: f.session)
        // A title that happens to be a label of the pages: data, never translated.
        _ = try Register(metadata: ProductInput(title: "Sản phẩm", kind: "poster", languages: ["vi"], unit: "21025", published: "2025-09-02"),
                         carrier: .paper).run(in: f.session)
        try await f.app().test(.router) { client in
            let cookie = try #require(try await logIn(client, "xa.staff"))
            let vietnamese = try await client.execute(uri: "/products", method: .get, headers: headers(cookie: cookie))
            #expect(vietnamese.text.contains(#"<html lang="vi">"#) && vietnamese.text.contains(#"href="/language?to=en&amp;back=/products""#))
            let switched = try await client.execute(uri: "/language?to=en&back=%2Fproducts%3Fkind%3Dleaflet", method: .get, headers: headers(cookie: cookie))
            #expect(switched.status == .found && switched.headers[.location] == "/products?kind=leaflet")
            let set = try #require(switched.headers[values: .setCookie].first { $0.hasPrefix("kho_lang=en") })
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Lax"))
            let both = "kho_session=\(cookie); kho_lang=en"
            let list = try await client.execute(uri: "/products", method: .get, headers: [.cookie: both])
            #expect(list.text.contains(#"<html lang="en">"#) && list.text.contains("<title>Products · Kho</title>"), "\(list.text)")
            #expect(list.text.contains("Search (with or without diacritics)") && list.text.contains(">leaflet, folded leaflet<"))
            #expect(list.text.contains("Tờ rơi giấy") && list.text.contains(">Sản phẩm</a>"), "the products' own data stays as written")
            #expect(list.text.contains("· not digitized"))
            let bad = try await client.execute(uri: "/products?kind=tank&from=31/02/2025", method: .get, headers: [.cookie: both])
            #expect(bad.text.contains("Not a kind of product: tank") && bad.text.contains("From: &#39;31/02/2025&#39; is not a date"), "\(bad.text)")
            #expect(list.text.contains(#">Tiếng Việt</a>"#), "the switch back is named in Vietnamese")
            let new = try await client.execute(uri: "/products/new", method: .get, headers: [.cookie: both])
            #expect(new.text.contains(">Title<") && new.text.contains("/static/kho-upload.en.js") && !new.text.contains("Tên sản phẩm"))
            let script = try await client.execute(uri: "/static/kho-upload.en.js", method: .get)
            #expect(script.status == .ok && script.text.contains("Pause") && !script.text.contains("Tạm dừng"))
            let missing = try await client.execute(uri: "/khong-co", method: .get, headers: [.cookie: both])
            #expect(missing.status == .notFound && missing.text.contains("This page does not exist."))
            let login = try await client.execute(uri: "/login", method: .get, headers: [.cookie: "kho_lang=en"])
            #expect(login.text.contains(">Log in<") && login.text.contains(">Password<"))
            // Back to Vietnamese.
            let back = try await client.execute(uri: "/language?to=vi&back=/", method: .get, headers: [.cookie: both])
            #expect(back.headers[values: .setCookie].contains { $0.hasPrefix("kho_lang=vi") })
        }
    }

    @Test func theSwitchNeverLeadsToAnotherSite() async throws {
        let f = try ServerFixture()
        try await f.app().test(.router) { client in
            for back in ["//evil.example/x", "https://evil.example", "/\\evil.example", "%2F%2Fevil.example", "/a%0D%0ASet-Cookie:x=1", "javascript:alert(1)",
                         "//%EF%B8%8Fevil.example", "/%CD%8F/evil.example", "/%5Cevil.example"] {
                let r = try await client.execute(uri: "/language?to=en&back=\(back)", method: .get)
                #expect(r.status == .found && r.headers[.location] == "/", "\(back) → \(r.headers[.location] ?? "")")
            }
        }
    }

    /// A quote followed by a combining mark is still escaped (the template library's own
    /// escaping would let it through and open the attribute).
    @Test func valuesAreEscapedWhateverFollowsAQuote() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        let hostile = "x\"\u{301} autofocus data-x=\"\u{301}"
        let id = try Register(metadata: ProductInput(title: hostile, kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-09-01"),
                              carrier: .paper).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            let cookie = try #require(try await logIn(client, "xa.staff"))
            let edit = try await client.execute(uri: "/products/\(id)/edit", method: .get, headers: headers(cookie: cookie))
            #expect(edit.status == .ok && edit.text.contains("value=\"x&quot;\u{301} autofocus data-x=&quot;\u{301}\""), "\(edit.text)")
            #expect(!edit.text.contains(" autofocus data-x=\""))
        }
    }
}
