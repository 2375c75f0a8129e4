import Foundation
import Testing
@testable import KhoCore

@Suite struct DelimitedTextTests {
    func records(_ text: String, delimiter: Character = ",") -> [DelimitedRecord] {
        (try? DelimitedText.records(Array(text.utf8), delimiter: delimiter.asciiValue!).get()) ?? []
    }

    @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() {
        let r = records("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"line 1\r\nline 2\"\r\nlast,,\r\n")
        #expect(r.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "line 1\r\nline 2"], ["last", "", ""]])
        // Row numbers are the spreadsheet's: a cell with a line break is still one row.
        #expect(r.map(\.row) == [1, 2, 3])
    }

    @Test func blankRowsAreSkippedButCounted() {
        let r = records("h\n\nx\n;;\n,,\ny")
        #expect(r.map(\.row) == [1, 3, 4, 6])
    }

    @Test func lineEndsOfEveryKind() {
        #expect(records("a\rb\nc\r\nd").map(\.fields) == [["a"], ["b"], ["c"], ["d"]])
    }

    @Test func theDelimiterIsDetectedFromTheHeader() {
        #expect(DelimitedText.detectDelimiter(Array("tiêu đề;loại;\"a,b\"\nx,y,z,w".utf8)) == UInt8(ascii: ";"))
        #expect(DelimitedText.detectDelimiter(Array("title,kind\n".utf8)) == UInt8(ascii: ","))
        #expect(DelimitedText.detectDelimiter(Array("title\tkind\tunit".utf8)) == UInt8(ascii: "\t"))
    }

    @Test func anUnclosedQuoteNamesItsRow() {
        guard case .failure(let p) = DelimitedText.records(Array("a\nb\n\"never closed\nc".utf8), delimiter: 44) else {
            Issue.record("accepted"); return
        }
        #expect(p.expected.contains("row 3"))
    }

    @Test func writingQuotesWhatNeedsIt() {
        #expect(DelimitedText.line(["1", "a,b", "say \"x\"", "plain"]) == "1,\"a,b\",\"say \"\"x\"\"\",plain")
        #expect(records(DelimitedText.line(["x\ny", "z"])).map(\.fields) == [["x\ny", "z"]])
    }
}

@Suite struct TextDecodingTests {
    @Test func byteOrderMarks() {
        #expect(TextDecoding.decode([0xEF, 0xBB, 0xBF] + Array("tiêu đề".utf8)).encoding == "UTF-8 with BOM")
        #expect(String(decoding: TextDecoding.decode([0xEF, 0xBB, 0xBF] + Array("tiêu đề".utf8)).utf8, as: UTF8.self) == "tiêu đề")
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("Việt".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let decoded = TextDecoding.decode(utf16)
        #expect(decoded.encoding == "UTF-16LE")
        #expect(String(decoding: decoded.utf8, as: UTF8.self) == "Việt")
    }

    @Test func windows1258IsReadWithAWarning() {
        // "Việt Nam" in Windows-1258: V i e + combining dot below (F2) ... ê is EA, tone as combining mark.
        let bytes: [UInt8] = [0x56, 0x69, 0xEA, 0xF2, 0x74, 0x20, 0x4E, 0x61, 0x6D, 0x3B, 0xD0, 0xE3, 0x6E, 0x67]
        let decoded = TextDecoding.decode(bytes)
        #expect(decoded.encoding == "Windows-1258")
        #expect(decoded.warning != nil)
        #expect(String(decoding: decoded.utf8, as: UTF8.self) == "Việt Nam;Đăng")
    }

    @Test func nfdTextIsComposed() {
        let decoded = TextDecoding.decode(Array("Vie\u{0323}\u{0302}t".utf8))
        #expect(String(decoding: decoded.utf8, as: UTF8.self).unicodeScalars.count == 4)
    }
}

@Suite struct ManifestParserTests {
    @Test func vietnameseHeadersAndSemicolons() throws {
        let csv = "\u{FEFF}Mã nguồn;Tiêu đề;Loại;Ngôn ngữ;Đơn vị;Ngày sản xuất;Ghi chú riêng\r\nA1;Bài viết;article;vi;00004;2024-01-02;x\r\n"
        let parsed = try ManifestParser.parse(Array(csv.utf8), fileName: "danh-muc.csv").get()
        #expect(parsed.format == "CSV, semicolon-separated, UTF-8 with BOM")
        #expect(parsed.rows.count == 1)
        #expect(parsed.rows[0].row == 2)
        #expect(parsed.rows[0][.title] == "Bài viết")
        #expect(parsed.rows[0][.sourceID] == "A1")
        #expect(parsed.rows[0][.produced] == "2024-01-02")
        #expect(parsed.headers[.kind] == "Loại")
        #expect(parsed.warnings.contains { $0.contains("Ghi chú riêng") })
    }

