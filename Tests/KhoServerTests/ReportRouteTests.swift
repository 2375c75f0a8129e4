// The dashboard: the figures and the fingerprint of `kho report` for the same scope, downloads
// in its formats (CSV with a BOM), units outside the user's scope refused, drill-down to child
// units, restricted products counted but not named to auditors (neither title nor ID).
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import KhoStore
import Synchronization
import Testing

@Suite struct ReportRouteTests {
    /// Cẩm Thành (21025, province 51): a public and a restricted leaflet on paper; Ba Đình (00004, Hà Nội): one.
    static func office() throws -> ServerFixture {
        let f = try ServerFixture()
        for (title, unit, access) in [("Tờ rơi công khai", "21025", "public"), ("Tài liệu mật Cẩm Thành", "21025", "restricted"), ("Tờ rơi Ba Đình", "00004", "public")] {
            _ = try Register(metadata: ProductInput(title: title, kind: "leaflet", languages: ["vi"], unit: unit, published: "2025-09-01", access: access),
                             carrier: .paper).run(in: f.session)
        }
        try f.addUser("tinh.auditor", role: "auditor", unit: "51")
        try f.addUser("may.xuat", role: "exporter", unit: "51")
        try f.addUser("tinh.staff", role: "staff", unit: "51")
        return f
    }

    @Test func theDashboardShowsWhatKhoReportComputes() async throws {
        let f = try Self.office()
        let expected = try MakeReport(unitCode: "51", period: try Period.parse("2025").get(), breakdown: .unit, format: .json).run(in: f.session)
        // The restricted product's ID, as a reader entitled to it sees it: never in the auditor's answers.
        let entitled = try MakeReport(unitCode: "51", period: try Period.parse("2025").get(), showRestricted: true, format: .csv).run(in: f.session).text ?? ""
        let secretLine = try #require(entitled.split(separator: "\r\n").first { $0.contains("Tài liệu mật Cẩm Thành") })
        let secretID = try #require(secretLine.firstMatch(of: /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/).map { String($0.0) })
        try await f.app().test(.router) { client in
            let cookie = try await logIn(client, "tinh.auditor")
            let page = try await client.execute(uri: "/reports?period=2025&by=unit", method: .get, headers: headers(cookie: cookie))
            #expect(page.status == .ok)
            #expect(page.text.contains(expected.fingerprint), "the same fingerprint as kho report")
            #expect(page.text.contains("Trước ngày 1/7/2025, báo cáo này tính các sản phẩm của những đơn vị đã nhập vào") && !page.text.contains("Before 1 July 2025"),
                    "the note on units merged in 2025, in the page's Vietnamese")
            #expect(page.text.contains("2 sản phẩm"), "Cẩm Thành's two products, Hà Nội's not")
            #expect(page.text.contains("<meter") && page.text.contains("0,0%"))
            #expect(page.text.contains("(sản phẩm mật)") && !page.text.contains("Tài liệu mật Cẩm Thành"), "restricted: counted, not named")
            #expect(page.text.contains(#"href="/reports?unit=21025&amp;period=2025&amp;by=unit""#), "drill-down to the commune")
            let csv = try await client.execute(uri: "/reports?period=2025&by=unit&format=csv", method: .get, headers: headers(cookie: cookie))
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8" && Array(csv.bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let cli = try MakeReport(unitCode: "51", period: try Period.parse("2025").get(), breakdown: .unit, format: .csv).run(in: f.session)
            #expect(String(decoding: csv.bytes.dropFirst(3), as: UTF8.self) == cli.text, "the CSV is kho report's")
            let json = try await client.execute(uri: "/reports?period=2025&format=json", method: .get, headers: headers(cookie: cookie))
            #expect(json.headers[.contentType]?.hasPrefix("application/json") == true && json.text.contains("\"fingerprint\""))
            let html = try await client.execute(uri: "/reports?period=2025&format=html", method: .get, headers: headers(cookie: cookie))
            #expect(html.headers[.contentSecurityPolicy]?.contains("sandbox") == true && html.text.contains("<svg"))
            let outside = try await client.execute(uri: "/reports?unit=00004&period=2025", method: .get, headers: headers(cookie: cookie))
            #expect(outside.text.contains("không có trong phạm vi") && !outside.text.contains("Ba Đình (00004)") && outside.text.contains("2 sản phẩm"))
            for (name, answer) in [("page", page), ("csv", csv), ("json", json), ("html", html)] {
                #expect(!answer.text.contains(secretID), "\(name): a restricted product is counted, never named, not even by its ID")
            }
            let badPeriod = try await client.execute(uri: "/reports?period=2025-13", method: .get, headers: headers(cookie: cookie))
            #expect(badPeriod.status == .ok && badPeriod.text.contains("không hợp lệ"))
        }
    }

    @Test func staffSeeRestrictedTitlesAndExportersNoReports() async throws {
        let f = try Self.office()
        try await f.app().test(.router) { client in
            let staff = try await logIn(client, "tinh.staff")
            let page = try await client.execute(uri: "/reports?period=2025", method: .get, headers: headers(cookie: staff))
            #expect(page.text.contains("Tài liệu mật Cẩm Thành"))
            let exporter = try await logIn(client, "may.xuat")
            #expect(try await client.execute(uri: "/reports", method: .get, headers: headers(cookie: exporter)).status == .forbidden)
            #expect(try await client.execute(uri: "/reports?format=csv", method: .get, headers: headers(cookie: exporter)).status == .forbidden)
        }
    }
}

@Suite struct ReportCacheTests {
    /// A report asked again is computed once while nothing changes; a change of a product (an
    /// event) makes it computed again; a failure is not kept.
    @Test func computedOncePerCatalogState() throws {
        let f = try ReportRouteTests.office()
        let cache = ReportCache(capacity: 2)
        let request = try MakeReport(unitCode: "51", period: try Period.parse("2025").get()).request(clock: f.session.clock)
        let computed = Mutex(0)
        func ask() throws -> Report {
            try cache.report(request, marker: try f.session.archive.changeMarker()) { () throws(KhoError) in
                computed.withLock { $0 += 1 }
                return try f.session.archive.report(request)
            }
        }
        let first = try ask()
        let again = try ask()
        #expect(computed.withLock { $0 } == 1 && again.fingerprint == first.fingerprint)
        _ = try Register(metadata: ProductInput(title: "Thêm một tờ rơi", kind: "leaflet", languages: ["vi"], unit: "21025", published: "2025-10-01"),
                         carrier: .paper).run(in: f.session)
        let after = try ask()
        #expect(computed.withLock { $0 } == 2 && after.counts.total == first.counts.total + 1 && after.fingerprint != first.fingerprint)
        #expect(throws: KhoError.self) {
            try cache.report(request, marker: -1) { () throws(KhoError) in throw KhoError(.archiveLocked, "busy") }
        }
        _ = try cache.report(request, marker: -1) { () throws(KhoError) in computed.withLock { $0 += 1 }; return after }
        #expect(computed.withLock { $0 } == 3, "a failure is not kept: the next ask computes")
    }
}
