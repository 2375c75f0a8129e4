// OAI-PMH 2.0 at /oai: every verb and every error condition, every response valid against the
// official schemas (xmllint), selective harvesting by date and set against a hand-made office
// whose products changed at known seconds, deleted records (restricted, withdrawn), internal
// products for an exporter's token only, and tokens that survive a restart and refuse forgery.
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

@Suite struct OAITests {
    static let token = "exporter-token-for-the-oai-tests-0123456789"

    /// The office, changed at known seconds after 2026-03-02T01:00:00Z (t0):
    /// t0     "Tờ rơi Kon Tum"   public, old commune 23281 (now province 51), leaflet, vi; restricted at t0+3840
    /// t0+60  "Bài Cẩm Thành"    public, commune 21025 of province 51, article, vi and hmn
    /// t0+120 "Nội bộ Cẩm Thành" internal, 21025, leaflet, vi
    /// t0+180 "Mật Cẩm Thành"    restricted from the start, 21025
    /// t0+240 "Ảnh Ba Đình"      public, 00004 of province 01, photo, en; withdrawn at t0+3900
    static func office() throws -> (ServerFixture, [String: String]) {
        let f = try ServerFixture()
        var ids: [String: String] = [:]
        func register(_ title: String, kind: String, languages: [String], unit: String, produced: String, access: String? = nil) throws {
            let input = ProductInput(title: title, kind: kind, languages: languages, unit: unit, produced: produced, access: access)
            ids[title] = try Register(metadata: input, carrier: .paper).run(in: f.session).product.id
            f.hand.advance(60)
        }
        try register("Tờ rơi Kon Tum", kind: "leaflet", languages: ["vi"], unit: "23281", produced: "2024-05-01")
        try register("Bài Cẩm Thành", kind: "article", languages: ["vi", "hmn"], unit: "21025", produced: "2025-09-01")
        try register("Nội bộ Cẩm Thành", kind: "leaflet", languages: ["vi"], unit: "21025", produced: "2025-09-02", access: "internal")
        try register("Mật Cẩm Thành", kind: "leaflet", languages: ["vi"], unit: "21025", produced: "2025-09-03", access: "restricted")
        try register("Ảnh Ba Đình", kind: "photo", languages: ["en"], unit: "00004", produced: "2025-08-01")
        f.hand.advance(3540)  // t0+3840
        _ = try Edit(id: try ProductID.parse(ids["Tờ rơi Kon Tum"]!).get(), changes: ProductInput(access: "restricted")).run(in: f.session)
        f.hand.advance(60)  // t0+3900
        _ = try Withdraw(id: try ProductID.parse(ids["Ảnh Ba Đình"]!).get(), reason: "ảnh trùng").run(in: f.session)
        f.hand.advance(100)
        return (f, ids)
    }

    static func headers(_ xml: String) -> [(id: String, datestamp: String, deleted: Bool)] {
        xml.matches(of: /<header( status="deleted")?><identifier>oai:kho.localdomain:([^<]+)<\/identifier><datestamp>([^<]+)<\/datestamp>/)
            .map { (String($0.2), String($0.3), $0.1 != nil) }
    }

    /// GET /oai?QUERY, checked to be OAI-PMH XML valid against the schemas.
    static func get(_ client: some TestClientProtocol, _ query: String, schemas: OAISchemas?, bearer: Bool = false,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        var fields: HTTPFields = [:]
        if bearer { fields[.authorization] = "Bearer \(token)" }
        let r = try await client.execute(uri: "/oai?\(query)", method: .get, headers: fields)
        #expect(r.status == .ok && r.headers[.contentType] == "text/xml; charset=UTF-8", "\(query): \(r.status)", sourceLocation: sourceLocation)
        if let schemas, let problems = schemas.problems(r.text) {
            Issue.record("\(query) is not valid OAI-PMH: \(problems)\n\(r.text)", sourceLocation: sourceLocation)
        }
        return r.text
    }

    static func errorCode(_ xml: String) -> String? { xml.firstMatch(of: /<error code="([a-zA-Z]+)">/).map { String($0.1) } }

