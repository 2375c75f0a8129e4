// Stored files over HTTP: whole and in ranges as players ask (206, suffix, 416, If-Range,
// If-None-Match), never runnable in Kho's origin, never outside the user's scope.
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import Testing

@Suite struct FileRouteTests {
    static let audio: [UInt8] = Array("RIFF....WAVEfmt ".utf8) + (0..<200).map { UInt8($0) }

    /// A product of Cẩm Thành (51) with a sound, an HTML page and an SVG drawing.
    static func office() throws -> (ServerFixture, String) {
        let f = try ServerFixture()
        let files = [
            HostPath(f.scratch.file("phong-su.wav", bytes: audio)),
            HostPath(f.scratch.file("trang.html", "<script>alert(document.cookie)</script>")),
            HostPath(f.scratch.file("ve.svg", #"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#)),
        ]
        let input = ProductInput(title: "Phóng sự Cẩm Thành", kind: "radio_report", languages: ["vi"], unit: "21025", published: "2025-09-01")
        let id = try Ingest(metadata: input, files: files, jobs: 1).run(in: f.session).product.id
        try f.addUser("tinh.staff", role: "staff", unit: "51")
        try f.addUser("hanoi.auditor", role: "auditor", unit: "01")
        return (f, id)
    }

    @Test func rangesAsPlayersAskForThem() async throws {
        let (f, id) = try Self.office()
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "tinh.staff")
            func get(_ more: [(String, String)] = []) async throws -> TestResponse {
                try await client.execute(uri: "/products/\(id)/files/1", method: .get, headers: headers(cookie: cookie, more))
            }
            let n = Self.audio.count
            let whole = try await get()
            #expect(whole.status == .ok && whole.bytes == Self.audio)
            #expect(whole.headers[.acceptRanges] == "bytes" && whole.headers[.contentType]?.hasPrefix("audio/") == true)
            let etag = try #require(whole.headers[.eTag])
            let first = try await get([("Range", "bytes=0-9")])
            #expect(first.status == .partialContent && first.headers[.contentRange] == "bytes 0-9/\(n)" && first.bytes == Array(Self.audio[0..<10]))
            let suffix = try await get([("Range", "bytes=-5")])
            #expect(suffix.status == .partialContent && suffix.bytes == Array(Self.audio.suffix(5)))
            let open = try await get([("Range", "bytes=\(n - 3)-")])
            #expect(open.headers[.contentRange] == "bytes \(n - 3)-\(n - 1)/\(n)" && open.body.readableBytes == 3)
            let past = try await get([("Range", "bytes=\(n)-")])
            #expect(past.status == .rangeNotSatisfiable && past.headers[.contentRange] == "bytes */\(n)")
            let stale = try await get([("Range", "bytes=0-9"), ("If-Range", "\"0000\"")])
            #expect(stale.status == .ok && stale.body.readableBytes == n)
            let fresh = try await get([("Range", "bytes=0-9"), ("If-Range", etag)])
            #expect(fresh.status == .partialContent)
            let cached = try await get([("If-None-Match", etag)])
            #expect(cached.status == .notModified && cached.body.readableBytes == 0)
            for junk in ["bytes=5-2", "bytes=0-1,4-5", "items=0-1", "bytes=x-"] {
                let r = try await get([("Range", junk)])
                #expect(r.status == .ok && r.body.readableBytes == n, "\(junk)")
            }
        }
    }

    @Test func pagesAndDrawingsAreDownloadsThatCannotRunScript() async throws {
        let (f, id) = try Self.office()
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "tinh.staff")
            for n in [2, 3] {
                let r = try await client.execute(uri: "/products/\(id)/files/\(n)", method: .get, headers: headers(cookie: cookie))
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/octet-stream")
                #expect(r.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
                #expect(r.headers[.contentSecurityPolicy]?.contains("sandbox") == true && r.headers[.xContentTypeOptions] == "nosniff")
            }
            let sound = try await client.execute(uri: "/products/\(id)/files/1", method: .get, headers: headers(cookie: cookie))
            #expect(sound.headers[.contentDisposition] == #"inline; filename="phong-su.wav"; filename*=UTF-8''phong-su.wav"#)
        }
    }

    @Test func filesOutsideTheScopeOrMadeUpAreNotFound() async throws {
        let (f, id) = try Self.office()
        try await f.app().test(.router) { client in
            let anonymous = try await client.execute(uri: "/products/\(id)/files/1", method: .get)
            #expect(anonymous.status == .unauthorized && anonymous.body.readableBytes < 2000)
            let cookie = try await logIn(client, "hanoi.auditor")
            let other = try await client.execute(uri: "/products/\(id)/files/1", method: .get, headers: headers(cookie: cookie))
            #expect(other.status == .notFound && !other.text.contains("RIFF"))
            let staff = try await logIn(client, "tinh.staff")
            for uri in ["/products/\(id)/files/9", "/products/\(id)/files/-1", "/products/\(id)/files/..%2F..%2Fcatalog.sqlite",
                        "/products/\(id)/files/1/../../../catalog.sqlite", "/products/not-an-id/files/1"] {
                let r = try await client.execute(uri: uri, method: .get, headers: headers(cookie: staff))
                #expect(r.status == .notFound && !r.text.contains("SQLite"), "\(uri)")
            }
        }
    }
}
