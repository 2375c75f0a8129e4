// The authorization matrix, asserted on the real routes: for each role, each relation of the
// product's unit to the user's, each action, the answer written out below. Export is of the
// product's unit and year; administer is the users' page (the same for every relation).
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import Testing

@Suite struct AuthorizationMatrixTests {
    /// A relation: the user's unit, the product's unit and the date that puts it in its table.
    struct Relation {
        var name: String
        var userUnit: String
        var productUnit: String
        var date: String
    }

    static let relations = [
        Relation(name: "own", userUnit: "21025", productUnit: "21025", date: "2025-09-01"),           // Phường Cẩm Thành
        Relation(name: "child", userUnit: "51", productUnit: "21025", date: "2025-09-01"),           // the province above it
        Relation(name: "parent", userUnit: "21025", productUnit: "51", date: "2025-09-01"),          // the commune below it
        Relation(name: "sibling", userUnit: "21025", productUnit: "21028", date: "2025-09-01"),       // Phường Nghĩa Lộ, also in 51
        Relation(name: "old merged", userUnit: "21025", productUnit: "21019", date: "2024-05-01"),    // old Nghĩa Chánh, now in Cẩm Thành
        Relation(name: "unrelated", userUnit: "21025", productUnit: "00004", date: "2025-09-01"),    // Ba Đình, Hà Nội
    ]

    static let actions = ["list", "read", "read restricted", "download", "create", "attach", "report", "edit", "export", "administer"]

    /// Per role, per relation (in the order above), Y or N per action (in the order above).
    static let expected: [String: [String]] = [
        //            own           child         parent        sibling       old merged    unrelated
        "staff":    ["YYYYYYYYNN", "YYYYYYYYNN", "NNNNNNNNNN", "NNNNNNNNNN", "YYYYYYYYNN", "NNNNNNNNNN"],
        "auditor":  ["YYNYNNYNNN", "YYNYNNYNNN", "NNNNNNNNNN", "NNNNNNNNNN", "YYNYNNYNNN", "NNNNNNNNNN"],
        "exporter": ["YYNYNNNNYN", "YYNYNNNNYN", "NNNNNNNNNN", "NNNNNNNNNN", "YYNYNNNNYN", "NNNNNNNNNN"],
        // An admin of the whole archive (no unit).
        "admin":    ["YYYYYYYYYY", "YYYYYYYYYY", "YYYYYYYYYY", "YYYYYYYYYY", "YYYYYYYYYY", "YYYYYYYYYY"],
    ]