    @Test(arguments: ["TIEU DE", "tieu_de", "Tiêu   Đề", "title", "Title"])
    func headerSpellings(header: String) throws {
        let parsed = try ManifestParser.parse(Array("\(header)\nx\n".utf8), fileName: "m.csv").get()
        #expect(parsed.rows.first?[.title] == "x")
    }

    @Test func twoHeadersForOneColumnIsAnError() {
        guard case .failure(let e) = ManifestParser.parse(Array("title,tiêu đề\na,b\n".utf8), fileName: "m.csv") else { Issue.record("accepted"); return }
        #expect(e.code == .duplicateColumn)
    }

    @Test func aHeaderWithNoKnownColumnIsAnError() {
        guard case .failure(let e) = ManifestParser.parse(Array("foo,bar\n1,2\n".utf8), fileName: "m.csv") else { Issue.record("accepted"); return }
        #expect(e.code == .noKnownColumns)
    }

    @Test func extraCellsAreARowProblem() throws {
        let parsed = try ManifestParser.parse(Array("title,kind\nA, B,article,oops\n".utf8), fileName: "m.csv").get()
        #expect(parsed.rowProblems.map(\.row) == [2])
    }

    /// A CSV's rows cut into cells a slice at a time are the rows read whole: quoted line
    /// breaks, CRLF and CR line ends, blank lines and rows with extra cells included.
    @Test func slicesOfACSVAreItsRows() throws {
        let csv = "title;kind;description\r\nMột;article;\"dòng 1\r\ndòng 2\"\r\n\r\nHai;poster;x\rBa;leaflet;\"có ;\"\"\"\nBốn;photo;y;thừa\n\nNăm;skit;z"
        let parsed = try ManifestParser.parse(Array(csv.utf8), fileName: "m.csv").get()
        let table = parsed.table
        #expect(table.count == 5)
        let whole = table.all
        #expect(whole.map(\.row) == [2, 4, 5, 6, 8])
        #expect(whole.map { $0[.title] ?? "" } == ["Một", "Hai", "Ba", "Bốn", "Năm"])
        #expect(whole[0].cells[.description] == "dòng 1\r\ndòng 2")
        #expect(whole[2].cells[.description] == "có ;\"")
        for start in 0..<table.count {
            for end in start...table.count {
                #expect(table[start..<end] == Array(whole[start..<end]), "rows \(start)..<\(end)")
            }
        }
        #expect(parsed.rowProblems.map(\.row) == [6])
        #expect(table.contains(number: 6) && table.contains(number: 8) && !table.contains(number: 3) && !table.contains(number: 1))
    }

    /// A CSV of several megabytes read a slice at a time, letting go of the text behind each
    /// slice: every row comes out as when the whole file is cut at once.
    @Test func aLongCSVReadOnceLetsGoOfItsText() throws {
        var csv = "title,kind,description\n"
        for i in 0..<30_000 { csv += "Sản phẩm \(i),article,\"mô tả \(i), có dấu phẩy\nvà xuống dòng \(String(repeating: "x", count: i % 97))\"\n" }
        let table = try ManifestParser.parse(Array(csv.utf8), fileName: "m.csv").get().table
        #expect(table.count == 30_000)
        let whole = table.all
        var read: [ManifestRow] = []
        for start in stride(from: 0, to: table.count, by: 2048) {
            read += table[start..<min(start + 2048, table.count)]
            table.release(before: start)
        }
        #expect(read == whole)
        #expect(read.last?.cells[.description] == "mô tả 29999, có dấu phẩy\nvà xuống dòng \(String(repeating: "x", count: 29_999 % 97))")
    }

    @Test func jsonLines() throws {
        let text = """
            {"title": "A", "languages": ["vi", "tyz"], "files": ["a.txt", "b.txt"], "unit": "00004", "extra": 1}

            not json
            {"tiêu đề": "B", "produced": null}
            """
        let parsed = try ManifestParser.parse(Array(text.utf8), fileName: "m.jsonl").get()
        #expect(parsed.rows.count == 2)
        #expect(parsed.rows[0][.languages] == "vi|tyz")
        #expect(parsed.rows[0][.files] == "a.txt|b.txt")
        #expect(parsed.rows[1][.title] == "B" && parsed.rows[1].row == 4)
        #expect(parsed.rowProblems.map(\.row) == [3])
        #expect(parsed.warnings.contains { $0.contains("extra") })
    }
}

@Suite struct ManifestValidatorTests {
    let validator = ManifestValidator()

