import Foundation
import KhoTesting
import Testing

@Suite struct ReferenceCommandTests {
    @Test func unitsShowEveryUnitACodeNamedWithDates() {
        let ws = Workspace(initArchive: false)
        let r = ws.run(["units", "show", "00004", "--json"], storage: false)
        #expect(r.status == 0)
        let units = r.array
        #expect(units.map { $0["fullName"] as? String } == ["Phường Trúc Bạch", "Phường Ba Đình"])
        #expect(units[0]["validUntil"] as? String == "2025-06-30")
        #expect(units[1]["validFrom"] as? String == "2025-07-01")
        #expect((units[0]["parents"] as? [[String: Any]])?.map { $0["code"] as? String } == ["001", "01"])
        #expect((units[0]["successors"] as? [[String: Any]])?.first?["code"] as? String == "00004")
        // An old commune merged away names its successor today.
        let gone = ws.run(["units", "show", "00001"], storage: false)
        #expect(gone.out.contains("until 30 June 2025") && gone.out.contains("since 1 July 2025 part of 00097 Phường Hồng Hà"))
        let none = ws.run(["units", "show", "99999"], storage: false)
        #expect(none.status == 1 && none.stderr.contains("no unit has code 99999"))
        #expect(ws.run(["units", "show", "1"], storage: false).status == 1)
    }

    @Test func unitsSearchIgnoresDiacritics() {
        let ws = Workspace(initArchive: false)
        let r = ws.run(["units", "search", "truc", "bach", "--json"], storage: false)
        #expect(r.array.first?["code"] as? String == "00004")
        let text = ws.run(["units", "search", "Kon Tum", "--limit", "3"], storage: false)
        #expect(text.out.contains("Tỉnh Kon Tum"))
        #expect(ws.run(["units", "search", "zzzzqqq"], storage: false).out.contains("no unit matches"))
    }

    @Test func languagesListTheTableAndTheConfiguredMinorityList() throws {
        let ws = Workspace()
        let table = ws.run(["languages", "--json"]).array
        #expect(table.contains { $0["tag"] as? String == "tyz" && $0["group"] as? String == "minority" })
        #expect(table.contains { $0["tag"] as? String == "vi" && $0["group"] as? String == "national" })
        #expect(table.contains { $0["tag"] as? String == "km" && $0["group"] as? String == "minority" })
        let search = ws.run(["languages", "--search", "thai", "--json"]).array.compactMap { $0["tag"] as? String }
        #expect(search.contains("blt") && search.contains("th"))
        // An archive abroad counts Khmer as foreign.
        ws.file("archive/kho-config.json", #"{"minorityLanguages": ["tyz", "hmn", "blt"]}"#)
        let configured = ws.run(["languages", "--json"]).array
        #expect(configured.first { $0["tag"] as? String == "km" }?["group"] as? String == "foreign")
        #expect(ws.run(["languages"]).out.contains("from kho-config.json"))
        let id = ws.ingest(ws.file("k.txt", "k"), extra: ["--lang", "km"])
        #expect((ws.run(["show", id, "--json"]).object["languageGroups"] as? [String]) == ["national", "foreign"])
        // A broken configuration is an error naming the file and what is wrong.
        ws.file("archive/kho-config.json", #"{"minorityLanguages": ["tyz", "xx"]}"#)
        let bad = ws.run(["list"])
        #expect(bad.status == 1 && bad.stderr.contains("kho-config.json") && bad.stderr.contains("'xx'"))
        ws.file("archive/kho-config.json", #"{"minorities": []}"#)
        #expect(ws.run(["list"]).stderr.contains("unknown setting 'minorities'"))
    }

    @Test func duplicatesListProductsSharingAMasterFile() {
        let ws = Workspace()
        let file = ws.file("same.pdf", "%PDF same bytes")
        let a = ws.ingest(file, title: "Tiêu đề A")
        let b = ws.ingest(file, title: "Tiêu đề B")
        _ = ws.ingest(ws.file("other.pdf", "%PDF other"), title: "Khác")
        let r = ws.run(["duplicates", "--json"]).array
        #expect(r.count == 1)
        #expect(Set((r.first?["products"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []) == [a, b])
        #expect(ws.run(["duplicates"]).out.contains("1 shared master file"))
    }

    @Test func legacyEncodedTextInAManifestIsAWarning() {
        let ws = Workspace()
        ws.file("m/m.csv", "title,kind,languages,unit\nQuyÒn con ng\u{AD}êi ë ViÖt Nam,article,vi,00004\n")
        let r = ws.run(["import", "\(ws.path)/m/m.csv", "--json"])
        #expect(r.status == 0)
        #expect((r.object["warnings"] as? [String])?.contains { $0.contains("row 2") && $0.contains("TCVN3") } == true)
    }
}

@Suite struct ReadmeExampleTests {
    /// The example manifests the README shows import cleanly, and again store nothing.
    @Test func theExampleImportWorksAsTheReadmeSays() throws {
        let ws = Workspace()
        let examples = repositoryRoot.appendingPathComponent("Scripts/examples/import")
        // Work on a copy: the import writes its result file beside the manifest.
        try FileManager.default.copyItem(at: examples, to: URL(fileURLWithPath: "\(ws.path)/import"))
        let dry = ws.run(["import", "\(ws.path)/import/manifest.csv", "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.object["ok"] as? Int == 5)
        let real = ws.run(["import", "\(ws.path)/import/manifest.csv", "--json"])
        #expect(real.object["stored"] as? Int == 5)
        let vietnamese = ws.run(["import", "\(ws.path)/import/danh-muc.csv", "--json"])
        #expect(vietnamese.status == 0, "\(vietnamese.stderr)")
        #expect(vietnamese.object["stored"] as? Int == 2)
        #expect(ws.run(["import", "\(ws.path)/import/manifest.csv"]).out.contains("nothing new"))
        // The JSON Lines example's second row names a placeholder ID and is rejected, as its README says.
        let jsonl = ws.run(["import", "\(ws.path)/import/manifest.jsonl", "--json"])
        #expect(jsonl.object["stored"] as? Int == 1 && jsonl.object["rejected"] as? Int == 1)
    }
}
