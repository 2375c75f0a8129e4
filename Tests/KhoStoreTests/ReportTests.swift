import Foundation
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

/// Nine products, counted by hand (dates are reference dates: publication, else production):
///
/// | # | unit (table)              | date          | channels            | languages | digitized | notes                        |
/// |---|---------------------------|---------------|---------------------|-----------|-----------|------------------------------|
/// | 1 | 23281 old Quang Trung, KT | 2024-03-10    | facebook, youtube   | vi        | yes       | two digital channels         |
/// | 2 | 23284 old Duy Tân, KT     | 2024-05-01 P  | loudspeaker         | vi        | no        | produced only; restricted    |
/// | 3 | 23293 new Phường Kon Tum  | 2025-09-02    | radio               | bdq       | no        | minority language            |
/// | 4 | 23284 new Đăk Cấm         | 2025-12-31    | —                   | en        | yes       | foreign; last day of 2025    |
/// | 5 | 00004 old Trúc Bạch, HN   | 2024-06-30    | web_portal          | vi        | yes       | last day of 2024-H1          |
/// | 6 | 00004 new Ba Đình, HN     | 2025-07-01    | print_press         | vi        | no        | first day of the new table   |
/// | 7 | 62 old province Kon Tum   | 2024-12-01    | —                   | vi        | yes       | province office              |
/// | 8 | 23293 new Phường Kon Tum  | none          | —                   | vi        | no        | undated                      |
/// | 9 | 51 new province Quảng Ngãi| 2026-01-01    | —                   | vi        | yes       |                              |
///
/// Kon Tum (62) merged into Quảng Ngãi (51) on 1 July 2025; old 23281 became new 23293 and
/// old 23284 became the new 23284 (same code, another unit).
struct ReportFixture {
    let scratch = Scratch()
    let archive: Archive
    var ids: [Int: ProductID] = [:]

    init() throws {
        archive = try scratch.archive()
        func input(_ title: String, unit: String, produced: String? = nil, published: String? = nil, channels: [String] = [],
                   languages: [String] = ["vi"], access: String? = nil) throws -> ProductMetadata {
            try ProductValidator().validate(ProductInput(title: title, kind: "article", languages: languages, unit: unit, produced: produced,
                                                         published: published, channels: channels, access: access)).get().value
        }
        func ingest(_ n: Int, _ m: ProductMetadata) throws {
            ids[n] = try archive.ingest(m, files: [scratch.hostFile("f\(n).txt", "product \(n)")]).product.id
        }
        func register(_ n: Int, _ m: ProductMetadata) throws { ids[n] = try archive.register(m, carrier: .paper).product.id }
        try ingest(1, input("Một", unit: "23281", published: "2024-03-10", channels: ["facebook", "youtube"]))
        try register(2, input("Hai mật", unit: "23284", produced: "2024-05-01", channels: ["loudspeaker"], access: "restricted"))
        try register(3, input("Ba", unit: "23293", published: "2025-09-02", channels: ["radio"], languages: ["bdq"]))
        try ingest(4, input("Bốn", unit: "23284", published: "2025-12-31", languages: ["en"]))
        try ingest(5, input("Năm", unit: "00004", published: "2024-06-30", channels: ["web_portal"]))
        try register(6, input("Sáu", unit: "00004", published: "2025-07-01", channels: ["print_press"]))
        try ingest(7, input("Bảy", unit: "62", published: "2024-12-01"))
        try register(8, input("Tám", unit: "23293"))
        try ingest(9, input("Chín", unit: "51", published: "2026-01-01"))
    }

    func report(_ unit: String? = nil, _ period: String, by: BreakdownKind? = nil, era: AdminUnit.Era? = nil,
                showRestricted: Bool = false) throws -> Report {
        try archive.report(ReportRequest(unitCode: unit, unitEra: era, period: Period.parse(period).get(), breakdown: by,
                                         showRestricted: showRestricted))
    }
}