    func row(_ cells: [ManifestColumn: String], at n: Int = 2) -> ManifestRow { ManifestRow(row: n, cells: cells) }
    var base: [ManifestColumn: String] { [.title: "T", .kind: "article", .languages: "vi", .unit: "00004", .produced: "2024-01-01"] }

    @Test func actionsFollowFilesAndCarrier() {
        var cells = base
        #expect({ if case .register(_, .paper) = validator.plan(row(cells)).action { true } else { false } }())
        cells[.files] = "a.txt|b/c.pdf"
        #expect(validator.plan(row(cells)).action?.files == ["a.txt", "b/c.pdf"])
        #expect({ if case .ingest = validator.plan(row(cells)).action { true } else { false } }())
        cells[.carrier] = "photo"
        cells[.digitized] = "2025-01-02"
        cells[.method] = "photograph"
        guard case .digitized(_, .photo, _, let on, .photograph) = validator.plan(row(cells)).action else { Issue.record("not digitized"); return }
        #expect(on?.description == "2025-01-02")
    }

    @Test func everyMistakeNamesRowColumnValueAndExpectation() {
        let cells: [ManifestColumn: String] = [.title: "T", .kind: "poem", .languages: "vi_VN|xx", .unit: "00001", .produced: "2025-08-01",
                                               .published: "2025-02-30", .channels: "pigeon", .access: "secret", .carrier: "stone",
                                               .digitized: "yesterday", .method: "magic", .files: "../outside.pdf|/etc/passwd|C:\\x.pdf"]
        let planned = validator.plan(row(cells, at: 7))
        #expect(planned.action == nil)
        #expect(planned.problems.allSatisfy { $0.row == 7 })
        let codes = planned.problems.map(\.code.rawValue)
        for code in ["unknown_kind", "malformed_language_tag", "unknown_language_tag", "invalid_date", "unknown_channel",
                     "unknown_access", "unknown_carrier", "unknown_method", "path_escapes_folder", "absolute_path"] {
            #expect(codes.contains(code), "\(code) missing from \(codes)")
        }
        #expect(planned.problems.first { $0.code == .unknownKind }?.value == "poem")
        #expect(planned.problems.first { $0.code == .unknownKind }?.column == "kind")
    }

    @Test func unitCodesAreCheckedOnTheProductsDate() {
        var cells = base
        cells[.unit] = "00001"   // Phường Phúc Xá: merged into 00097 on 1 July 2025
        #expect(validator.plan(row(cells)).problems.isEmpty)
        cells[.produced] = "2025-08-01"
        let problem = validator.plan(row(cells)).problems.first
        #expect(problem?.code == .unknownUnit)
        #expect(problem?.expected.contains("00097") == true)
        cells[.unit] = "00097"
        #expect(validator.plan(row(cells)).problems.isEmpty)
    }

    @Test func headersAsWrittenAppearInMessages() {
        let v = ManifestValidator(headers: [.kind: "Loại"])
        var cells = base
        cells[.kind] = "thơ"
        #expect(v.plan(row(cells)).problems.first?.column == "Loại")
    }

    @Test func duplicateRowsAreMarked() {
        var a = base; a[.sourceID] = "S1"; a[.files] = "x.pdf"
        var b = base; b[.sourceID] = "S1"; b[.files] = "y.pdf"
        var c = base; c[.files] = "z.pdf"
        var d = base; d[.files] = "z.pdf"
        var rows = [validator.plan(row(a, at: 2)), validator.plan(row(b, at: 3)), validator.plan(row(c, at: 4)), validator.plan(row(d, at: 5))]
        validator.markDuplicates(&rows)
        #expect(rows.map { $0.action != nil } == [true, false, true, false])
        #expect(rows[1].problems.first?.expected.contains("row 2") == true)
        #expect(rows[3].problems.first?.expected.contains("row 4") == true)
    }

    @Test func attachRowsNeedFiles() {
        let planned = validator.plan(row([.productID: "0000-0000-0000-0000"]))
        #expect(planned.problems.map(\.code.rawValue) == ["missing_file"])
    }

    @Test(arguments: [("a/./b/../c.pdf", "a/c.pdf"), ("anh\\poster.jpg", "anh/poster.jpg"), ("x//y", "x/y")])
    func relativePathsAreCleaned(input: String, output: String) throws {
        #expect(try ManifestValidator.relativePath(input).get() == output)
    }
}

@Suite struct UnitTableTests {
    let table = UnitTable.standard

    @Test func theTablesHaveTheExpectedSize() {
        let c = table.counts
        #expect(c.oldProvinces == 63)
        #expect(c.newProvinces == 34)
        #expect(c.newCommunes == 3321)
        #expect((600...720).contains(c.oldDistricts))
        #expect((10_000...10_100).contains(c.oldCommunes + 5))
    }

