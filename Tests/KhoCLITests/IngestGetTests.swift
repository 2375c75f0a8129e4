import Foundation
import KhoTesting
import Testing

@Suite struct IngestGetTests {
    @Test func ingestThenGetGivesIdenticalBytes() {
        let ws = Workspace()
        let bytes = randomBytes(3_000_000, seed: 1)
        let source = ws.file("video.bin", bytes: bytes)
        let id = ws.ingest(source)
        #expect(id.count == 19)
        let got = ws.run(["get", id])
        #expect(got.status == 0)
        #expect(got.stdout == Data(bytes))
        // -o writes a file; an existing one is not replaced without --force.
        #expect(ws.run(["get", id, "-o", "\(ws.path)/out.bin"]).status == 0)
        #expect(FileManager.default.contents(atPath: "\(ws.path)/out.bin") == Data(bytes))
        let refused = ws.run(["get", id, "-o", "\(ws.path)/out.bin"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("already exists"))
        #expect(ws.run(["get", id, "-o", "\(ws.path)/out.bin", "--force"]).status == 0)
        // -o FOLDER keeps the original name.
        try? FileManager.default.createDirectory(atPath: "\(ws.path)/outdir", withIntermediateDirectories: true)
        #expect(ws.run(["get", id, "-o", "\(ws.path)/outdir"]).status == 0)
        #expect(FileManager.default.contents(atPath: "\(ws.path)/outdir/video.bin") == Data(bytes))
    }

    @Test func zeroByteFilesRoundTrip() {
        let ws = Workspace()
        let id = ws.ingest(ws.file("empty.txt", ""))
        let show = ws.run(["show", id, "--json"])
        let files = show.object["files"] as? [[String: Any]] ?? []
        #expect(files.first?["sha256"] as? String == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(files.first?["size"] as? Int == 0)
        let got = ws.run(["get", id])
        #expect(got.status == 0 && got.stdout.isEmpty)
    }

    @Test func stdoutCarriesOnlyTheIDAndNoticesGoToStderr() {
        let ws = Workspace()
        let file = ws.file("a.txt", "cùng nội dung")
        let first = ws.ingest(file)
        let second = ws.run(["ingest", file, "--title", "Tiêu đề khác", "--kind", "article", "--lang", "vi", "--unit", "00004"])
        #expect(second.status == 0)
        let secondID = second.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secondID.count == 19 && secondID != first)
        #expect(second.stderr.contains("same bytes as file 1 of \(first)"))
        // The same title and files again: nothing new, the existing ID.
        let again = ws.run(["ingest", file, "--title", "Quyền con người", "--kind", "article", "--lang", "vi", "--unit", "00004"])
        #expect(again.status == 0)
        #expect(again.out.trimmingCharacters(in: .whitespacesAndNewlines) == first)
        #expect(again.stderr.contains("already archived"))
        #expect(ws.run(["list", "--json"]).array.count == 2)
        // One blob for the shared bytes.
        let verify = ws.run(["verify", "--json"])
        #expect(verify.object["checkedBlobs"] as? Int == 1)
    }

    @Test func nfdFileNamesComeBackNFC() {
        let ws = Workspace()
        let nfdName = "Vie\u{0323}\u{0302}t Nam.txt"
        let source = ws.file(nfdName, "nội dung")
        let id = ws.ingest(source)
        let file = (ws.run(["show", id, "--json"]).object["files"] as? [[String: Any]])?.first ?? [:]
        let name = file["name"] as? String ?? ""
        #expect(Array(name.unicodeScalars) == Array("Việt Nam.txt".unicodeScalars))
        let hex = Array(nfdName.utf8).map { String(format: "%02x", $0) }.joined()
        #expect(file["originalNameHex"] as? String == hex)
    }