@Suite struct ReportTests {
    @Test func everyIndicatorCountedByHand() throws {
        let f = try ReportFixture()
        let r = try f.report(nil, "2024")
        #expect(r.counts == Counts(total: 4, digitized: 3, digitalPlatform: 2, diversified: 2))  // 1, 2, 5, 7
        let byKey = Dictionary(uniqueKeysWithValues: r.indicators.map { ($0.key, $0) })
        #expect(byKey[.digitized]?.share == 0.75)
        #expect(byKey[.digitized]?.status == .behind)
        #expect(byKey[.digitalPlatform]?.share == 0.5)
        #expect(byKey[.digitalPlatform]?.status == .beyond)
        let r25 = try f.report(nil, "2025")
        // 3 (minority), 4 (foreign), 6 (print): none digital, two diversified.
        #expect(r25.counts == Counts(total: 3, digitized: 1, digitalPlatform: 0, diversified: 2))
        #expect(r25.indicators.first { $0.key == .digitalPlatform }?.status == .behind)
    }

    @Test func everyPeriodFormWithInclusiveBounds() throws {
        let f = try ReportFixture()
        #expect(try f.report(nil, "2024-H1").counts.total == 3)           // 1, 2, 5 (30 June included)
        #expect(try f.report(nil, "2024-H2").counts.total == 1)           // 7
        #expect(try f.report(nil, "2024-Q2").counts.total == 2)           // 2, 5
        #expect(try f.report(nil, "2024-03").counts.total == 1)           // 1
        #expect(try f.report(nil, "2025-07-01..2025-07-01").counts.total == 1)  // 6
        #expect(try f.report(nil, "2025-09-02..2025-12-31").counts.total == 2)  // 3, 4: both bounds included
        #expect(try f.report(nil, "human-rights-day-2025").counts.total == 1)   // 4 (30 Nov–31 Dec)
        #expect(try f.report(nil, "2026").counts.total == 1)              // 9
    }

    @Test func reorganisationRollsOldUnitsIntoToday() throws {
        let f = try ReportFixture()
        // Quảng Ngãi today takes in Kon Tum's products of 2024: 1, 2 and the province office's 7.
        let qn2024 = try f.report("51", "2024", by: .unit, era: .from2025)
        #expect(qn2024.counts == Counts(total: 3, digitized: 2, digitalPlatform: 1, diversified: 1))
        // The note says so in each language the report is written in.
        let note = try #require(qn2024.notes.first { $0.english.contains("Kon Tum") })
        #expect(note.english.hasPrefix("Before 1 July 2025 this report counts the products of the units that became part of "))
        #expect(note.vietnamese.hasPrefix("Trước ngày 1/7/2025, báo cáo này tính các sản phẩm của những đơn vị đã nhập vào ") && note.vietnamese.contains("Kon Tum"))
        for (language, said, unsaid) in [(ReportLanguage.vi, note.vietnamese, note.english), (.en, note.english, note.vietnamese)] {
            for (format, text) in [("table", ReportTable.render(qn2024, language: language)), ("csv", ReportCSV.render(qn2024, language: language)),
                                   ("html", ReportHTML.render(qn2024, language: language, minorityLanguages: []))] {
                #expect(text.contains(format == "html" ? said.replacingOccurrences(of: "'", with: "&#39;") : said) && !text.contains(unsaid), "\(format), \(language)")
            }
        }
        // Kon Tum of the old table, for 2025: it ended on 30 June, in both languages too.
        let kt2025 = try f.report("62", "2025", era: .before2025)
        let ended = try #require(kt2025.notes.first)
        #expect(ended.english.contains("existed until 30 June 2025; products made after that carry the codes of today's units"))
        #expect(ended.vietnamese.contains("tồn tại đến hết ngày 30/6/2025; sản phẩm làm sau đó mang mã của các đơn vị hiện nay") && ended.vietnamese.contains("Quảng Ngãi"))
        #expect(ReportTable.render(kt2025, language: .vi).contains(ended.vietnamese) && ReportTable.render(kt2025, language: .en).contains(ended.english))
        let rows = Dictionary(uniqueKeysWithValues: qn2024.breakdown.map { ($0.key, $0.counts.total) })
        #expect(rows == ["23293": 1, "23284": 1, "(old province or district)": 1])
        // "51" for a period after 1 July 2025 is today's province: 3 and 4.
        #expect(try f.report("51", "2025").counts.total == 2)
        // Today's Phường Kon Tum: old Quang Trung's product 1, its own 3; 8 is undated.
        let ward = try f.report("23293", "2024-01-01..2025-12-31")
        #expect(ward.counts.total == 2)
        #expect(ward.undated == 1)
        // The code 23284 named Duy Tân before and Đăk Cấm after: the new one takes in the old one.
        #expect(try f.report("23284", "2024-01-01..2025-12-31", era: .from2025).counts.total == 2)  // 2, 4
        #expect(try f.report("23284", "2024-01-01..2025-12-31", era: .before2025).counts.total == 1) // 2
        // Old Kon Tum still answers for its own periods.
        let kt = try f.report("62", "2024", by: .unit)
        #expect(kt.counts.total == 3)
        #expect(kt.scope.unit?.era == .before2025)
        #expect(Set(kt.breakdown.map(\.key)) == ["608", "(province)"])
        // The whole country by today's province: 2025 has 3 and 4 in Quảng Ngãi, 6 in Hà Nội.
        let country = try f.report(nil, "2025", by: .unit)
        #expect(Dictionary(uniqueKeysWithValues: country.breakdown.map { ($0.key, $0.counts.total) }) == ["01": 1, "51": 2])
    }

