// OAI-PMH lists in pages: resumption tokens carry the query and a keyset cursor, count and
// position; they keep working after a restart (a new server on the same archive), and a
// forged, altered, expired or misused token is badResumptionToken.
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
import Logging
import Testing

@Suite struct OAIPagingTests {
    /// 25 public products: in threes at the same second (ties are ordered by row), then one a second.
    static func archive() throws -> (ServerFixture, [String]) {
        let f = try ServerFixture()
        var ids: [String] = []
        for i in 0..<25 {
            let input = ProductInput(title: "Tờ rơi số \(i)", kind: "leaflet", languages: ["vi"], unit: "21025", produced: "2025-09-01")
            ids.append(try Register(metadata: input, carrier: .paper).run(in: f.session).product.id)
            if i % 3 == 2 || i > 12 { f.hand.advance(1) }
        }
        // Ten records a page, from the archive's config.
        FileManager.default.createFile(atPath: "\(f.scratch.path)/archive/kho-config.json", contents: Data(#"{"oai": {"pageSize": 10}}"#.utf8))
        return (f, ids)
    }

    /// A server on its own session of the fixture's archive (a fresh start: nothing in memory).
    static func restarted(_ f: ServerFixture) throws -> some ApplicationProtocol {
        let environment = ArchiveEnvironment(clock: f.hand.clock, ids: .seeded(8), lockTimeout: 5)
        let session = try ArchiveLocation(path: HostPath("\(f.scratch.path)/archive"), isDefault: false)
            .open(for: Actor(agent: "kho test"), environment: environment).session
        var logger = Logger(label: "kho.test")
        logger.logLevel = .error
        return try makeApplication(session, options: ServerOptions(hashing: ServerFixture.hashing), logger: logger)
    }

    static func token(_ xml: String) -> (token: String, size: String, cursor: String)? {
        xml.firstMatch(of: /<resumptionToken[^>]*completeListSize="(\d+)" cursor="(\d+)">([^<]*)<\/resumptionToken>/)
            .map { (String($0.3), String($0.1), String($0.2)) }
    }

    @Test func aHarvestGoesOnAcrossARestartAndSeesEveryRecordOnce() async throws {
        let (f, ids) = try Self.archive()
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        let (firstIDs, firstToken) = try await Self.restarted(f).test(.router) { client in
            let first = try await OAITests.get(client, "verb=ListRecords&metadataPrefix=oai_dc", schemas: schemas)
            let t = try #require(Self.token(first))
            #expect(t.size == "25" && t.cursor == "0" && !t.token.isEmpty)
            #expect(first.contains("expirationDate=\""))
            return (OAITests.headers(first).map(\.id), t.token)
        }
        // Another server process over the same archive: the token still works.
        let rest = try await Self.restarted(f).test(.router) { client in
            var seen: [String] = []
            var next: String? = firstToken
            var cursors: [String] = []
            while let token = next {
                let page = try await OAITests.get(client, "verb=ListRecords&resumptionToken=\(token)", schemas: schemas)
                seen += OAITests.headers(page).map(\.id)
                let t = try #require(Self.token(page))
                cursors.append(t.cursor)
                #expect(t.size == "25")
                next = t.token.isEmpty ? nil : t.token
            }
            #expect(cursors == ["10", "20"])
            return seen
        }
        #expect(firstIDs + rest == ids, "every record once, in the order of change (ties by row)")
    }

    @Test func forgedAlteredExpiredOrMisusedTokensAreRefused() async throws {
        let (f, _) = try Self.archive()
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        try await Self.restarted(f).test(.router) { client in
            let first = try await OAITests.get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", schemas: schemas)
            let token = try #require(Self.token(first)?.token)
            // One character of the payload changed: the signature no longer matches.
            var bytes = Array(token.utf8)
            bytes[3] = bytes[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let altered = String(decoding: bytes, as: UTF8.self)
            for (verb, given) in [("ListIdentifiers", altered), ("ListRecords", token), ("ListSets", token), ("ListIdentifiers", "1|i|oai_dc")] {
                let xml = try await OAITests.get(client, "verb=\(verb)&resumptionToken=\(given)", schemas: schemas)
                #expect(OAITests.errorCode(xml) == "badResumptionToken", "\(verb) \(given)")
            }
            #expect(OAITests.errorCode(try await OAITests.get(client, "verb=ListIdentifiers&resumptionToken=\(token)", schemas: schemas)) == nil)
            // Thirty days later it has expired.
            f.hand.advance(31 * 86400)
            let late = try await OAITests.get(client, "verb=ListIdentifiers&resumptionToken=\(token)", schemas: schemas)
            #expect(OAITests.errorCode(late) == "badResumptionToken" && late.contains("expired"))
        }
        // Another archive's token (another key) is not taken either.
        let (g, _) = try Self.archive()
        let foreign = try await Self.restarted(g).test(.router) { client in
            Self.token(try await OAITests.get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", schemas: schemas))?.token ?? ""
        }
        try await Self.restarted(f).test(.router) { client in
            let xml = try await OAITests.get(client, "verb=ListIdentifiers&resumptionToken=\(foreign)", schemas: schemas)
            #expect(OAITests.errorCode(xml) == "badResumptionToken")
        }
    }

    /// A datestamp moves whenever what a harvester receives changes: files, metadata, access.
    @Test func datestampsFollowEveryChangeAHarvesterWouldSee() async throws {
        let f = try ServerFixture()
        let input = ProductInput(title: "Tờ rơi", kind: "leaflet", languages: ["vi"], unit: "21025", produced: "2025-09-01")
        let id = try ProductID.parse(try Register(metadata: input, carrier: .paper).run(in: f.session).product.id).get()
        let file = "\(f.scratch.path)/scan.pdf"
        FileManager.default.createFile(atPath: file, contents: Data("%PDF-1.4 bản quét".utf8))
        let changes: [(String, () throws -> Void)] = [
            ("a file", { _ = try Attach(id: id, files: [HostPath(file)]).run(in: f.session) }),
            ("the title", { _ = try Edit(id: id, changes: ProductInput(title: "Tờ rơi (bản mới)")).run(in: f.session) }),
            ("the access", { _ = try Edit(id: id, changes: ProductInput(access: "internal")).run(in: f.session) }),
        ]
        var stamps = [try await Self.datestamp(f, id)]
        for (what, change) in changes {
            f.hand.advance(10)
            try change()
            stamps.append(try await Self.datestamp(f, id))
            #expect(stamps[stamps.count - 1] != stamps[stamps.count - 2], "\(what) did not move the datestamp")
        }
        // Internal now: anyone is told it is deleted, with the datestamp of that change.
        #expect(stamps.last == "2026-03-02T01:00:30Z")
    }

    static func datestamp(_ f: ServerFixture, _ id: ProductID) async throws -> String {
        try await f.app().test(.router) { client in
            let xml = try await OAITests.get(client, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kho.localdomain:\(id)", schemas: nil)
            return OAITests.headers(xml).first?.datestamp ?? ""
        }
    }

    /// A list's size is counted once per state of the catalog: asked again unchanged it is the
    /// same, and one more product makes it one more.
    @Test func aListsSizeFollowsTheCatalog() async throws {
        let (f, _) = try Self.archive()
        try await Self.restarted(f).test(.router) { client in
            for _ in 0..<2 {
                let xml = try await OAITests.get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", schemas: nil)
                #expect(Self.token(xml)?.size == "25")
            }
            let input = ProductInput(title: "Thêm một", kind: "leaflet", languages: ["vi"], unit: "21025", produced: "2025-09-01")
            _ = try Register(metadata: input, carrier: .paper).run(in: f.session)
            let xml = try await OAITests.get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", schemas: nil)
            #expect(Self.token(xml)?.size == "26")
        }
    }

    /// The download address a `kho` record gives for a file works for an exporter's token of
    /// the product's scope, not for anyone and not for another province's exporter.
    @Test func aKhoRecordsDownloadAddressServesTheFileToItsExporter() async throws {
        let f = try ServerFixture()
        let file = "\(f.scratch.path)/scan.pdf"
        FileManager.default.createFile(atPath: file, contents: Data("%PDF-1.4 bản quét tờ rơi".utf8))
        let input = ProductInput(title: "Tờ rơi có bản quét", kind: "leaflet", languages: ["vi"], unit: "21025", produced: "2025-09-01")
        let id = try Ingest(metadata: input, files: [HostPath(file)]).run(in: f.session).product.id
        try f.addUser("may.tinh", role: "exporter", unit: "51")
        try f.addUser("may.hanoi", role: "exporter", unit: "01")
        _ = try MakeToken(user: "may.tinh", token: OAITests.token, days: 30, label: "").run(in: f.session)
        let other = "exporter-of-another-province-0123456789abcd"
        _ = try MakeToken(user: "may.hanoi", token: other, days: 30, label: "").run(in: f.session)
        try await f.app().test(.router) { client in
            let record = try await OAITests.get(client, "verb=GetRecord&metadataPrefix=kho&identifier=oai:kho.localdomain:\(id)", schemas: nil)
            let url = try #require(record.firstMatch(of: /url="http:\/\/127\.0\.0\.1:8080([^"]+)"/).map { String($0.1) })
            #expect(url == "/api/v1/products/\(id)/files/1")
            let got = try await client.execute(uri: url, method: .get, headers: [.authorization: "Bearer \(OAITests.token)"])
            #expect(got.status == .ok && got.bytes == Array("%PDF-1.4 bản quét tờ rơi".utf8))
            #expect(try await client.execute(uri: url, method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: url, method: .get, headers: [.authorization: "Bearer \(other)"]).status == .notFound)
        }
    }
}
