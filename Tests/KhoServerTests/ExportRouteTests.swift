// Exports from the web app and the API: a background job whose bundle is `kho export`'s (valid
// BagIt, restricted products left out), downloadable with byte ranges by the exporters of its
// scope only; fields checked before any job starts; jobs followed on the page and by the API.
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

@Suite struct ExportRouteTests {
    static let token = "abcdefghijABCDEFGHIJ0123456789_-abcdefghijk"

    /// The report fixture (two leaflets of Cẩm Thành, 51, one restricted; one of Ba Đình, 00004),
    /// with a scan attached to the public one, an exporter of Hà Nội and an admin.
    static func office() throws -> ServerFixture {
        let f = try ReportRouteTests.office()
        let scan = f.scratch.path + "/scan.pdf"
        try Data("%PDF-1.4 quét tờ rơi".utf8).write(to: URL(fileURLWithPath: scan))
        let list = try ListProducts(filter: ProductFilter()).run(in: f.session)
        let leaflet = try #require(list.products.first { $0.title == "Tờ rơi công khai" })
        _ = try Attach(id: try ProductID.parse(leaflet.id).get(), files: [HostPath(scan)], digitizedOn: try CalendarDate.parse("2025-10-01").get(),
                       method: .scan).run(in: f.session)
        try f.addUser("hanoi.xuat", role: "exporter", unit: "01")
        try f.addUser("quan.tri", role: "admin", unit: nil)
        return f
    }

    /// A job's page once the job is over (the jobs run on other threads), at most 10 s.
    static func settledPage(_ client: some TestClientProtocol, _ cookie: String?, _ uri: String) async throws -> TestResponse {
        for _ in 0..<200 {
            let page = try await client.execute(uri: uri, method: .get, headers: headers(cookie: cookie))
            if !page.text.contains("http-equiv=\"refresh\"") { return page }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the job did not finish in 10 s")
        return try await client.execute(uri: uri, method: .get, headers: headers(cookie: cookie))
    }

    @Test func anExporterExportsTheirProvinceAndDownloadsAValidBag() async throws {
        let f = try Self.office()
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "may.xuat")
            let empty = try await client.execute(uri: "/exports", method: .get, headers: headers(cookie: cookie))
            #expect(empty.status == .ok && empty.text.contains("Chưa có gói nào"))
            #expect(empty.text.contains(#"href="/exports">Xuất dữ liệu"#), "the menu leads exporters here")
            let csrf = try #require(empty.csrf)
            let started = try await client.execute(uri: "/exports", method: .post, headers: headers(cookie: cookie),
                                                   body: form([("csrf", csrf), ("unit", "51"), ("period", "2025"), ("format", "tar")]))
            let jobURI = try #require(started.headers[.location])
            #expect(started.status == .seeOther && jobURI.hasPrefix("/exports/jobs/"))
            let job = try await Self.settledPage(client, cookie, jobURI)
            #expect(job.text.contains("xong") && job.text.contains("1 sản phẩm đã xuất (1 sản phẩm mật không xuất)"), "\(job.text)")
            let page = try await client.execute(uri: "/exports", method: .get, headers: headers(cookie: cookie))
            #expect(!page.text.contains("http-equiv=\"refresh\""), "the page with the form never reloads itself")
            let link = try #require(page.text.firstMatch(of: /href="(\/exports\/[^"\/]+\/bundle)"/).map { String($0.1) })
            let bundle = try await client.execute(uri: link, method: .get, headers: headers(cookie: cookie))
            #expect(bundle.status == .ok && bundle.headers[.contentType] == "application/x-tar")
            #expect(bundle.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(!String(decoding: bundle.bytes, as: UTF8.self).contains("Tài liệu mật"), "the restricted product never leaves, not even its title")
            let file = f.scratch.path + "/downloaded.tar"
            try Data(bundle.bytes).write(to: URL(fileURLWithPath: file))
            let verified = try BundleVerify(file: file).run()
            #expect(verified.valid && verified.payloadFiles >= 1, "\(verified.errors)")
            // Byte ranges, as a download manager resumes.
            let tail = try await client.execute(uri: link, method: .get, headers: headers(cookie: cookie, [("Range", "bytes=-100")]))
            #expect(tail.status == .partialContent && tail.bytes == Array(bundle.bytes.suffix(100)))
            let beyond = try await client.execute(uri: link, method: .get, headers: headers(cookie: cookie, [("Range", "bytes=\(bundle.bytes.count)-")]))
            #expect(beyond.status == .rangeNotSatisfiable && beyond.headers[.contentRange] == "bytes */\(bundle.bytes.count)")
            // The same bundle is what the catalog recorded.
            let recorded = try ListExports().run(in: f.session)
            #expect(recorded.count == 1 && recorded[0].productCount == 1 && recorded[0].file.hasPrefix(f.session.archive.root.description))
            // An exporter of another province neither sees nor downloads it.
            let hanoi = try await logIn(client, "hanoi.xuat")
            let other = try await client.execute(uri: "/exports", method: .get, headers: headers(cookie: hanoi))
            #expect(other.text.contains("Chưa có gói nào") && !other.text.contains("/bundle"))
            #expect(try await client.execute(uri: link, method: .get, headers: headers(cookie: hanoi)).status == .notFound)
            // An incremental export right after: nothing changed, an empty bag that follows the first.
            let again = try await client.execute(uri: "/exports", method: .post, headers: headers(cookie: cookie),
                                                 body: form([("csrf", csrf), ("unit", "51"), ("period", "2025"), ("since", "last")]))
            #expect(again.status == .seeOther)
            let second = try await Self.settledPage(client, cookie, try #require(again.headers[.location]))
            #expect(second.text.contains("0 sản phẩm đã xuất"))
            #expect(try await client.execute(uri: "/exports", method: .get, headers: headers(cookie: cookie)).text.contains("phần thay đổi sau"))
            // Someone else's job page.
            #expect(try await client.execute(uri: jobURI, method: .get, headers: headers(cookie: hanoi)).status == .notFound)
        }
    }