    @Test func edgeCasesAsStated() throws {
        let f = try ReportFixture()
        let empty = try f.report("01", "2023")
        #expect(empty.isEmpty)
        #expect(empty.indicators.allSatisfy { $0.share == nil && $0.status == nil })
        #expect(ReportTable.render(empty, language: .en).contains("No products in this scope."))
        // Product 1 has two digital channels and counts once.
        #expect(try f.report("23281", "2024-03", era: .before2025).counts.digitalPlatform == 1)
        // Product 2 has only a production date and falls in May 2024.
        #expect(try f.report(nil, "2024-05").counts.total == 1)
        // Restricted: counted, its title and its ID hidden unless asked for, in every format.
        let hidden = try f.report(nil, "2024")
        #expect(hidden.gapTotal == 1)
        #expect(hidden.gaps.map(\.id) == [nil])
        #expect(hidden.gaps[0].title == nil && hidden.gaps[0].restricted)
        let secretID = f.ids[2]!.description
        for (format, text) in [("html", ReportHTML.render(hidden, minorityLanguages: [])), ("csv", ReportCSV.render(hidden)),
                               ("json", ReportJSON.render(hidden, minorityLanguages: [])), ("table", ReportTable.render(hidden, language: .vi))] {
            #expect(!text.contains("Hai mật") && !text.contains(secretID), "\(format)")
        }
        let shown = try f.report(nil, "2024", showRestricted: true)
        #expect(shown.gaps.map(\.id) == [f.ids[2]!])
        #expect(shown.gaps[0].title == "Hai mật")
        #expect(ReportCSV.render(shown).contains(secretID))
        #expect(shown.restrictedShown)
    }