    @Test func nonUTF8FileNamesAreKeptAndShown() {
        let ws = Workspace()
        // A Latin-1 name from an old Windows machine: "café.txt" with é as the byte E9.
        let script = "printf 'xin chao' > \"$(printf 'caf\\351.txt')\" && \"$KHO\" ingest \"$(printf 'caf\\351.txt')\" --title 'Tệp cũ' --kind article --lang vi --unit 00004"
        let r = ws.run(executable: "/bin/sh", ["-c", script], env: ["KHO": Kho.binary, "KHO_STORAGE": ws.archive])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("not UTF-8"))
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let file = (ws.run(["show", id, "--json"]).object["files"] as? [[String: Any]])?.first ?? [:]
        #expect(file["name"] as? String == "café.txt")
        #expect(file["originalNameHex"] as? String == "636166e92e747874")
        #expect(file["nameEncoding"] as? String == "windows-1252")
    }

    @Test func registerThenAttachFlipsDigitized() {
        let ws = Workspace()
        let reg = ws.run(["register", "--title", "Tờ rơi phòng chống mua bán người", "--kind", "leaflet", "--lang", "vi,hmn",
                          "--unit", "00004", "--produced", "2023-06-01", "--carrier", "paper", "--json"])
        #expect(reg.status == 0, "\(reg.stderr)")
        let id = reg.object["id"] as? String ?? ""
        #expect(reg.object["digitized"] as? Bool == false)
        #expect(reg.object["carrier"] as? String == "paper")
        let get = ws.run(["get", id])
        #expect(get.status == 1)
        #expect(get.stderr.contains("no files yet"))
        let scan = ws.file("scan.pdf", "%PDF-1.4 scan")
        let att = ws.run(["attach", id, scan, "--digitized", "2025-03-15", "--method", "scan", "--json"])
        #expect(att.status == 0, "\(att.stderr)")
        #expect(att.object["digitized"] as? Bool == true)
        #expect(att.object["digitizedOn"] as? String == "2025-03-15")
        #expect(att.object["digitizationMethod"] as? String == "scan")
        let files = att.object["files"] as? [[String: Any]] ?? []
        #expect(files.first?["mediaType"] as? String == "application/pdf")
        #expect(files.first?["role"] as? String == "master")
        let events = (ws.run(["show", id, "--json"]).object["events"] as? [[String: Any]] ?? []).map { $0["type"] as? String ?? "" }
        #expect(events == ["registration", "attach", "attach"])
        #expect(ws.run(["list", "--digitized", "no", "--json"]).array.isEmpty)
        #expect(ws.run(["list", "--digitized", "yes", "--json"]).array.count == 1)
    }

    @Test func searchWorksWithoutDiacritics() {
        let ws = Workspace()
        let a = ws.ingest(ws.file("a.txt", "a"), title: "Quyền con người trong Hiến pháp 2013")
        let b = ws.ingest(ws.file("b.txt", "b"), title: "Phỏng vấn ông Đặng Văn Hùng")
        let c = ws.ingest(ws.file("c.txt", "c"), title: "Hoà giải ở cơ sở")
        let d = ws.ingest(ws.file("d.txt", "d"), title: "Hòa nhập người khuyết tật", extra: ["--topic", "CRPD"])
        func ids(_ q: String) -> Set<String> { Set(ws.run(["search", q, "--json"]).array.compactMap { $0["id"] as? String }) }
        #expect(ids("quyen con nguoi") == [a])
        #expect(ids("dang") == [b])
        #expect(ids("hoa") == [c, d])
        #expect(ids("crpd") == [d])
        let table = ws.run(["search", "quyen", "con", "nguoi"])
        #expect(table.status == 0 && table.out.contains("Quyền con người trong Hiến pháp 2013"))
        #expect(ws.run(["search", "khong co gi"]).out.contains("no products match"))
    }

    @Test func editChangesMetadataAndLogsIt() {
        let ws = Workspace()
        let id = ws.ingest(ws.file("a.txt", "a"), title: "Tiêu đề sai chính tả")
        let r = ws.run(["edit", id, "--title", "Tiêu đề đúng", "--lang", "vi,tyz", "--channel", "zalo", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.object["title"] as? String == "Tiêu đề đúng")
        #expect(r.object["languages"] as? [String] == ["vi", "tyz"])
        #expect(r.object["digitalPlatform"] as? Bool == true)
        let events = ws.run(["show", id, "--json"]).object["events"] as? [[String: Any]] ?? []
        #expect(events.last?["type"] as? String == "metadata_modification")
        #expect((events.last?["detail"] as? String)?.contains("'Tiêu đề sai chính tả' → 'Tiêu đề đúng'") == true)
        let cleared = ws.run(["edit", id, "--clear", "channels", "--json"])
        #expect(cleared.object["channels"] as? [String] == [])
    }
}

@Suite struct FileListTests {
    @Test func filesFromAListStdinOrNULSeparated() throws {
        let ws = Workspace()
        let names = ["một.txt", "hai.txt", "ba có dấu cách.txt"]
        for (i, n) in names.enumerated() { ws.file("in/\(n)", "tệp \(i)") }
        // A list saved on Windows: CR LF line ends, a blank line.
        ws.file("list.txt", names.map { "\(ws.path)/in/\($0)" }.joined(separator: "\r\n") + "\r\n\r\n")
        let fromFile = ws.run(["ingest", "--files-from", "\(ws.path)/list.txt", "--title", "Từ danh sách", "--kind", "photo",
                               "--lang", "vi", "--unit", "00004", "--json"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect((fromFile.object["files"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == names)

        // find -print0 | kho ingest --files-from - --null, relative to the working directory.
        ws.file("more/a\nb.txt", "tên có xuống dòng")
        let piped = ws.run(executable: "/bin/bash", ["-c", "cd more && find . -type f -print0 | \"$KHO\" ingest --files-from - --null --title 'NUL' --kind photo --lang vi --unit 00004 --json"],
                           env: ["KHO": Kho.binary, "KHO_STORAGE": ws.archive])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect((piped.object["files"] as? [[String: Any]])?.first?["name"] as? String == "a_b.txt")

        // An empty or missing list is an error; no files at all is a usage error.
        ws.file("empty.txt", "\n\n")
        #expect(ws.run(["ingest", "--files-from", "\(ws.path)/empty.txt", "--title", "T", "--kind", "photo", "--lang", "vi", "--unit", "00004"]).status == 1)
        #expect(ws.run(["ingest", "--files-from", "\(ws.path)/nope.txt", "--title", "T", "--kind", "photo", "--lang", "vi", "--unit", "00004"]).stderr.contains("nope.txt"))
        #expect(ws.run(["ingest", "--title", "T", "--kind", "photo", "--lang", "vi", "--unit", "00004"]).status == 2)
    }
}
