import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import KhoTesting
import Testing

/// Six products through an import manifest, counted by hand:
/// 2024: A (digitized, facebook+zalo), B (paper, restricted, produced only), C (digitized, tày)
/// 2025-H2: D (digitized, Đăk Cấm 23284, en); 2023: E (paper). Kon Tum's 23281 in A.
@Suite struct ReportCLITests {
    func workspace() -> Workspace {
        let ws = Workspace()
        ws.file("m/files/a.txt", "A")
        ws.file("m/files/c.txt", "C")
        ws.file("m/files/d.txt", "D")
        let rows = [
            "source_id,title,kind,languages,unit,produced,published,channels,files,carrier,access",
            "A,Bài A,article,vi,23281,,2024-03-10,facebook|zalo,files/a.txt,,",
            "B,\"Mật, B\",leaflet,vi,23284,2024-05-01,,loudspeaker,,paper,restricted",
            "C,Phóng sự C,radio_report,tyz,00004,,2024-12-31,radio,files/c.txt,,",
            "D,Video D,video_clip,en,23284,,2025-08-01,,files/d.txt,,",
            "E,Tờ gấp E,leaflet,vi,00004,2023-01-01,,,,paper,",
        ]
        ws.file("m/manifest.csv", rows.joined(separator: "\n") + "\n")
        let r = ws.run(["import", "\(ws.path)/m/manifest.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        return ws
    }

    @Test func jsonCheckedFieldByField() throws {
        let ws = workspace()
        let r = ws.run(["report", "--period", "2024", "--by", "unit", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = r.object
        #expect(o["total"] as? Int == 3)
        #expect(o["empty"] as? Bool == false)
        let scope = try #require(o["scope"] as? [String: Any])
        #expect(scope["unit"] is NSNull)
        let period = try #require(scope["period"] as? [String: Any])
        #expect(period["from"] as? String == "2024-01-01" && period["to"] as? String == "2024-12-31" && period["kind"] as? String == "year")
        let indicators = try #require(o["indicators"] as? [[String: Any]])
        #expect(indicators.map { $0["key"] as? String } == ["digitized", "digital_platform", "diversified"])
        func ind(_ key: String) -> [String: Any] { indicators.first { $0["key"] as? String == key } ?? [:] }
        #expect(ind("digitized")["count"] as? Int == 2)
        #expect((ind("digitized")["share"] as? Double).map { abs($0 - 2.0 / 3) < 1e-9 } == true)
        #expect(ind("digitized")["status"] as? String == "behind")
        #expect((ind("digitized")["target"] as? [String: Any])?["min"] as? Double == 1)
        #expect(ind("digital_platform")["count"] as? Int == 1)       // A, once for two channels
        #expect(ind("digital_platform")["status"] as? String == "beyond")
        #expect((ind("digital_platform")["target"] as? [String: Any])?["max"] as? Double == 0.2)
        #expect(ind("diversified")["count"] as? Int == 2)            // A digital, C in Tày
        #expect(o["breakdownBy"] as? String == "unit")
        let breakdown = try #require(o["breakdown"] as? [[String: Any]])
        #expect(Dictionary(uniqueKeysWithValues: breakdown.map { ($0["key"] as! String, $0["total"] as! Int) }) == ["01": 1, "51": 2])
        let trend = try #require(o["trend"] as? [[String: Any]])
        #expect(trend.map { $0["period"] as? String } == ["2023", "2024"])
        #expect(trend.map { $0["total"] as? Int } == [1, 3])
        #expect(o["gapsTotal"] as? Int == 1)
        let gaps = try #require(o["gaps"] as? [[String: Any]])
        #expect(gaps.count == 1)
        #expect(gaps[0]["title"] is NSNull && gaps[0]["id"] is NSNull, "a restricted product leaves neither its title nor its ID")
        #expect(gaps[0]["restricted"] as? Bool == true)
        #expect(gaps[0]["carrier"] as? String == "paper")
        #expect(gaps[0]["date"] as? String == "2024-05-01")
        #expect((o["fingerprint"] as? String)?.count == 64)
        #expect((o["generatedAt"] as? String)?.hasSuffix("Z") == true)
        let definitions = try #require(o["definitions"] as? [String: Any])
        #expect((definitions["digitalChannels"] as? [String])?.contains("zalo") == true)
        #expect(!r.out.contains("Mật, B"))
        let shown = ws.run(["report", "--period", "2024", "--json", "--show-restricted"]).object
        #expect(((shown["gaps"] as? [[String: Any]])?.first?["title"]) as? String == "Mật, B")
        #expect(shown["restrictedTitlesShown"] as? Bool == true)
        #expect(shown["fingerprint"] as? String == o["fingerprint"] as? String)
    }

    @Test func csvReReadWithStableHeaders() throws {
        let ws = workspace()
        let r = ws.run(["report", "--unit", "51", "--period", "2024-01-01..2025-12-31", "-o", "\(ws.path)/r.csv", "--show-restricted"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: "\(ws.path)/r.csv", encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map(ImportTests.csvFields)
        #expect(lines[0] == ["section", "key", "label", "value", "total", "digitized", "digital_platform", "diversified",
                             "share", "target_min", "target_max", "status", "unit", "carrier", "date"])
        #expect(lines.allSatisfy { $0.count == 15 })
        func row(_ section: String, _ key: String) -> [String]? { lines.first { $0[0] == section && $0[1] == key } }
        #expect(row("scope", "total")?[3] == "3")                       // A, B, D
        #expect(row("scope", "unit")?[3] == "51")
        #expect(row("indicator", "digitized")?[3] == "2")
        #expect(row("indicator", "digitized")?[8] == "0.666667")
        #expect(row("indicator", "digital_platform")?[11] == "beyond")
        #expect(row("indicator", "diversified")?[9] == "0.15" && row("indicator", "diversified")?[10] == "0.2")
        let gap = try #require(lines.first { $0[0] == "gap" })
        #expect(gap[2] == "Mật, B")                                     // the quoted comma survives
        #expect(gap[12] == "23284" && gap[13] == "paper" && gap[14] == "2024-05-01")
        #expect(row("scope", "fingerprint")?[3].count == 64)
    }

    @Test func htmlParsesAndCarriesItsCharts() throws {
        let ws = workspace()
        let r = ws.run(["report", "--period", "2024", "--by", "kind", "-o", "\(ws.path)/r.html"])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(ws.path)/r.html"))
        let page = String(decoding: data, as: UTF8.self)
        let collector = ElementCollector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        #expect(parser.parse(), "the page is well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.attributes("html").first?["lang"] == "vi")
        #expect(collector.attributes("svg").count == 3)                // indicators, breakdown, trend
        #expect(collector.attributes("rect").filter { $0["class"] == "bar" }.count == 3)
        #expect(collector.text(id: "total") == "3")
        #expect(collector.attributes("link").isEmpty && collector.attributes("script").isEmpty && collector.attributes("img").isEmpty)
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http"), "nothing is fetched")
        #expect(page.contains("@page { size: A4"))
        #expect(page.contains("Tỷ lệ số hóa"))
        #expect(!page.contains("Mật, B"))
        let en = ws.run(["report", "--period", "2024", "--format", "html", "--lang", "en"])
        #expect(en.out.contains("<html lang=\"en\">") && en.out.contains("Digitized share"))
    }

    @Test func tableEmptyScopeAndMistakes() throws {
        let ws = workspace()
        let table = ws.run(["report", "--period", "2024", "--lang", "en"])
        #expect(table.status == 0)
        #expect(table.out.contains("Products: 3"))
        #expect(table.out.contains("(restricted — title not shown)"))
        let empty = ws.run(["report", "--unit", "01", "--period", "2026"])
        #expect(empty.status == 0)
        #expect(empty.out.contains("Không có sản phẩm nào"))
        #expect(!empty.out.contains("0,0%"))
        let badPeriod = ws.run(["report", "--period", "2024-13"])
        #expect(badPeriod.status == 1 && badPeriod.stderr.contains("--period '2024-13'"))
        let badUnit = ws.run(["report", "--unit", "99999", "--period", "2024"])
        #expect(badUnit.status == 1 && badUnit.stderr.contains("99999"))
        let badBy = ws.run(["report", "--by", "colour"])
        #expect(badBy.status == 1 && badBy.stderr.contains("unit, kind, language, channel, period"))
        ws.file("keep.csv", "mine")
        let exists = ws.run(["report", "-o", "\(ws.path)/keep.csv"])
        #expect(exists.status == 1 && exists.stderr.contains("--force"))
        #expect(try String(contentsOfFile: "\(ws.path)/keep.csv", encoding: .utf8) == "mine")
    }
}

extension ReportCLITests {
    @Test func targetsPrintedAsConfigRoundTripIntoReports() throws {
        let ws = workspace()
        let printed = ws.run(["targets", "--json"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let targets = try #require(printed.object["targets"] as? [String: Any])
        #expect((targets["digitalPlatform"] as? [String: Any])?["min"] as? Double == 0.15)
        // A province's own plan: 40–60% on digital platforms, and loudspeakers count as digital.
        var config = printed.object
        var digitalPlatform = try #require(targets["digitalPlatform"] as? [String: Any])
        digitalPlatform["min"] = 0.4
        digitalPlatform["max"] = 0.6
        digitalPlatform["channels"] = ((digitalPlatform["channels"] as? [String]) ?? []) + ["loudspeaker"]
        var changed = targets
        changed["digitalPlatform"] = digitalPlatform
        config["targets"] = changed
        let own = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        ws.file("archive/kho-config.json", own)
        let report = ws.run(["report", "--period", "2024", "--json"]).object
        let digital = (report["indicators"] as? [[String: Any]])?.first { $0["key"] as? String == "digital_platform" }
        #expect(digital?["count"] as? Int == 2)          // A, and B on loudspeakers
        #expect((digital?["target"] as? [String: Any])?["min"] as? Double == 0.4)
        #expect(digital?["status"] as? String == "beyond")   // 2 of 3
        #expect(((report["definitions"] as? [String: Any])?["source"] as? String)?.contains("kho-config.json") == true)
        ws.file("archive/kho-config.json", "{\"targets\": {\"digitized\": {\"min\": 2}}}")
        let bad = ws.run(["report", "--period", "2024"])
        #expect(bad.status == 1 && bad.stderr.contains("kho-config.json") && bad.stderr.contains("between 0 and 1"))
    }
}

/// Collects elements' attributes and the text of elements with an id.
final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String: String] = [:]
    private var openIDs: [String?] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
        openIDs.append(attributes["id"])
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { openIDs.removeLast() }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for case let id? in openIDs { texts[id, default: ""] += string }
    }

    func attributes(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
    func text(id: String) -> String? { texts[id] }
}
