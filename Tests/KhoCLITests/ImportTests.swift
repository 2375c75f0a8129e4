import Foundation
import Glibc
import GRDB
import KhoTesting
import Testing

@Suite struct ImportTests {
    /// Reads the result CSV into [row: (status, product_id, message)].
    func results(_ path: String) -> [Int: (status: String, id: String, message: String)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var out: [Int: (String, String, String)] = [:]
        for line in text.components(separatedBy: "\r\n").dropFirst() where !line.isEmpty {
            let f = Self.csvFields(line)
            if let row = Int(f[0]) { out[row] = (f[1], f[2], f.count > 4 ? f[4] : "") }
        }
        return out
    }

    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" { if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false } } else { field.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { fields.append(field); field = "" } else { field.append(c) }
        }
        fields.append(field)
        return fields
    }

    @Test func everyKindOfMistakeIsReportedPerRowAndTheGoodRowsAreStored() throws {
        let ws = Workspace()
        ws.file("m/files/good.txt", "tốt")
        ws.file("m/files/good2.txt", "tốt 2")
        ws.file("m/files/scan.pdf", "%PDF scan")
        ws.file("outside.txt", "outside the folder")
        ws.file("m/files/locked.txt", "unreadable for a non-root user")
        symlink("\(ws.path)/outside.txt", "\(ws.path)/m/files/link.txt")
        let rows = [
            "source_id,title,kind,languages,unit,produced,published,channels,files,carrier,digitized,method",
            "G1,Bài tốt,article,vi,00004,2024-01-05,,facebook,files/good.txt,,,",                         // 2 good
            "B1,Loại sai,poem,vi,00004,2024-01-05,,,,,,",                                                  // 3 unknown kind
            "B2,Tag sai,article,vi_VN,00004,2024-01-05,,,,,,",                                             // 4 malformed tag
            "B3,Tag lạ,article,xx,00004,2024-01-05,,,,,,",                                                 // 5 unknown tag
            "B4,Đơn vị sau sáp nhập,article,vi,00001,2025-08-01,,,,,,",                                    // 6 unit gone on that date
            "B5,Ngày sai,article,vi,00004,2023-02-29,,,,,,",                                               // 7 impossible date
            "B6,Thiếu tệp,article,vi,00004,2024-01-05,,,files/missing.pdf,,,",                             // 8 missing file
            "B7,Ra ngoài,article,vi,00004,2024-01-05,,,../outside.txt,,,",                                 // 9 path leaves folder
            "G1,Trùng,article,vi,00004,2024-01-05,,,files/good2.txt,,,",                                   // 10 duplicate source_id
            "G2,Đăng ký,leaflet,vi|hmn,00004,2023-07-30,,print,,paper,,",                                  // 11 good (register)
            "G3,Số hóa,poster,vi,00004,2023-06-15,,,files/scan.pdf,print,2025-01-10,scan",                 // 12 good (digitized)
            "B8,Liên kết ra ngoài,article,vi,00004,2024-01-05,,,files/link.txt,,,",                        // 13 link escapes
            "B9,Kênh sai,article,vi,00004,2024-01-05,,pigeon,,,,",                                         // 14 unknown channel
            ",,article,vi,00004,2024-01-05,,,,,,",                                                         // 15 missing title
            "G4,Bài tốt,article,vi,00004,2024-01-05,,facebook,files/good.txt,,,",                          // 16 same product and files as row 2
        ]
        ws.file("m/manifest.csv", rows.joined(separator: "\n") + "\n")
        let dry = ws.run(["import", "\(ws.path)/m/manifest.csv", "--dry-run", "--json"])
        #expect(dry.status == 1)
        #expect(dry.object["ok"] as? Int == 3)
        #expect(ws.run(["list", "--json"]).array.isEmpty, "a dry run stores nothing")
        let expected: [Int: String] = [3: "unknown_kind", 4: "malformed_language_tag", 5: "unknown_language_tag", 6: "unknown_unit",
                                       7: "invalid_date", 8: "missing_file", 9: "path_escapes_folder", 10: "duplicate_row",
                                       13: "path_escapes_folder", 14: "unknown_channel", 15: "missing_title", 16: "duplicate_row"]
        let problems = dry.object["problems"] as? [[String: Any]] ?? []
        for (row, code) in expected {
            #expect(problems.contains { $0["row"] as? Int == row && $0["code"] as? String == code }, "row \(row): \(code) not in \(problems.filter { $0["row"] as? Int == row })")
        }
        #expect(Set(problems.compactMap { $0["row"] as? Int }) == Set(expected.keys))
        // Each problem names the column, the value and what was expected.
        let kind = problems.first { $0["row"] as? Int == 3 }
        #expect(kind?["column"] as? String == "kind" && kind?["value"] as? String == "poem")
        #expect((kind?["expected"] as? String)?.contains("article") == true)
        let unit = problems.first { $0["row"] as? Int == 6 }
        #expect((unit?["expected"] as? String)?.contains("00097") == true)

        // The real run stores the 3 good rows and rejects the rest, row by row.
        let real = ws.run(["import", "\(ws.path)/m/manifest.csv"])
        #expect(real.status == 1)
        #expect(real.out.contains("stored 3"), "\(real.out)")
        #expect(real.out.contains("rejected 12"))
        let r = results("\(ws.path)/m/manifest.csv.result.csv")
        #expect(r.count == 15)
        #expect([2, 11, 12].allSatisfy { r[$0]?.status == "stored" })
        #expect(Set(expected.keys).allSatisfy { r[$0]?.status == "rejected" })
        #expect(r[3]?.message.contains("'poem'") == true)
        let products = ws.run(["list", "--json"]).array
        #expect(products.count == 3)
        let scanned = products.first { $0["title"] as? String == "Số hóa" }
        #expect(scanned?["digitized"] as? Bool == true)
        #expect(scanned?["digitizedOn"] as? String == "2025-01-10")
        #expect(scanned?["carrier"] as? String == "print")
        #expect(products.first { $0["title"] as? String == "Đăng ký" }?["digitized"] as? Bool == false)
        let events = ws.run(["show", r[2]!.id, "--json"]).object["events"] as? [[String: Any]] ?? []
        #expect((events.first?["detail"] as? String)?.contains("manifest.csv row 2") == true)
    }

    @Test func excelsHabitsAreUnderstood() {
        let ws = Workspace()
        // NFD file names on disk (a Mac), NFC in the manifest; another in a different case.
        ws.file("m/Vie\u{0323}\u{0302}t Nam.pdf", "%PDF nfd")
        ws.file("m/ANH/Poster.JPG", "jpeg?")
        // An NFD name in a folder whose name is NFC (a file copied from a Mac): found, no warning.
        ws.file("m/Tài liệu/A\u{0301}o da\u{0300}i.pdf", "%PDF mixed")
        let header = "Mã nguồn;Tiêu đề;Loại;Ngôn ngữ;Đơn vị;Ngày sản xuất;Mô tả;Tệp\r\n"
        let rows = "S1;Việt Nam tươi đẹp;article;vi;00004;2024-01-02;\"Dòng một;\r\ndòng hai, có \"\"ngoặc\"\"\";Việt Nam.pdf\r\n"
            + "S2;Ảnh cổ động;poster;vi;00004;2024-01-03;;anh/poster.jpg\r\n"
            + "S3;Áo dài;poster;vi;00004;2024-01-04;;Tài liệu/Áo dài.pdf\r\n"
        ws.file("m/danh-muc.csv", bytes: [0xEF, 0xBB, 0xBF] + Array((header + rows).utf8))
        let r = ws.run(["import", "\(ws.path)/m/danh-muc.csv", "--json"])
        #expect(r.status == 0, "\(r.stderr) \(r.out)")
        #expect(r.object["format"] as? String == "CSV, semicolon-separated, UTF-8 with BOM")
        #expect(r.object["stored"] as? Int == 3)
        let warnings = r.object["warnings"] as? [String] ?? []
        #expect(warnings.filter { $0.contains("ignoring case") }.count == 1, "\(warnings)")
        #expect(warnings.allSatisfy { !$0.contains("Áo dài") }, "\(warnings)")
        let first = ws.run(["search", "viet nam tuoi dep", "--json"]).array.first
        #expect(first?["description"] as? String == "Dòng một;\r\ndòng hai, có \"ngoặc\"")
        let file = (first?["files"] as? [[String: Any]])?.first
        #expect(file?["name"] as? String == "Việt Nam.pdf")
    }

    @Test func windows1258AndJSONLines() {
        let ws = Workspace()
        ws.file("m/a.txt", "a")
        // "Đăng ký" in Windows-1258 as the title: Ð(D0) ă(E3) n g  k ý(FD?) — ý is FD in 1258? No: FD is ư. Use "Đăng".
        let header = Array("title,kind,languages,unit,produced\n".utf8)
        let row: [UInt8] = [0xD0, 0xE3, 0x6E, 0x67] + Array(",article,vi,00004,2024-01-02\n".utf8)
        ws.file("m/old.csv", bytes: header + row)
        let r = ws.run(["import", "\(ws.path)/m/old.csv", "--json"])
        #expect(r.object["format"] as? String == "CSV, comma-separated, Windows-1258")
        #expect(ws.run(["search", "dang", "--json"]).array.first?["title"] as? String == "Đăng")
        ws.file("m/m.jsonl", """
            {"source_id": "J1", "title": "Từ JSON", "kind": "article", "languages": ["vi", "tyz"], "unit": "00004", "files": ["a.txt"]}
            {"title": "Thiếu loại", "languages": "vi", "unit": "00004"}
            """)
        let j = ws.run(["import", "\(ws.path)/m/m.jsonl", "--json"])
        #expect(j.object["stored"] as? Int == 1)
        #expect(j.object["rejected"] as? Int == 1)
        #expect((j.object["problems"] as? [[String: Any]])?.first?["code"] as? String == "missing_kind")
    }

    @Test func runningTheSameManifestAgainStoresNothing() {
        let ws = Workspace()
        ws.file("m/a.txt", "a")
        ws.file("m/b.txt", "b")
        // One row with a source_id, one matched by title and content, one registration.
        ws.file("m/m.csv", """
            source_id,title,kind,languages,unit,files
            S1,Có mã,article,vi,00004,a.txt
            ,Không mã,article,vi,00004,b.txt
            ,Bản giấy,leaflet,vi,00004,

            """)
        let first = ws.run(["import", "\(ws.path)/m/m.csv", "--json"])
        #expect(first.object["stored"] as? Int == 3)
        let again = ws.run(["import", "\(ws.path)/m/m.csv"])
        #expect(again.status == 0)
        #expect(again.out.contains("stored 0, already present 3"))
        #expect(again.out.contains("nothing new"))
        #expect(ws.run(["list", "--json"]).array.count == 3)
        // A source_id reused for another product is a conflict, not a silent match.
        ws.file("m/m2.csv", "source_id,title,kind,languages,unit\nS1,Tên khác,article,vi,00004\n")
        let conflict = ws.run(["import", "\(ws.path)/m/m2.csv", "--json"])
        #expect(conflict.object["rejected"] as? Int == 1)
        #expect(((conflict.object["results"] as? [[String: Any]])?.first?["message"] as? String)?.contains("already names product") == true)
    }

    @Test func attachRowsAddFilesToExistingProducts() {
        let ws = Workspace()
        let reg = ws.run(["register", "--title", "Băng cũ", "--kind", "radio_drama", "--lang", "vi", "--unit", "00004", "--produced", "2020-01-01", "--json"])
        let id = reg.object["id"] as? String ?? ""
        ws.file("m/bang.wav", "RIFF....WAVE")
        ws.file("m/m.csv", "product_id,files,digitized,method\n\(id),bang.wav,2025-03-03,transfer\n0000-0000-0000-0000,bang.wav,,\n")
        let r = ws.run(["import", "\(ws.path)/m/m.csv", "--json"])
        #expect(r.object["stored"] as? Int == 1)
        #expect((r.object["problems"] as? [[String: Any]])?.first?["code"] as? String == "unknown_product")
        let show = ws.run(["show", id, "--json"]).object
        #expect(show["digitized"] as? Bool == true)
        #expect(show["digitizedOn"] as? String == "2025-03-03")
        #expect(show["digitizationMethod"] as? String == "transfer")
    }

    /// Kill a real import half-way; the re-run finishes it with nothing duplicated and nothing lost.
    @Test func aKilledImportResumes() throws {
        let ws = Workspace()
        var lines = ["source_id,title,kind,languages,unit,produced,files"]
        // Enough rows with files for three write chunks (a chunk is at most 2048 rows with files:
        // Archive.chunkWeight 8192, a row with files weighing 4), so a kill can land between two.
        let withFiles = 4700
        for i in 0..<withFiles {
            ws.file("m/f/\(i).bin", bytes: randomBytes(300 + i % 100, seed: UInt64(i)))
            lines.append("S\(i),Sản phẩm số \(i),photo,vi,00004,2024-01-01,f/\(i).bin")
        }
        for i in 0..<400 { lines.append(",Bản giấy \(i),leaflet,vi,00004,2023-01-01,") }
        ws.file("m/m.csv", lines.joined(separator: "\n") + "\n")
        // Kill as soon as the first chunk is committed: the catalog then holds part of the manifest.
        let catalog = try DatabaseQueue(path: "\(ws.archive)/catalog.sqlite", configuration: { var c = Configuration(); c.readonly = true; return c }())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Kho.binary)
        process.arguments = ["import", "\(ws.path)/m/m.csv"]
        process.environment = ["KHO_STORAGE": ws.archive, "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var partial = 0
        for _ in 0..<20_000 where partial == 0 {
            partial = (try? catalog.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM products") ?? 0 }) ?? 0
            if partial == 0 { usleep(1000) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let afterKill = ws.run(["list", "--json"]).array.count
        #expect(afterKill > 0 && afterKill < withFiles + 400, "killed after \(afterKill) products")
        #expect(ws.run(["verify"]).status == 0)
        let resumed = ws.run(["import", "\(ws.path)/m/m.csv", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect((resumed.object["stored"] as? Int ?? 0) + (resumed.object["alreadyPresent"] as? Int ?? 0) == withFiles + 400)
        let products = ws.run(["list", "--json"]).array
        #expect(products.count == withFiles + 400)
        #expect(Set(products.compactMap { $0["title"] as? String }).count == withFiles + 400)
        #expect(products.filter { ($0["files"] as? [Any])?.count == 1 }.count == withFiles)
        #expect(ws.run(["verify", "--json"]).object["checkedBlobs"] as? Int == withFiles)
    }
}

@Suite struct ConcurrentImportTests {
    /// Two offices' clerks run the same manifest at once into an empty archive: every row is
    /// stored once, whichever process gets there first.
    @Test func twoImportsOfOneManifestStoreEachRowOnce() throws {
        let ws = Workspace()
        var lines = ["source_id,title,kind,languages,unit,produced,files"]
        for i in 0..<300 { ws.file("m/f\(i).txt", "tệp \(i)"); lines.append("S\(i),Bài \(i),article,vi,00004,2024-01-01,f\(i).txt") }
        for i in 0..<3000 { lines.append(",Bản giấy \(i),leaflet,vi,00004,2023-01-01,") }
        ws.file("m/m.csv", lines.joined(separator: "\n") + "\n")
        let processes = (0..<2).map { n -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Kho.binary)
            p.arguments = ["import", "\(ws.path)/m/m.csv", "--report", "\(ws.path)/r\(n).csv"]
            p.environment = ["KHO_STORAGE": ws.archive, "PATH": "/usr/bin:/bin", "KHO_LOCK_TIMEOUT": "60"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            return p
        }
        for p in processes { try p.run() }
        for p in processes { p.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0])
        let products = ws.run(["list", "--json"]).array
        #expect(products.count == 3300)
        #expect(Set(products.compactMap { $0["title"] as? String }).count == 3300)
        #expect(ws.run(["verify", "--json"]).object["checkedBlobs"] as? Int == 300)
    }
}