    @Test func identifyFormatsAndSets() async throws {
        let (f, _) = try Self.office()
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        try await f.app().test(.router) { client in
            let identify = try await Self.get(client, "verb=Identify", schemas: schemas)
            // The oldest datestamp now: the first product changed since (restricted at t0+3840).
            #expect(identify.contains("<earliestDatestamp>2026-03-02T01:01:00Z</earliestDatestamp>"))
            #expect(identify.contains("<deletedRecord>persistent</deletedRecord>") && identify.contains("<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"))
            #expect(identify.contains("<request verb=\"Identify\">http://127.0.0.1:8080/oai</request>"))
            let formats = try await Self.get(client, "verb=ListMetadataFormats", schemas: schemas)
            #expect(formats.contains("<metadataPrefix>oai_dc</metadataPrefix>") && formats.contains("<metadataPrefix>kho</metadataPrefix>"))
            let xsd = try await client.execute(uri: "/oai/kho-product.xsd", method: .get)
            #expect(xsd.status == .ok && xsd.text == KhoRecord.schema)
            // Sets: units (a province and its communes), kinds, the languages in use; paged by 100.
            var specs: [String] = []
            var query = "verb=ListSets"
            while true {
                let page = try await Self.get(client, query, schemas: schemas)
                specs += page.matches(of: /<setSpec>([^<]+)<\/setSpec>/).map { String($0.1) }
                guard let token = page.firstMatch(of: /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/) else { break }
                query = "verb=ListSets&resumptionToken=\(token.1)"
            }
            #expect(specs.count == Set(specs).count && specs.count > 3000)
            for spec in ["unit", "unit:51", "unit:51:21025", "unit:01:00004", "kind", "kind:leaflet", "lang", "lang:vi", "lang:hmn", "lang:en"] {
                #expect(specs.contains(spec), "\(spec)")
            }
            #expect(!specs.contains("unit:62"), "an old province is no set of its own: its products are in the province it merged into")
        }
    }

