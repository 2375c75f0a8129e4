// Resumable uploads (tus 1.0) through the real routes: creation, chunks with and without
// checksums, wrong offsets, sizes refused before the body, termination, expiry, a server
// started again between chunks, other users and roles kept out, "already in product X", a
// damaged upload refused rather than padded.
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import Testing

@Suite struct UploadTests {
    static let bytes: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
    static func sha(_ b: some Sequence<UInt8>) -> String { SHA256.hash(data: Array(b)).map { String(format: "%02x", $0) }.joined() }
    static func checksum(_ b: some Sequence<UInt8>) -> String { "sha256 " + Data(SHA256.hash(data: Array(b))).base64EncodedString() }

    /// A logged-in client's tus headers: cookie, CSRF token, Tus-Resumable.
    struct Tusser {
        let cookie: String
        let csrf: String
        func headers(_ more: [(String, String)] = []) -> HTTPFields {
            var out: HTTPFields = [.cookie: "kho_session=\(cookie)", HTTPField.Name("X-CSRF-Token")!: csrf, HTTPField.Name("Tus-Resumable")!: "1.0.0"]
            for (name, value) in more { out[HTTPField.Name(name)!] = value }
            return out
        }
    }

    static func tusser(_ client: some TestClientProtocol, _ name: String) async throws -> Tusser {
        let cookie = try #require(try await logIn(client, name))
        let page = try await client.execute(uri: "/", method: .get, headers: headers(cookie: cookie))
        return Tusser(cookie: cookie, csrf: try #require(page.csrf))
    }

    static func create(_ client: some TestClientProtocol, _ t: Tusser, length: Int, name: String = "phóng sự.wav") async throws -> TestResponse {
        let metadata = "filename \(Data(name.utf8).base64EncodedString()),filetype \(Data("audio/wav".utf8).base64EncodedString())"
        return try await client.execute(uri: "/api/v1/uploads", method: .post, headers: t.headers([("Upload-Length", "\(length)"), ("Upload-Metadata", metadata)]))
    }

    static func patch(_ client: some TestClientProtocol, _ t: Tusser, _ location: String, offset: Int, _ chunk: ArraySlice<UInt8>,
                      checksum: String? = nil) async throws -> TestResponse {
        var more = [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "\(offset)")]
        if let checksum { more.append(("Upload-Checksum", checksum)) }
        return try await client.execute(uri: location, method: .patch, headers: t.headers(more), body: ByteBuffer(bytes: chunk))
    }

    static func offset(_ r: TestResponse) -> Int? { r.headers[HTTPField.Name("Upload-Offset")!].flatMap { Int($0) } }