    @Test func breakdownsByKindLanguageChannelAndPeriod() throws {
        let f = try ReportFixture()
        let channels = try f.report(nil, "2024", by: .channel)
        #expect(Dictionary(uniqueKeysWithValues: channels.breakdown.map { ($0.key, $0.counts.total) })
                == ["facebook": 1, "youtube": 1, "loudspeaker": 1, "web_portal": 1, "(none)": 1])
        let languages = try f.report("51", "2025", by: .language)
        #expect(Dictionary(uniqueKeysWithValues: languages.breakdown.map { ($0.key, $0.counts.diversified) }) == ["bdq": 1, "en": 1])
        let kinds = try f.report(nil, "2024", by: .kind)
        #expect(kinds.breakdown.map(\.key) == ["article"])
        #expect(kinds.breakdown[0].counts == kinds.counts)
        let months = try f.report(nil, "2024-H1", by: .period)
        #expect(months.breakdown.map(\.counts.total) == [0, 0, 1, 0, 1, 1])
        let trend = try f.report(nil, "2025")
        #expect(trend.trend.map(\.period.label) == ["2024", "2025"])  // starts with the first year that has products
        #expect(trend.trend.map(\.counts.total) == [4, 3])
    }

    @Test func fingerprintFollowsTheDataNotTheClockOrTheBreakdown() throws {
        let f = try ReportFixture()
        let a = try f.report(nil, "2024")
        let b = try f.report(nil, "2024", by: .kind)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint.count == 64)
        #expect(a.fingerprint != (try f.report(nil, "2024-H1")).fingerprint)
        let m = try ProductValidator().validate(ProductInput(title: "Mười", kind: "poster", languages: ["vi"], unit: "00004",
                                                             published: "2024-08-08")).get().value
        _ = try f.archive.register(m, carrier: .print)
        #expect(try f.report(nil, "2024").fingerprint != a.fingerprint)
        // Outside the span read: the 2024 fingerprint does not move.
        let later = try f.report(nil, "2024")
        let m2 = try ProductValidator().validate(ProductInput(title: "Mười một", kind: "poster", languages: ["vi"], unit: "00004",
                                                              published: "2026-08-08")).get().value
        _ = try f.archive.register(m2, carrier: .print)
        #expect(try f.report(nil, "2024").fingerprint == later.fingerprint)
    }

    @Test func attachingAFileMovesTheDigitizedShare() throws {
        let f = try ReportFixture()
        _ = try f.archive.attach(f.ids[2]!, files: [f.scratch.hostFile("scan.pdf", "%PDF-1.4 scan")])
        let r = try f.report(nil, "2024")
        #expect(r.counts.digitized == 4)
        #expect(r.gapTotal == 0)
        #expect(r.indicators.first { $0.key == .digitized }?.status == .onTarget)
    }

    @Test func targetsAndChannelsFromTheArchiveConfiguration() throws {
        let f = try ReportFixture()
        let config = """
            {"targets": {"digitalPlatform": {"min": 0.6, "max": 0.8, "channels": ["web_portal", "facebook", "youtube", "loudspeaker"]},
                         "digitized": {"target": 0.7}},
             "campaigns": {"tet-2024": {"name": "Tết 2024", "from": "2024-02-01", "to": "2024-03-31"}}}
            """
        try config.write(toFile: "\(f.scratch.path)/archive/kho-config.json", atomically: true, encoding: .utf8)
        let reopened = try Archive.open(HostPath("\(f.scratch.path)/archive"), agent: "test", environment: testEnvironment)
        let r = try reopened.report(ReportRequest(period: Period.parse("2024").get()))
        #expect(r.counts.digitalPlatform == 3)   // 1, 5 and now 2 (loudspeaker)
        #expect(r.targets.digitalPlatform == TargetBand(min: 0.6, max: 0.8))
        #expect(r.indicators.first { $0.key == .digitalPlatform }?.status == .onTarget)   // 3/4
        #expect(r.indicators.first { $0.key == .digitized }?.status == .beyond)           // 3/4 > 70%
        #expect(r.targets.source.contains("kho-config.json"))
        let campaign = try Period.parse("tet-2024", campaigns: reopened.config.campaigns).get()
        #expect(try reopened.report(ReportRequest(period: campaign)).counts.total == 1)
        // Back to the defaults: the flags follow.
        try FileManager.default.removeItem(atPath: "\(f.scratch.path)/archive/kho-config.json")
        let again = try Archive.open(HostPath("\(f.scratch.path)/archive"), agent: "test", environment: testEnvironment)
        #expect(try again.report(ReportRequest(period: Period.parse("2024").get())).counts.digitalPlatform == 2)
    }

    @Test func packedAndPlainSumsAgree() throws {
        let f = try ReportFixture()
        for request in [ReportRequest(period: Period.year(2024), breakdown: .unit), ReportRequest(unitCode: "51", period: Period.year(2025), breakdown: .kind)] {
            let plan = try Archive.plan(request, table: .standard)
            let statement = ReportSQL.statements(plan).days
            let packed = try f.archive.catalog.read { db in try ReportSQL.days(db, statement) }
            let plain = try f.archive.catalog.read { db in try ReportSQL.days(db, ReportSQL.unpacked(statement), packed: false) }
            #expect(!packed.isEmpty)
            #expect(packed == plain)
        }
    }

    @Test func unknownUnitIsAClearError() throws {
        let f = try ReportFixture()
        #expect(throws: KhoError.self) { try f.report("99999", "2024") }
        do { _ = try f.report("99999", "2024") } catch { #expect("\(error)".contains("99999")) }
    }
}