    @Test func fieldsAreCheckedAndRolesRefusedBeforeAnyJob() async throws {
        let f = try Self.office()
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "may.xuat")
            let csrf = try #require(try await client.execute(uri: "/exports", method: .get, headers: headers(cookie: cookie)).csrf)
            for (field, value, message) in [("unit", "00004", "không thuộc phạm vi"), ("unit", "99999", "Không có đơn vị"),
                                             ("period", "2025-13", "không hợp lệ"), ("format", "rar", "không dùng được")] {
                let r = try await client.execute(uri: "/exports", method: .post, headers: headers(cookie: cookie),
                                                 body: form([("csrf", csrf), (field, value)]))
                #expect(r.status == .unprocessableContent && r.text.contains(message), "\(field)=\(value)")
                #expect(r.text.contains(#"value="\#(value)""#) || field == "format", "what was typed is kept")
            }
            #expect(try await client.execute(uri: "/exports", method: .post, headers: headers(cookie: cookie), body: form([("unit", "51")])).status == .forbidden,
                    "no CSRF token, no job")
            #expect(try ListExports().run(in: f.session).isEmpty)
            for name in ["tinh.auditor", "tinh.staff"] {
                let other = try await logIn(client, name)
                #expect(try await client.execute(uri: "/exports", method: .get, headers: headers(cookie: other)).status == .forbidden, "\(name)")
                #expect(try await client.execute(uri: "/api/v1/exports", method: .get, headers: headers(cookie: other)).status == .forbidden, "\(name)")
            }
            #expect(try await client.execute(uri: "/exports", method: .get).status == .found, "anonymous: to the login page")
        }
    }

    @Test func theAPIStartsFollowsListsAndDownloads() async throws {
        let f = try Self.office()
        _ = try MakeToken(user: "may.xuat", token: Self.token, days: 30).run(in: f.session)
        // An export made on the command line, outside the archive: listed, not downloadable here.
        let outside = HostPath(f.scratch.path + "/cli.tar")
        _ = try Export(unitCode: "51", format: .tar, output: OutputFile(path: outside)).run(in: f.session)
        try await f.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(Self.token)", .contentType: "application/json"]
            let started = try await client.execute(uri: "/api/v1/exports", method: .post, headers: bearer,
                                                   body: ByteBuffer(string: #"{"unit": "21025", "period": "2025", "format": "zip"}"#))
            #expect(started.status == .accepted, "\(started.text)")
            let location = try #require(started.headers[.location])
            var job: [String: Any] = [:]
            for _ in 0..<200 {
                let r = try await client.execute(uri: location, method: .get, headers: bearer)
                job = try #require(JSONSerialization.jsonObject(with: Data(r.bytes)) as? [String: Any])
                if job["state"] as? String == "done" || job["state"] as? String == "failed" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(job["state"] as? String == "done", "\(job)")
            let download = try #require(job["download"] as? String)
            let list = try await client.execute(uri: "/api/v1/exports", method: .get, headers: bearer)
            let exports = try #require((JSONSerialization.jsonObject(with: Data(list.bytes)) as? [String: Any])?["exports"] as? [[String: Any]])
            #expect(exports.count == 2)
            #expect(exports.contains { $0["download"] as? String == download && $0["format"] as? String == "zip" })
            #expect(exports.contains { $0["download"] == nil || $0["download"] is NSNull }, "the command line's export has no download")
            let bag = try await client.execute(uri: download, method: .get, headers: bearer)
            #expect(bag.status == .ok && bag.headers[.contentType] == "application/zip" && bag.bytes.starts(with: [0x50, 0x4B]))
            // Someone else's job, a malformed ID, bad bodies.
            _ = try MakeToken(user: "hanoi.xuat", token: String(Self.token.reversed()), days: 30).run(in: f.session)
            let hanoi: HTTPFields = [.authorization: "Bearer \(String(Self.token.reversed()))", .contentType: "application/json"]
            #expect(try await client.execute(uri: location, method: .get, headers: hanoi).status == .notFound)
            #expect(try await client.execute(uri: download, method: .get, headers: hanoi).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/jobs/..%2Fetc", method: .get, headers: bearer).status == .notFound)
            for (body, status) in [(#"{"unit": 51}"#, 422), ("not json", 422), (#"{"unit": "00004"}"#, 404), (#"{"since": "yesterday"}"#, 422)] {
                let r = try await client.execute(uri: "/api/v1/exports", method: .post, headers: bearer, body: ByteBuffer(string: body))
                #expect(r.status.code == status && r.text.contains(#""error""#), "\(body): \(r.text)")
                #expect(!r.text.contains("Swift") && !r.text.contains("Dictionary<") && !r.text.contains("String.Type"), "no Swift type names: \(r.text)")
            }
            let form = try await client.execute(uri: "/api/v1/exports", method: .post, headers: [.authorization: "Bearer \(Self.token)", .contentType: "text/plain"],
                                                body: ByteBuffer(string: "{}"))
            #expect(form.status == .unsupportedMediaType)
        }
    }

    @Test func jobsAServerLeftRunningAreInterruptedNotShownRunning() throws {
        let f = try ServerFixture()
        let area = f.session.archive.makeJobArea()
        var running = JobRecord(id: String(repeating: "a", count: 32), kind: .export, owner: "x", ownerUnit: nil, parameters: [:], createdAt: 1)
        running.state = .running
        var done = JobRecord(id: String(repeating: "b", count: 32), kind: .export, owner: "x", ownerUnit: nil, parameters: [:], createdAt: 2)
        done.state = .done
        try area.save(running)
        try area.save(done)
        let recovered = area.recover(now: 10)
        #expect(recovered.map(\.id) == [running.id])
        let all = area.all()
        #expect(all.map(\.state) == [.done, .interrupted], "newest first; nothing still 'running'")
        #expect(area.removeFinished(before: 5) == [done.id] && area.all().map(\.id) == [running.id], "the old finished one goes, the recent one stays")
        #expect(throws: KhoError.self) { try area.workFolder("../../etc") }
        #expect(area.existingWorkFolder("../../etc") == nil && area.existingWorkFolder(running.id) == nil, "looking makes nothing")
        // A check never run loses its gathered files after a day; its record and results stay.
        var check = JobRecord(id: String(repeating: "c", count: 32), kind: .importCheck, owner: "x", ownerUnit: nil, parameters: [:], createdAt: 20)
        check.state = .done
        check.finishedAt = 20
        try area.save(check)
        let files = try area.workFolder(check.id).appending("files")
        try FS.makeDirectories(files)
        #expect(area.removeFinished(before: 0, unrunChecksBefore: 30).isEmpty)
        #expect(!FS.exists(files) && area.all().contains { $0.id == check.id })
        // The archive's folders never reach the clerk: a job's files by their own path, the rest as "…".
        let root = f.session.archive.root
        let inJob = area.folder.appending(check.id).appending("files").appending("dot-1/anh.jpg").description
        #expect(JobArea.hidingFolders("no such file: \(inJob)", root: root) == "no such file: dot-1/anh.jpg")
        #expect(JobArea.hidingFolders("cannot read \(root)/blobs/sha256/ab", root: root) == "cannot read …/blobs/sha256/ab")
    }

    @Test func uploadedPathsThatHideOrClimbAreRefused() {
        func path(_ p: String) -> Result<[String], Problem> { UploadedTree.path(["relativepath": Array(p.utf8)], fileName: Array("x".utf8)) }
        #expect((try? path("dot-1/ảnh hội nghị.jpg").get()) == ["dot-1", "ảnh hội nghị.jpg"])
        for bad in ["../x", "/etc/passwd", "a//b", "a/./b", "a\\b", "gpj\u{202E}.exe", "a\u{0085}b", "a/\u{0}", String(repeating: "a/", count: 40) + "b"] {
            #expect((try? path(bad).get()) == nil, "\(bad)")
        }
        #expect((try? UploadedTree.path([:], fileName: Array("ảnh.jpg".utf8)).get()) == ["ảnh.jpg"], "no relative path: the file's name")
        #expect(UploadedTree.isClutter(["dot", ".DS_Store"]) && UploadedTree.isClutter(["Thumbs.db"]) && !UploadedTree.isClutter(["anh.jpg"]))
    }
}