    @Test func anUploadInChunksWithChecksumsEndsWithItsDigest() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let options = try await client.execute(uri: "/api/v1/uploads", method: .options)
            #expect(options.status == .noContent && options.headers[HTTPField.Name("Tus-Extension")!] == Tus.extensions)
            #expect(options.headers[HTTPField.Name("Tus-Max-Size")!] == String(ServerOptions.defaultMaxUploadBytes))
            let t = try await Self.tusser(client, "xa.staff")
            let made = try await Self.create(client, t, length: Self.bytes.count)
            #expect(made.status == .created && made.headers[HTTPField.Name("Tus-Resumable")!] == "1.0.0")
            #expect(made.headers[HTTPField.Name("Upload-Expires")!]?.hasSuffix(" GMT") == true)
            let location = try #require(made.headers[.location])
            #expect(location.wholeMatch(of: /\/api\/v1\/uploads\/[0-9a-f]{32}/) != nil)
            let head = try await client.execute(uri: location, method: .head, headers: t.headers())
            #expect(head.status == .ok && Self.offset(head) == 0 && head.headers[HTTPField.Name("Upload-Length")!] == String(Self.bytes.count))
            #expect(head.headers[.cacheControl] == "no-store")
            let first = try await Self.patch(client, t, location, offset: 0, Self.bytes[0..<100_000], checksum: Self.checksum(Self.bytes[0..<100_000]))
            #expect(first.status == .noContent && Self.offset(first) == 100_000)
            // A chunk whose bytes do not match its checksum: 460, nothing of it kept.
            let bad = try await Self.patch(client, t, location, offset: 100_000, Self.bytes[100_000..<200_000], checksum: Self.checksum([1, 2, 3]))
            #expect(bad.status.code == 460 && bad.text.contains("checksum_mismatch"))
            #expect(Self.offset(try await client.execute(uri: location, method: .head, headers: t.headers())) == 100_000)
            // The wrong offset: 409, saying where to go on.
            let wrong = try await Self.patch(client, t, location, offset: 50, Self.bytes[50..<60])
            #expect(wrong.status == .conflict && wrong.text.contains("100000"))
            let rest = try await Self.patch(client, t, location, offset: 100_000, Self.bytes[100_000...])
            #expect(rest.status == .noContent && Self.offset(rest) == Self.bytes.count)
            #expect(rest.headers[HTTPField.Name("Kho-Sha256")!] == Self.sha(Self.bytes))
            #expect(rest.headers[HTTPField.Name("Kho-Already-In")!] == nil)
            let more = try await Self.patch(client, t, location, offset: Self.bytes.count, [9][...])
            #expect(more.status.code == 413 || more.status == .conflict)
        }
    }

    @Test func sizesVersionsTypesAndTokensAreCheckedBeforeAnyByte() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app(maxUpload: 1000).test(.router) { client in
            let t = try await Self.tusser(client, "xa.staff")
            let big = try await Self.create(client, t, length: 1001)
            #expect(big.status.code == 413 && big.headers[HTTPField.Name("Tus-Resumable")!] == "1.0.0")
            let location = try #require(try await Self.create(client, t, length: 10).headers[.location])
            // Announcing more bytes than are left: refused before the body is read.
            let over = try await client.execute(uri: location, method: .patch, headers: t.headers([
                ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0"), ("Content-Length", "11")]), body: ByteBuffer(bytes: [UInt8](repeating: 1, count: 11)))
            #expect(over.status.code == 413)
            let type = try await client.execute(uri: location, method: .patch, headers: t.headers([("Content-Type", "text/plain"), ("Upload-Offset", "0")]),
                                                body: ByteBuffer(bytes: [1]))
            #expect(type.status.code == 415)
            var old = t.headers([("Upload-Length", "5")])
            old[HTTPField.Name("Tus-Resumable")!] = "0.2.2"
            let version = try await client.execute(uri: "/api/v1/uploads", method: .post, headers: old)
            #expect(version.status == .preconditionFailed && version.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")
            var noVersion = t.headers([("Upload-Length", "5")])
            noVersion[HTTPField.Name("Tus-Resumable")!] = nil
            #expect(try await client.execute(uri: "/api/v1/uploads", method: .post, headers: noVersion).status.code == 400)
            var noToken = t.headers([("Upload-Length", "5")])
            noToken[HTTPField.Name("X-CSRF-Token")!] = nil
            let refused = try await client.execute(uri: "/api/v1/uploads", method: .post, headers: noToken)
            #expect(refused.status == .forbidden && refused.headers[HTTPField.Name("Tus-Resumable")!] == "1.0.0", "the session layer's refusals say tus too")
            var otherSite = t.headers([("Upload-Length", "5"), ("Origin", "https://evil.example")])
            otherSite[.cookie] = "kho_session=\(t.cookie)"
            #expect(try await client.execute(uri: "/api/v1/uploads", method: .post, headers: otherSite).status == .forbidden)
            for junk in ["-1", "1e3", "", "+12", "0x10", "99999999999999999999"] {
                #expect(try await client.execute(uri: "/api/v1/uploads", method: .post, headers: t.headers([("Upload-Length", junk)])).status.code == 400, "\(junk)")
            }
            let badMeta = try await client.execute(uri: "/api/v1/uploads", method: .post, headers: t.headers([("Upload-Length", "5"), ("Upload-Metadata", "filename ***")]))
            #expect(badMeta.status.code == 400)
            let anonymous = try await client.execute(uri: "/api/v1/uploads", method: .post, headers: [HTTPField.Name("Tus-Resumable")!: "1.0.0", HTTPField.Name("Upload-Length")!: "5"])
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func onlyItsOwnerSeesAnUploadAndAuditorsCannotUpload() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try f.addUser("other.staff", role: "staff", unit: "21025")
        try f.addUser("tinh.auditor", role: "auditor", unit: "51")
        try await f.app().test(.router) { client in
            let owner = try await Self.tusser(client, "xa.staff")
            let location = try #require(try await Self.create(client, owner, length: 10).headers[.location])
            let other = try await Self.tusser(client, "other.staff")
            #expect(try await client.execute(uri: location, method: .head, headers: other.headers()).status == .notFound)
            #expect(try await Self.patch(client, other, location, offset: 0, [1, 2][...]).status == .notFound)
            #expect(try await client.execute(uri: location, method: .delete, headers: other.headers()).status == .notFound)
            let auditor = try await Self.tusser(client, "tinh.auditor")
            #expect(try await Self.create(client, auditor, length: 10).status == .forbidden)
            for id in ["../../catalog.sqlite", "0123", String(repeating: "g", count: 32), String(repeating: "A", count: 32)] {
                let r = try await client.execute(uri: "/api/v1/uploads/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", method: .head, headers: owner.headers())
                #expect(r.status == .notFound, "\(id)")
            }
            // Termination: gone for good.
            #expect(try await client.execute(uri: location, method: .delete, headers: owner.headers()).status == .noContent)
            #expect(try await client.execute(uri: location, method: .head, headers: owner.headers()).status == .notFound)
        }
    }

    /// The server goes away between chunks (a new application on the same archive, as after a
    /// restart), with junk past the durable offset as a killed write leaves: the upload goes on
    /// from its recorded offset and its digest is the file's.
    @Test func anUploadGoesOnAfterARestartFromItsDurableOffset() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        let location = try await f.app().test(.router) { client in
            let t = try await Self.tusser(client, "xa.staff")
            let location = try #require(try await Self.create(client, t, length: Self.bytes.count).headers[.location])
            #expect(Self.offset(try await Self.patch(client, t, location, offset: 0, Self.bytes[0..<123_456])) == 123_456)
            return location
        }
        let id = String(location.split(separator: "/").last!)
        let data = "\(f.scratch.path)/archive/tmp/uploads/\(id).data"
        let handle = try #require(FileHandle(forWritingAtPath: data))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0xEE, count: 5000))
        try handle.close()
        try await f.app().test(.router) { client in
            let t = try await Self.tusser(client, "xa.staff")
            let head = try await client.execute(uri: location, method: .head, headers: t.headers())
            #expect(Self.offset(head) == 123_456)
            let rest = try await Self.patch(client, t, location, offset: 123_456, Self.bytes[123_456...])
            #expect(rest.headers[HTTPField.Name("Kho-Sha256")!] == Self.sha(Self.bytes))
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.scratch.path)/archive/tmp/uploads").sorted() == ["\(id).data", "\(id).json"])
            #expect(FileManager.default.contents(atPath: data).map(Array.init) == Self.bytes)
        }
    }

    /// Found by a hostile review: a huge Content-Length once overflowed and stopped the
    /// server; an upload whose bytes vanished told the client the server's paths.
    @Test func hostileHeadersAndDamagedUploadsGetPlainAnswers() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app().test(.router) { client in
            let t = try await Self.tusser(client, "xa.staff")
            let location = try #require(try await Self.create(client, t, length: 10).headers[.location])
            // (The router test client sends the body's own length; a raw socket test sends a huge one.)
            for (offset, expected) in [("1", 409)] {
                let r = try await client.execute(uri: location, method: .patch, headers: t.headers([
                    ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", offset), ("Content-Length", "9223372036854775807")]),
                    body: ByteBuffer(bytes: [1]))
                #expect(r.status.code == expected, "offset \(offset)")
            }
            let suffixed = try await client.execute(uri: location, method: .patch, headers: t.headers([
                ("Content-Type", "application/offset+octet-streamXYZ"), ("Upload-Offset", "0")]), body: ByteBuffer(bytes: [1]))
            #expect(suffixed.status.code == 415)
            #expect(Self.offset(try await Self.patch(client, t, location, offset: 0, Self.bytes[0..<4])) == 4, "still serving")
            let id = String(location.split(separator: "/").last!)
            try FileManager.default.removeItem(atPath: "\(f.scratch.path)/archive/tmp/uploads/\(id).data")
            let gone = try await Self.patch(client, t, location, offset: 4, Self.bytes[4..<6])
            #expect(gone.status == .notFound && !gone.text.contains("/tmp") && !gone.text.contains(f.scratch.path))
            // Fewer bytes on disk than the record says (damaged): refused and never padded with
            // zeros (the chunk's digest, kept in memory, would then name other bytes).
            let short = try #require(try await Self.create(client, t, length: 10).headers[.location])
            #expect(Self.offset(try await Self.patch(client, t, short, offset: 0, Self.bytes[0..<6])) == 6)
            let shortData = "\(f.scratch.path)/archive/tmp/uploads/\(short.split(separator: "/").last!).data"
            let handle = try #require(FileHandle(forWritingAtPath: shortData))
            try handle.truncate(atOffset: 2)
            try handle.close()
            let refused = try await Self.patch(client, t, short, offset: 6, Self.bytes[6..<10])
            #expect(refused.status == .notFound && refused.text.contains("start it again"), "\(refused.status) \(refused.text)")
            #expect(try FileManager.default.attributesOfItem(atPath: shortData)[.size] as? Int == 2, "not padded with zeros")
            // An empty file is complete at once, with the digest of nothing.
            let empty = try #require(try await Self.create(client, t, length: 0).headers[.location])
            let head = try await client.execute(uri: empty, method: .head, headers: t.headers())
            #expect(head.headers[HTTPField.Name("Kho-Sha256")!] == Self.sha([UInt8]()))
        }
        // Cleaning up spares bytes whose record is being written (young), and removes old orphans.
        let area = f.session.archive.makeUploadArea()
        let folder = "\(f.scratch.path)/archive/tmp/uploads"
        let orphan = "\(folder)/\(String(repeating: "ab", count: 16)).data"
        FileManager.default.createFile(atPath: orphan, contents: Data([1]))
        let now = try #require(f.hand.clock.now().epochSeconds)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: now)], ofItemAtPath: orphan)
        area.removeExpired(now: now)
        #expect(FileManager.default.fileExists(atPath: orphan))
        area.removeExpired(now: now + 7200)
        #expect(!FileManager.default.fileExists(atPath: orphan))
        let mode = try FileManager.default.attributesOfItem(atPath: try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".json") }).map { "\(folder)/\($0)" }!)[.posixPermissions] as? Int
        #expect(mode == 0o600, "records are the server's alone")
    }

    @Test func unfinishedUploadsExpire() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try await f.app(idle: 30 * 86_400, absolute: 30 * 86_400).test(.router) { client in
            let t = try await Self.tusser(client, "xa.staff")
            let location = try #require(try await Self.create(client, t, length: 100).headers[.location])
            #expect(Self.offset(try await Self.patch(client, t, location, offset: 0, Self.bytes[0..<10])) == 10)
            f.hand.advance(6 * 86_400)
            // A chunk moves the expiry on: a week from the last chunk, not from the start.
            #expect(Self.offset(try await Self.patch(client, t, location, offset: 10, Self.bytes[10..<20])) == 20)
            f.hand.advance(6 * 86_400)
            #expect(try await client.execute(uri: location, method: .head, headers: t.headers()).status == .ok)
            f.hand.advance(1.5 * 86_400)
            let gone = try await client.execute(uri: location, method: .head, headers: t.headers())
            #expect(gone.status == .notFound)
        }
        let removed = f.session.archive.makeUploadArea().removeExpired(now: f.hand.clock.now().epochSeconds!)
        #expect(removed == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.scratch.path)/archive/tmp/uploads").isEmpty)
    }

    /// Bytes already in a product: the upload says which, among the products the user may see.
    @Test func bytesAlreadyInTheArchiveAreNamed() async throws {
        let f = try ServerFixture()
        try f.addUser("xa.staff", role: "staff", unit: "21025")
        try f.addUser("hanoi.staff", role: "staff", unit: "01")
        let file = HostPath(f.scratch.file("co-san.bin", bytes: Self.bytes))
        let input = ProductInput(title: "Đã có", kind: "radio_report", languages: ["vi"], unit: "21025", published: "2025-09-01")
        let id = try Ingest(metadata: input, files: [file], jobs: 1).run(in: f.session).product.id
        try await f.app().test(.router) { client in
            for (user, expected) in [("xa.staff", id), ("hanoi.staff", nil)] {
                let t = try await Self.tusser(client, user)
                let location = try #require(try await Self.create(client, t, length: Self.bytes.count).headers[.location])
                let done = try await Self.patch(client, t, location, offset: 0, Self.bytes[...])
                #expect(done.headers[HTTPField.Name("Kho-Already-In")!] == expected, "\(user)")
            }
        }
    }
}