    @Test func everyRoleRelationAndActionAnswersAsTheTableSays() async throws {
        let f = try ServerFixture()
        // Each unit: a public product with a file, and a restricted one on paper.
        var products: [String: (public: ProductID, title: String, restricted: ProductID)] = [:]
        for r in Self.relations where products[r.productUnit] == nil {
            let title = "Sản phẩm công khai \(r.productUnit)"
            let file = HostPath(f.scratch.file("f\(r.productUnit).bin", bytes: Array("tệp của \(r.productUnit)".utf8)))
            let open = try Ingest(metadata: ProductInput(title: title, kind: "photo", languages: ["vi"], unit: r.productUnit, published: r.date),
                                  files: [file], jobs: 1).run(in: f.session).product.id
            let secret = try Register(metadata: ProductInput(title: "Mật \(r.productUnit)", kind: "leaflet", languages: ["vi"], unit: r.productUnit,
                                                             published: r.date, access: "restricted"), carrier: .paper).run(in: f.session).product.id
            products[r.productUnit] = (try ProductID.parse(open.description).get(), title, try ProductID.parse(secret.description).get())
        }
        for role in ["staff", "auditor", "exporter"] {
            for unit in Set(Self.relations.map(\.userUnit)) { try f.addUser("\(role).\(unit)", role: role, unit: unit) }
        }
        try f.addUser("admin.all", role: "admin", unit: nil)
        let matrix = Self.expected
        let made = products
        try await f.app().test(.router) { client in
            for (role, rows) in matrix.sorted(by: { $0.key < $1.key }) {
                for (r, relation) in Self.relations.enumerated() {
                    let user = role == "admin" ? "admin.all" : "\(role).\(relation.userUnit)"
                    let t = try await UploadTests.tusser(client, user)
                    let p = try #require(made[relation.productUnit])
                    let canUpload = role == "staff" || role == "admin"
                    var got = ""
                    func yes(_ ok: Bool) { got += ok ? "Y" : "N" }
                    let list = try await client.execute(uri: "/products", method: .get, headers: headers(cookie: t.cookie))
                    yes(list.status == .ok && list.text.contains(p.title))
                    yes(try await client.execute(uri: "/products/\(p.public)", method: .get, headers: headers(cookie: t.cookie)).status == .ok)
                    yes(try await client.execute(uri: "/products/\(p.restricted)", method: .get, headers: headers(cookie: t.cookie)).status == .ok)
                    // Download: the page's address and the API's (harvesters' download address) answer alike.
                    let page = try await client.execute(uri: "/products/\(p.public)/files/1", method: .get, headers: headers(cookie: t.cookie)).status
                    let api = try await client.execute(uri: "/api/v1/products/\(p.public)/files/1", method: .get, headers: headers(cookie: t.cookie)).status
                    #expect(page == api, "\(user) \(relation.name): the page's download says \(page), the API's \(api)")
                    yes(page == .ok)
                    let day = relation.date.split(separator: "-").reversed().joined(separator: "/")
                    let created = try await client.execute(uri: "/products/new", method: .post, headers: headers(cookie: t.cookie), body: form([
                        ("csrf", t.csrf), ("title", "Mới \(user) \(relation.name)"), ("kind", "leaflet"), ("languages", "vi"),
                        ("unit", relation.productUnit), ("published", day), ("carrier", "paper")]))
                    yes(created.status == .seeOther)
                    let upload = canUpload
                        ? try await NewProductTests.upload(client, t, Array("đính kèm \(user) \(relation.name)".utf8), name: "x.bin")
                        : String(repeating: "ab", count: 16)
                    let attached = try await client.execute(uri: "/products/\(p.restricted)/attach", method: .post, headers: headers(cookie: t.cookie),
                                                            body: form([("csrf", t.csrf), ("upload", upload), ("role", "supplement")]))
                    yes(attached.status == .seeOther)
                    let year = relation.date.prefix(4)
                    let report = try await client.execute(uri: "/reports?unit=\(relation.productUnit)&period=\(year)", method: .get, headers: headers(cookie: t.cookie))
                    yes(report.status == .ok && !report.text.contains("không có trong phạm vi"))
                    let editForm = try await client.execute(uri: "/products/\(p.restricted)/edit", method: .get, headers: headers(cookie: t.cookie))
                    let version = editForm.text.firstMatch(of: /name="version" value="([^"]+)"/).map { String($0.1) } ?? ""
                    let edited = try await client.execute(uri: "/products/\(p.restricted)/edit", method: .post, headers: headers(cookie: t.cookie), body: form([
                        ("csrf", t.csrf), ("version", version), ("title", "Mật \(relation.productUnit) sửa bởi \(user)"), ("kind", "leaflet"),
                        ("languages", "vi"), ("unit", relation.productUnit), ("published", day), ("access", "restricted")]))
                    yes(edited.status == .seeOther)
                    let exported = try await client.execute(uri: "/exports", method: .post, headers: headers(cookie: t.cookie),
                                                            body: form([("csrf", t.csrf), ("unit", relation.productUnit), ("period", String(year))]))
                    yes(exported.status == .seeOther)
                    if exported.status == .seeOther, let job = exported.headers[.location] { _ = try await ExportRouteTests.settledPage(client, t.cookie, job) }
                    yes(try await client.execute(uri: "/admin/users", method: .get, headers: headers(cookie: t.cookie)).status == .ok)
                    for (i, action) in Self.actions.enumerated() {
                        let want = Array(rows[r])[i], have = Array(got)[i]
                        #expect(want == have, "\(role) · \(relation.name) · \(action): expected \(want), got \(have)")
                    }
                }
            }
        }
    }
}