    @Test func anyoneHarvestsPublicRecordsAndDeletionsButNeverRestrictedTitles() async throws {
        let (f, ids) = try Self.office()
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        try await f.app().test(.router) { client in
            for prefix in ["oai_dc", "kho"] {
                let all = try await Self.get(client, "verb=ListRecords&metadataPrefix=\(prefix)", schemas: schemas)
                let seen = Self.headers(all)
                #expect(seen.map(\.id) == [ids["Bài Cẩm Thành"]!, ids["Tờ rơi Kon Tum"]!, ids["Ảnh Ba Đình"]!], "in the order of change")
                #expect(seen.map(\.deleted) == [false, true, true])
                #expect(seen.map(\.datestamp) == ["2026-03-02T01:01:00Z", "2026-03-02T02:04:00Z", "2026-03-02T02:05:00Z"])
                #expect(all.contains("Bài Cẩm Thành"))
                for hidden in ["Tờ rơi Kon Tum", "Nội bộ", "Mật", "Ảnh Ba Đình"] { #expect(!all.contains(hidden), "\(prefix): \(hidden)") }
                #expect(!all.contains(ids["Mật Cẩm Thành"]!) && !all.contains(ids["Nội bộ Cẩm Thành"]!))
            }
            let dc = try await Self.get(client, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kho.localdomain:\(ids["Bài Cẩm Thành"]!)", schemas: schemas)
            #expect(dc.contains("<dc:identifier>http://127.0.0.1:8080/products/\(ids["Bài Cẩm Thành"]!)</dc:identifier>"))
            #expect(dc.contains("<setSpec>unit:51:21025</setSpec>") && dc.contains("<setSpec>lang:hmn</setSpec>"))
            let kho = try await Self.get(client, "verb=GetRecord&metadataPrefix=kho&identifier=oai:kho.localdomain:\(ids["Bài Cẩm Thành"]!)", schemas: schemas)
            #expect(kho.contains("<kho:unit code=\"21025\" era=\"from_2025\"") && kho.contains("<kho:provinceToday code=\"51\""))
            // A restricted product's record is a deleted header: no metadata, no sets, no title.
            let gone = try await Self.get(client, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kho.localdomain:\(ids["Tờ rơi Kon Tum"]!)", schemas: schemas)
            #expect(gone.contains("<header status=\"deleted\">") && !gone.contains("<metadata>") && !gone.contains("<setSpec>") && !gone.contains("Kon Tum"))
            // Never shown to anyone: as if it did not exist.
            for title in ["Mật Cẩm Thành", "Nội bộ Cẩm Thành"] {
                let none = try await Self.get(client, "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:kho.localdomain:\(ids[title]!)", schemas: schemas)
                #expect(Self.errorCode(none) == "idDoesNotExist")
                let formats = try await Self.get(client, "verb=ListMetadataFormats&identifier=oai:kho.localdomain:\(ids[title]!)", schemas: schemas)
                #expect(Self.errorCode(formats) == "idDoesNotExist")
            }
            let formats = try await Self.get(client, "verb=ListMetadataFormats&identifier=oai:kho.localdomain:\(ids["Bài Cẩm Thành"]!)", schemas: schemas)
            #expect(formats.contains("<metadataPrefix>kho</metadataPrefix>"), "every record has every format: noMetadataFormats never applies")
        }
    }

    @Test func anExportersTokenAlsoGetsInternalProductsOfItsScope() async throws {
        let (f, ids) = try Self.office()
        try f.addUser("may.xuat", role: "exporter", unit: "51")
        _ = try MakeToken(user: "may.xuat", token: Self.token, days: 30, label: "").run(in: f.session)
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        try await f.app().test(.router) { client in
            let all = try await Self.get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", schemas: schemas, bearer: true)
            let seen = Self.headers(all)
            #expect(seen.map(\.id) == [ids["Bài Cẩm Thành"]!, ids["Nội bộ Cẩm Thành"]!, ids["Tờ rơi Kon Tum"]!, ids["Ảnh Ba Đình"]!])
            #expect(seen.map(\.deleted) == [false, false, true, true])
            let record = try await Self.get(client, "verb=GetRecord&metadataPrefix=kho&identifier=oai:kho.localdomain:\(ids["Nội bộ Cẩm Thành"]!)",
                                            schemas: schemas, bearer: true)
            #expect(record.contains("<kho:access>internal</kho:access>"))
            #expect(!all.contains(ids["Mật Cẩm Thành"]!))
            // The same request without the token: the internal product is not there.
            let anyone = try await Self.get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", schemas: schemas)
            #expect(!anyone.contains(ids["Nội bộ Cẩm Thành"]!))
            // A bad token is refused, not taken as anyone.
            let bad = try await client.execute(uri: "/oai?verb=Identify", method: .get, headers: [.authorization: "Bearer not-a-real-token-of-this-archive-000000"])
            #expect(bad.status == .unauthorized)
        }
    }

    /// Selective harvesting, counted by hand from the office above. The two deleted records
    /// answer every set: whether one is in a set would tell its unit, kind or languages.
    @Test func fromUntilAndSetsSelectExactly() async throws {
        let (f, ids) = try Self.office()
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        let (kontum, bai, anh) = (ids["Tờ rơi Kon Tum"]!, ids["Bài Cẩm Thành"]!, ids["Ảnh Ba Đình"]!)
        let cases: [(String, [String])] = [
            ("from=2026-03-02T02:04:00Z", [kontum, anh]),
            ("from=2026-03-02T02:04:01Z", [anh]),
            ("until=2026-03-02T01:01:00Z", [bai]),
            ("until=2026-03-02T01:00:59Z", []),
            ("from=2026-03-02T01:01:00Z&until=2026-03-02T01:01:00Z", [bai]),
            ("from=2026-03-02&until=2026-03-02", [bai, kontum, anh]),
            ("from=2026-03-03", []),
            ("until=2026-03-01", []),
            ("from=0001-01-01&until=9999-12-31", [bai, kontum, anh]),
            ("from=0001-01-01T00:00:00Z&until=9999-12-31T23:59:59Z", [bai, kontum, anh]),
            ("until=9999-12-31", [bai, kontum, anh]),
            ("set=unit:51", [bai, kontum, anh]),
            ("set=unit:51:21025", [bai, kontum, anh]),
            ("set=unit:01", [kontum, anh]),
            ("set=unit", [bai, kontum, anh]),
            ("set=kind:leaflet", [kontum, anh]),
            ("set=kind:photo", [kontum, anh]),
            ("set=kind:article", [bai, kontum, anh]),
            ("set=lang:hmn", [bai, kontum, anh]),
            ("set=lang:fr", [kontum, anh]),
            ("set=lang:vi&from=2026-03-02T02:00:00Z", [kontum, anh]),
            ("set=unit:51&until=2026-03-02T02:03:59Z", [bai]),
            ("set=unit:01&until=2026-03-02T02:03:59Z", []),
        ]
        try await f.app().test(.router) { client in
            for (query, expected) in cases {
                let xml = try await Self.get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc&\(query)", schemas: schemas)
                if expected.isEmpty {
                    #expect(Self.errorCode(xml) == "noRecordsMatch", "\(query)")
                } else {
                    #expect(Self.headers(xml).map(\.id) == expected, "\(query)")
                }
            }
        }
    }

    @Test func everyErrorCondition() async throws {
        let (f, ids) = try Self.office()
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        let id = "oai:kho.localdomain:\(ids["Bài Cẩm Thành"]!)"
        let cases: [(String, String)] = [
            ("", "badVerb"),
            ("verb=Frobnicate", "badVerb"),
            ("verb=Identify&verb=Identify", "badVerb"),
            ("verb=Identify&extra=1", "badArgument"),
            ("verb=ListRecords", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=kho", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-03-02T01:00:00", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-03-02&until=2026-03-02T05:00:00Z", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-03-03&until=2026-03-02", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&set=unit::51", "badArgument"),
            ("verb=ListIdentifiers&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
            ("verb=GetRecord&identifier=\(id)", "badArgument"),
            ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
            ("verb=ListSets&set=unit", "badArgument"),
            ("verb=ListRecords&resumptionToken=abc", "badResumptionToken"),
            ("verb=ListSets&resumptionToken=abc.def", "badResumptionToken"),
            ("verb=GetRecord&identifier=\(id)&metadataPrefix=marc21", "cannotDisseminateFormat"),
            ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
            ("verb=GetRecord&identifier=oai:other.example.org:\(ids["Bài Cẩm Thành"]!)&metadataPrefix=oai_dc", "idDoesNotExist"),
            ("verb=GetRecord&identifier=oai:kho.localdomain:7K3Q-X9M2-PD4R-8WTR&metadataPrefix=oai_dc", "idDoesNotExist"),
            ("verb=ListMetadataFormats&identifier=nonsense", "idDoesNotExist"),
            ("verb=ListRecords&metadataPrefix=oai_dc&set=unit:99", "noRecordsMatch"),
            ("verb=ListRecords&metadataPrefix=oai_dc&set=kind:skit&until=2026-03-02T02:00:00Z", "noRecordsMatch"),
            ("verb=ListRecords&metadataPrefix=", "badArgument"),
            ("verb=GetRecord&identifier=\(id)&metadataPrefix=oai%20dc", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-30", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&until=10000-01-01", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=0000-01-01", "badArgument"),
        ]
        try await f.app().test(.router) { client in
            for (query, code) in cases {
                let xml = try await Self.get(client, query, schemas: schemas)
                #expect(Self.errorCode(xml) == code, "\(query): \(xml)")
                // The request is echoed with its arguments, except when the verb or arguments are bad.
                let echoed = xml.contains("<request verb=")
                #expect(echoed == !["badVerb", "badArgument"].contains(code), "\(query)")
            }
            // POST, form-encoded, answers as GET does.
            let post = try await client.execute(uri: "/oai", method: .post, headers: formType,
                                                body: ByteBuffer(string: "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(id)"))
            #expect(post.status == .ok && post.text.contains("<GetRecord>") && post.text.contains("Bài Cẩm Thành"))
            let json = try await client.execute(uri: "/oai", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(json.status == .unsupportedMediaType)
        }
    }

    /// Characters XML 1.0 has no place for (controls, U+FFFE, U+FFFF) never make a response
    /// that a harvester cannot parse, wherever they come from.
    @Test func whatXMLCannotHoldIsNeverSent() async throws {
        let f = try ServerFixture()
        let input = ProductInput(title: "Tờ rơi \u{FFFE}\u{FFFF} lạ", kind: "leaflet", languages: ["vi"], unit: "21025", produced: "2025-09-01",
                                 description: "mô tả \u{FFFF}")
        _ = try Register(metadata: input, carrier: .paper).run(in: f.session)
        let schemas = OAISchemas.load(kho: KhoRecord.schema)
        try await f.app().test(.router) { client in
            for query in ["verb=ListRecords&metadataPrefix=oai_dc", "verb=ListRecords&metadataPrefix=kho", "verb=%EF%BF%BE",
                          "verb=GetRecord&metadataPrefix=oai_dc&identifier=%EF%BF%BF", "verb=Identify&x=%01%EF%BF%BE"] {
                let xml = try await Self.get(client, query, schemas: schemas)
                #expect(!xml.unicodeScalars.contains { $0.value == 0xFFFE || $0.value == 0xFFFF || $0.value == 1 }, "\(query)")
            }
        }
    }
}
