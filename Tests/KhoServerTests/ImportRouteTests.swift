// Importing a manifest from the browser: a folder's files uploaded with their relative paths,
// checked as a background job (the dry run's problems first), then stored by a second job;
// results survive a reload and come as a CSV; rows outside the clerk's scope refused; hostile
// paths, several manifests or none refused before anything is gathered.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import KhoStore
import KhoTesting
import Testing

@Suite struct ImportRouteTests {
    /// Uploads `bytes` as `path` (a dropped folder's relative path); returns the upload's ID.
    static func upload(_ client: some TestClientProtocol, _ t: UploadTests.Tusser, _ bytes: [UInt8], path: String) async throws -> String {
        let name = String(path.split(separator: "/").last ?? "")
        let metadata = "filename \(Data(name.utf8).base64EncodedString()),relativepath \(Data(path.utf8).base64EncodedString())"
        let made = try await client.execute(uri: "/api/v1/uploads", method: .post,
                                            headers: t.headers([("Upload-Length", "\(bytes.count)"), ("Upload-Metadata", metadata)]))
        let location = try #require(made.headers[.location])
        #expect(try await UploadTests.patch(client, t, location, offset: 0, bytes[...]).status == .noContent)
        return String(location.split(separator: "/").last!)
    }

    static let manifest = """
        source_id,title,kind,languages,unit,published,files,carrier
        A1,Ảnh hội nghị Cẩm Thành,photo,vi,21025,2025-09-01,anh/hoi-nghi.jpg,
        A2,Bài viết về quyền trẻ em,article,vi,21025,2025-09-02,bai viết.txt,
        A3,Tờ rơi Ba Đình,leaflet,vi,00004,2025-09-03,,paper
        A4,Thiếu tệp,article,vi,21025,2025-09-04,khong-co.jpg,
        A5,Tờ gấp giấy Cẩm Thành,leaflet,vi,21025,2025-09-05,,paper

        """