    /// Archives compare it on opening to know when stored flags must be made again.
    @Test func theFingerprintWithoutParsingIsTheParsedTablesAndFollowsTheData() {
        #expect(UnitTable.standardFingerprint == table.dataFingerprint)
        #expect(UnitTable(data: "NP\t01\tThành phố\tHà Nội\n").dataFingerprint != UnitTable(data: "NP\t01\tThành phố\tHà Nội \n").dataFingerprint)
    }

    @Test func aCodeCanNameTwoUnitsOverTime() {
        let units = table.units("00004")
        #expect(units.map(\.fullName) == ["Phường Trúc Bạch", "Phường Ba Đình"])
        #expect(units.map(\.era) == [.before2025, .from2025])
        #expect(table.successors(of: units[0]).map(\.code) == ["00004"])
        #expect(table.predecessors(of: units[1]).map(\.code).contains("00004"))
    }

    @Test func validationUsesTheTableOfTheDay() throws {
        let code = try UnitCode.parse("00001").get()
        #expect((try? table.validate(code, on: CalendarDate(year: 2024, month: 5, day: 1)).get())?.name == "Phúc Xá")
        #expect((try? table.validate(code, on: CalendarDate(year: 2025, month: 6, day: 30)).get()) != nil)
        #expect((try? table.validate(code, on: CalendarDate(year: 2025, month: 7, day: 1)).get()) == nil)
        #expect((try? table.validate(code, on: nil).get())?.name == "Phúc Xá")
        #expect((try? table.validate(try UnitCode.parse("99999").get(), on: nil).get()) == nil)
    }

    @Test func provincesMergeAsDecided() throws {
        let konTum = try #require(table.unit("62", era: .before2025))
        #expect(table.successors(of: konTum).map(\.fullName) == ["Tỉnh Quảng Ngãi"])
        // Lạng Sơn and Cao Bằng were not merged: each is its own successor.
        for code in ["20", "04"] {
            let old = try #require(table.unit(code, era: .before2025))
            #expect(table.successors(of: old).map(\.code) == [code])
            #expect(table.predecessors(of: try #require(table.unit(code, era: .from2025))).map(\.code) == [code])
        }
    }

    @Test func everyOldCommuneHasASuccessorInTheSameNewProvince() {
        var checked = 0
        for code in (0..<100_000).map({ String(format: "%05d", $0) }) {
            guard let old = table.unit(code, era: .before2025), old.level == .commune else { continue }
            let successors = table.successors(of: old)
            #expect(!successors.isEmpty, "\(code)")
            let oldProvince = table.ancestors(of: old).last!
            let newProvince = table.successors(of: oldProvince).first?.code
            #expect(successors.first?.parent == newProvince, "\(code) \(old.fullName)")
            checked += 1
        }
        #expect(checked > 10_000)
    }

    @Test func dividedCommunesListEveryPart() throws {
        let old = try #require(table.unit("00097", era: .before2025))
        #expect(table.successors(of: old).count == 2)
    }

    @Test func searchIgnoresDiacriticsAndRanksWholeWords() {
        let hits = table.search("truc bach")
        #expect(hits.first?.code == "00004")
        #expect(table.search("TRÚC BẠCH").first?.code == "00004")
        #expect(table.search("ba dinh").first?.fullName == "Phường Ba Đình")
        #expect(table.search("0000", limit: 100).allSatisfy { $0.code.hasPrefix("0000") })
        #expect(table.search("zzzqqq").isEmpty)
    }
}

@Suite struct SubtagRegistryTests {
    let registry = SubtagRegistry.standard

    @Test(arguments: ["vi", "tyz", "blt-Tavt", "cjm-Cham", "zh-Hant-TW", "en-GB", "es-419", "de-CH-1901", "qaa", "en-QM", "sl-rozaj"])
    func registeredTagsPass(tag: String) throws {
        #expect((try? registry.check(try LanguageTag.parse(tag).get()).get()) != nil)
    }

    @Test(arguments: [("xx", "language"), ("vi-Qqqq", "script"), ("vi-QQ", "ok"), ("en-AB", "region"), ("de-abcde", "variant")])
    func unregisteredSubtagsAreNamed(tag: String, what: String) throws {
        let result = registry.check(try LanguageTag.parse(tag).get())
        switch (result, what) {
        case (.success, "ok"): break
        case (.failure(let p), _): #expect(p.expected.contains("registered \(what) subtag"), "\(p.expected)")
        default: Issue.record("\(tag) gave \(result)")
        }
    }

    @Test func deprecatedTagsWarnWithTheirReplacement() throws {
        let warnings = try registry.check(try LanguageTag.parse("iw").get()).get()
        #expect(warnings.first?.contains("'he'") == true)
    }
}