    @Test func aFolderIsCheckedThenImportedAndItsResultsSurvive() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try f.addUser("khac.staff", role: "staff", unit: "01")
        try f.addUser("tinh.auditor", role: "auditor", unit: "51")
        try f.addUser("quan.tri", role: "admin", unit: nil)
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let start = try await client.execute(uri: "/import", method: .get, headers: headers(cookie: t.cookie))
            #expect(start.status == .ok && start.text.contains(#"<script src="/static/kho-upload.js" defer></script>"#))
            var ids: [String] = []
            for (path, bytes) in [("dot-1/bang-ke.csv", Array(Self.manifest.utf8)), ("dot-1/anh/hoi-nghi.jpg", [0xFF, 0xD8, 0xFF, 0xE0] + Array("ảnh".utf8)),
                                  ("dot-1/bai viết.txt", Array("Quyền trẻ em".utf8)), ("dot-1/.DS_Store", [0, 1, 2])] {
                ids.append(try await Self.upload(client, t, bytes, path: path))
            }
            let gathered = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                    body: form([("csrf", t.csrf)] + ids.map { ("upload", $0) }))
            #expect(gathered.status == .seeOther, "\(gathered.text)")
            let checkURI = try #require(gathered.headers[.location])
            let check = try await ExportRouteTests.settledPage(client, t.cookie, checkURI)
            #expect(check.text.contains("5 dòng: 3 hợp lệ, 0 đã có trong kho, 2 lỗi."), "\(check.text)")
            #expect(check.text.contains("bỏ qua 1 tệp ẩn"))
            #expect(check.text.contains("sẽ lưu một sản phẩm số với 1 tệp") && check.text.contains("sẽ đăng ký một sản phẩm trên giấy, chưa số hóa"),
                    "the verdicts of good rows in Vietnamese")
            #expect(check.text.contains("a unit of your scope") && check.text.contains("khong-co.jpg"))
            #expect(!check.text.contains(f.scratch.path), "no server folder in what the clerk sees")
            #expect(try ListProducts(filter: ProductFilter()).run(in: f.session).products.isEmpty, "a check stores nothing")
            // Someone else's job, and roles that do not import.
            let other = try await logIn(client, "khac.staff")
            #expect(try await client.execute(uri: checkURI, method: .get, headers: headers(cookie: other)).status == .notFound)
            let auditor = try await logIn(client, "tinh.auditor")
            #expect(try await client.execute(uri: "/import", method: .get, headers: headers(cookie: auditor)).status == .forbidden)
            // An admin sees the check but cannot run it with their wider scope.
            let admin = try await UploadTests.tusser(client, "quan.tri")
            let seen = try await client.execute(uri: checkURI, method: .get, headers: headers(cookie: admin.cookie))
            #expect(seen.status == .ok && !seen.text.contains("/run\""))
            #expect(try await client.execute(uri: checkURI + "/run", method: .post, headers: headers(cookie: admin.cookie), body: form([("csrf", admin.csrf)])).status == .conflict)
            let checkCSV = try await client.execute(uri: checkURI + "/result.csv", method: .get, headers: headers(cookie: t.cookie))
            #expect(checkCSV.text.contains("khong-co.jpg") && !checkCSV.text.contains(f.scratch.path), "the check's CSV names files as the manifest does")
            // The real run.
            let run = try await client.execute(uri: checkURI + "/run", method: .post, headers: headers(cookie: t.cookie), body: form([("csrf", t.csrf)]))
            #expect(run.status == .seeOther)
            let runURI = try #require(run.headers[.location])
            let done = try await ExportRouteTests.settledPage(client, t.cookie, runURI)
            #expect(done.text.contains("5 dòng: 3 đã lưu, 0 đã cập nhật, 0 đã có từ trước, 2 lỗi không lưu."), "\(done.text)")
            let stored = try ListProducts(filter: ProductFilter()).run(in: f.session).products
            #expect(Set(stored.map(\.title)) == ["Ảnh hội nghị Cẩm Thành", "Bài viết về quyền trẻ em", "Tờ gấp giấy Cẩm Thành"])
            #expect(done.text.contains("href=\"/products/"), "stored rows link to their products")
            let csv = try await client.execute(uri: runURI + "/result.csv", method: .get, headers: headers(cookie: t.cookie))
            #expect(csv.status == .ok && Array(csv.bytes.prefix(3)) == [0xEF, 0xBB, 0xBF] && csv.text.contains("row,status,product_id"))
            // Pressing the button again (or reloading the form) does not import twice.
            let again = try await client.execute(uri: checkURI + "/run", method: .post, headers: headers(cookie: t.cookie), body: form([("csrf", t.csrf)]))
            #expect(again.headers[.location] == runURI)
            let reloaded = try await client.execute(uri: checkURI, method: .get, headers: headers(cookie: t.cookie))
            #expect(reloaded.text.contains(#"href="\#(runURI)""#) && !reloaded.text.contains("/run\""))
            // The gathered files are gone once stored; the results stay.
            let jobs = f.session.archive.makeJobArea().folder
            let folder = jobs.appending(String(checkURI.split(separator: "/").last!))
            #expect(!FS.exists(folder.appending("files")) && FS.exists(folder.appending("result.csv")))
        }
    }

    @Test func aZipOfTheManifestAndItsFilesIsUnpackedCheckedAndImported() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            // Made on a Mac: a folder at the top, and its clutter beside the files.
            let zip = TestZip.make([("dot-1/", []), ("dot-1/bang-ke.csv", Array(Self.manifest.utf8)),
                                    ("dot-1/anh/hoi-nghi.jpg", [0xFF, 0xD8, 0xFF, 0xE0] + Array("ảnh".utf8)),
                                    ("dot-1/bai viết.txt", Array("Quyền trẻ em".utf8)), ("__MACOSX/dot-1/._bang-ke.csv", [0, 5, 22, 7])])
            let id = try await Self.upload(client, t, zip, path: "Đợt 1.zip")
            let gathered = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                    body: form([("csrf", t.csrf), ("upload", id)]))
            #expect(gathered.status == .seeOther, "\(gathered.text)")
            let checkURI = try #require(gathered.headers[.location])
            let check = try await ExportRouteTests.settledPage(client, t.cookie, checkURI)
            #expect(check.text.contains("5 dòng: 3 hợp lệ, 0 đã có trong kho, 2 lỗi."), "\(check.text)")
            #expect(check.text.contains("Đợt 1.zip → dot-1/bang-ke.csv") && check.text.contains("3 tệp") && check.text.contains("bỏ qua 1 tệp ẩn"))
            let run = try await client.execute(uri: checkURI + "/run", method: .post, headers: headers(cookie: t.cookie), body: form([("csrf", t.csrf)]))
            let done = try await ExportRouteTests.settledPage(client, t.cookie, try #require(run.headers[.location]))
            #expect(done.text.contains("5 dòng: 3 đã lưu"), "\(done.text)")
            let stored = try ListProducts(filter: ProductFilter()).run(in: f.session).products
            #expect(Set(stored.map(\.title)) == ["Ảnh hội nghị Cẩm Thành", "Bài viết về quyền trẻ em", "Tờ gấp giấy Cẩm Thành"])
        }
    }

    @Test func hostileZipsAreRefusedAndLeaveNothing() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let manifest = ("bang-ke.csv", Array(Self.manifest.utf8))
            let cases: [([(String, [UInt8])], String)] = [
                ([manifest, ("../../thoat.jpg", [1])], "không dùng được"),
                ([manifest, ("/etc/cron.d/x", [1])], "không dùng được"),
                ([manifest, ("a.jpg", [1]), ("a.jpg", [2])], "có hai lần"),
                ([manifest, ("a", [1]), ("a/b.jpg", [2])], "vừa là tệp vừa là thư mục"),
                ([("anh.jpg", [1])], "Không thấy bảng kê"),
                ([manifest, ("b.csv", Array(Self.manifest.utf8))], "chỉ một bảng kê"),
            ]
            for (entries, message) in cases {
                let id = try await Self.upload(client, t, TestZip.make(entries), path: "x.zip")
                let gathered = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                        body: form([("csrf", t.csrf), ("upload", id)]))
                let page = try await ExportRouteTests.settledPage(client, t.cookie, try #require(gathered.headers[.location]))
                #expect(page.text.contains(message), "\(entries.map(\.0)): \(page.text)")
                #expect(!page.text.contains(#"/run""#))
            }
            let junk = try await Self.upload(client, t, Array("not a zip at all".utf8), path: "hong.zip")
            let gathered = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie), body: form([("csrf", t.csrf), ("upload", junk)]))
            let page = try await ExportRouteTests.settledPage(client, t.cookie, try #require(gathered.headers[.location]))
            #expect(page.text.contains("không phải tệp zip"), "\(page.text)")
            // Nothing unpacked is left in any job's folder, and nothing escaped it.
            let jobs = f.session.archive.makeJobArea().folder
            for name in (try? FS.list(jobs)) ?? [] where FS.isDirectory(jobs.appending(name)) {
                #expect(!FS.exists(jobs.appending(name).appending("files")), "\(name) kept unpacked files")
            }
            #expect(!FS.exists(f.session.archive.root.appending("tmp").appending("thoat.jpg")))
            #expect(try ListProducts(filter: ProductFilter()).run(in: f.session).products.isEmpty)
        }
    }

    @Test func hostilePathsAndManifestCountsAreRefusedBeforeAnything() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await UploadTests.tusser(client, "xa.staff")
            let manifest = try await Self.upload(client, t, Array(Self.manifest.utf8), path: "bang-ke.csv")
            for (bad, message) in [("../../etc/passwd", "không dùng được"), ("a//b.jpg", "không dùng được"), ("dot/./x.jpg", "không dùng được")] {
                let id = try await Self.upload(client, t, Array("x".utf8), path: bad)
                let r = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                 body: form([("csrf", t.csrf), ("upload", manifest), ("upload", id)]))
                #expect(r.status == .unprocessableContent && r.text.contains(message), "\(bad): \(r.text)")
            }
            let second = try await Self.upload(client, t, Array(Self.manifest.utf8), path: "bang-ke-2.csv")
            let two = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                               body: form([("csrf", t.csrf), ("upload", manifest), ("upload", second)]))
            #expect(two.status == .unprocessableContent && two.text.contains("mỗi lần nhập chỉ một bảng kê"))
            let photo = try await Self.upload(client, t, Array("x".utf8), path: "anh.jpg")
            let none = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                body: form([("csrf", t.csrf), ("upload", photo)]))
            #expect(none.status == .unprocessableContent && none.text.contains("Không thấy bảng kê"))
            let twice = try await Self.upload(client, t, Array("y".utf8), path: "anh.jpg")
            let same = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                body: form([("csrf", t.csrf), ("upload", manifest), ("upload", photo), ("upload", twice)]))
            #expect(same.status == .badRequest && same.text.contains("Hai tệp cùng đường dẫn"))
            let file = try await Self.upload(client, t, Array("x".utf8), path: "dot/a")
            let under = try await Self.upload(client, t, Array("y".utf8), path: "dot/a/b.jpg")
            let clash = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                 body: form([("csrf", t.csrf), ("upload", manifest), ("upload", file), ("upload", under)]))
            #expect(clash.status == .badRequest && clash.text.contains("cũng là thư mục"))
            let forged = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                                  body: form([("csrf", t.csrf), ("upload", "../../../../etc/passwd")]))
            #expect(forged.status == .unprocessableContent)
            // Nothing was gathered, and the uploads are still there to try again.
            let jobs = f.session.archive.makeJobArea()
            #expect(jobs.all().isEmpty && ((try? FS.list(jobs.folder)) ?? []).isEmpty)
            let ok = try await client.execute(uri: "/import", method: .post, headers: headers(cookie: t.cookie),
                                              body: form([("csrf", t.csrf), ("upload", manifest), ("upload", photo)]))
            #expect(ok.status == .seeOther)
        }
    }

    @Test func anImportWithinAScopeNeitherTouchesNorNamesProductsOutsideIt() throws {
        let f = try ServerFixture()
        let photo = HostPath(f.scratch.file("m/x.jpg", bytes: [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]))
        let hanoi = try Ingest(metadata: ProductInput(title: "Ảnh chung", kind: "photo", languages: ["vi"], unit: "00004", published: "2025-09-01"),
                               files: [photo], jobs: 1).run(in: f.session).product.id
        let secret = try Register(metadata: ProductInput(title: "Mật Ba Đình", kind: "leaflet", languages: ["vi"], unit: "00004", published: "2025-09-01",
                                                         access: "restricted"), carrier: .paper).run(in: f.session).product.id
        let manifest = HostPath(f.scratch.file("m/bang-ke.csv", """
            product_id,title,kind,languages,unit,published,files
            \(secret),,,,,,x.jpg
            ,Ảnh chung,photo,vi,21025,2025-09-01,x.jpg

            """))
        let within = Visibility.of(role: .staff, unit: "21025", table: .standard)
        let dry = try ImportManifest(manifest: manifest, dryRun: true, within: within).run(in: f.session)
        #expect(dry.results.map(\.status) == ["rejected", "ok"], "\(dry.results)")
        #expect(dry.results[0].message.contains("in your scope"))
        let real = try ImportManifest(manifest: manifest, report: HostPath(f.scratch.path + "/r.csv"), within: within).run(in: f.session)
        #expect(real.results.map(\.status) == ["rejected", "stored"], "\(real.results)")
        #expect(real.results[1].productID != hanoi.description, "Hà Nội's product is neither matched nor named")
        #expect(!real.results.contains { $0.message.contains(hanoi.description) || $0.message.contains(secret.description) && $0.status != "rejected" })
        #expect(try Show(id: try ProductID.parse(secret.description).get()).run(in: f.session).files.isEmpty, "nothing attached to it")
        // Without a scope (the command line) the attach row is valid.
        let cli = try ImportManifest(manifest: manifest, dryRun: true).run(in: f.session)
        #expect(cli.results.map(\.status) == ["ok", "ok"] && cli.results[0].message.contains(secret.description), "\(cli.results)")
    }
}
