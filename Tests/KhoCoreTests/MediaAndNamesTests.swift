import Foundation
import Testing
@testable import KhoCore

@Suite struct MediaTypeTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func commonSignatures() {
        #expect(MediaType.sniff(bytes("%PDF-1.7\n"), fileName: "x") == "application/pdf")
        #expect(MediaType.sniff([0xFF, 0xD8, 0xFF, 0xE0], fileName: "x") == "image/jpeg")
        #expect(MediaType.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0], fileName: "x") == "image/png")
        #expect(MediaType.sniff(bytes("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt "), fileName: "x") == "audio/x-wav")
        #expect(MediaType.sniff([0, 0, 0, 0x20] + bytes("ftypisom") + [0, 0, 0, 0], fileName: "x") == "video/mp4")
        #expect(MediaType.sniff([0, 0, 0, 0x14] + bytes("ftypqt  ") + [0, 0, 0, 0], fileName: "x") == "video/quicktime")
        #expect(MediaType.sniff(bytes("ID3\u{4}"), fileName: "x") == "audio/mpeg")
        #expect(MediaType.sniff([0x1A, 0x45, 0xDF, 0xA3] + bytes("....webm"), fileName: "x") == "video/webm")
    }

    @Test func textAndMarkup() {
        #expect(MediaType.sniff(bytes("Quyền con người\n"), fileName: "bai.txt") == "text/plain")
        #expect(MediaType.sniff(bytes("1\n00:00:01,000 --> 00:00:02,000\nXin chào\n"), fileName: "clip.srt") == "application/x-subrip")
        #expect(MediaType.sniff(bytes("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"), fileName: "a") == "image/svg+xml")
        #expect(MediaType.sniff(bytes("<!DOCTYPE html><html>"), fileName: "a") == "text/html")
        #expect(MediaType.sniff([], fileName: "empty") == "application/x-empty")
        #expect(MediaType.sniff([0, 1, 2, 3, 200], fileName: "blob") == "application/octet-stream")
    }

    @Test func aHeadCutInsideACharacterIsStillText() {
        let text = Array(String(repeating: "Việt ", count: 20).utf8)
        let cut = Array(text.prefix(text.count - 5)) + [0xE1, 0xBB]
        #expect(MediaType.sniff(cut, fileName: "a") == "text/plain")
    }

    @Test func containersUseTheExtension() {
        let zip = bytes("PK\u{3}\u{4}") + Array(repeating: 0, count: 40)
        #expect(MediaType.sniff(zip, fileName: "bao-cao.docx") == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        #expect(MediaType.sniff(zip, fileName: "a.zip") == "application/zip")
    }
}

@Suite struct FileNameTests {
    @Test func nfdNamesAreShownInNFC() {
        let nfd = Array("Vie\u{0323}\u{0302}t Nam.pdf".utf8)
        let name = FileName(bytes: nfd)
        #expect(name.display == "Việt Nam.pdf")
        #expect(name.original == nfd)
        #expect(name.decodedAs == "utf-8")
    }

    @Test func nonUTF8NamesAreReadAsWindows1252() {
        let name = FileName(bytes: [0x43, 0x61, 0x66, 0xE9, 0x80, 0x2E, 0x74, 0x78, 0x74])
        #expect(name.display == "Café€.txt")
        #expect(name.decodedAs == "windows-1252")
    }

    @Test func lastComponentOfAPath() {
        #expect(FileName.lastComponent(of: Array("a/b/c.txt".utf8)) == Array("c.txt".utf8))
        #expect(FileName.lastComponent(of: Array("c.txt".utf8)) == Array("c.txt".utf8))
        #expect(FileName.lastComponent(of: Array("/x/y/".utf8)) == Array("y".utf8))
    }

    @Test func controlCharactersAreNotShown() {
        #expect(FileName(bytes: Array("a\nb\u{1}.txt".utf8)).display == "a_b_.txt")
    }
}

@Suite struct FormattingTests {
    @Test func bytesUseDecimalUnits() {
        #expect(Formatting.bytes(0) == "0 B")
        #expect(Formatting.bytes(999) == "999 B")
        #expect(Formatting.bytes(1500) == "1.5 KB")
        #expect(Formatting.bytes(2_000_000_000) == "2.0 GB")
    }

    @Test func durations() {
        #expect(Formatting.duration(9) == "0:09")
        #expect(Formatting.duration(750) == "12:30")
        #expect(Formatting.duration(3723) == "1:02:03")
        #expect(Formatting.duration(.infinity) == "--:--")
    }

    @Test func progressLineShowsShareRateAndETA() {
        let line = Formatting.progressLine(label: "storing", done: 500_000_000, total: 1_000_000_000, elapsed: 5, width: 100)
        #expect(line.hasPrefix("storing  50% ["))
        #expect(line.contains("500.0 MB/1.0 GB"))
        #expect(line.contains("100.0 MB/s"))
        #expect(line.contains("ETA 0:05"))
        #expect(line.count <= 100)
    }
}

@Suite struct SearchQueryTests {
    @Test func wordsAreFoldedAndQuoted() {
        #expect(SearchQuery.fts("Quyền con NGƯỜI") == "\"quyen\" \"con\" \"nguoi\"")
        #expect(SearchQuery.fts("phát*") == "\"phat\"*")
        #expect(SearchQuery.fts("\"OR\" NEAR(") == "\"or\" \"near\"")
        #expect(SearchQuery.fts("  ,.; ") == nil)
    }
}

@Suite struct JSONListTests {
    @Test(arguments: [[], ["vi"], ["vi", "tyz"], ["a \"quoted\" topic", "back\\slash", "line\nbreak", "tab\t", "\u{1}ctl", "Quyền con người", "😀"]])
    func listsRoundTrip(values: [String]) throws {
        let text = JSONList.encode(values)
        #expect(JSONList.decode(text) == values)
        // And standard JSON readers agree.
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        #expect(parsed == values)
    }

    @Test func foreignJSONIsRead() {
        #expect(JSONList.decode(#" [ "a" , "\u00e9\ud83d\ude00" ] "#) == ["a", "é😀"])
        #expect(JSONList.decode("[1]") == nil)
        #expect(JSONList.decode("[\"open") == nil)
        #expect(JSONList.decode("{}") == nil)
    }

    @Test func titleKeysAreStable() {
        #expect(TitleKey.of("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
        #expect(TitleKey.of("Quyền con người") == TitleKey.of("Quyền con người"))
        #expect(TitleKey.of("Quyền con người") != TitleKey.of("Quyen con nguoi"))
    }
}

@Suite struct HexAndMarkupTests {
    @Test func hexRoundTrips() {
        #expect(Hex.lower([0x00, 0x0f, 0xab, 0xff]) == "000fabff")
        #expect(Hex.bytes("000FabfF") == [0x00, 0x0f, 0xab, 0xff])
        #expect(Hex.bytes("abc") == nil && Hex.bytes("zz") == nil)
        let bytes: [UInt8] = [0x00, 0x0f, 0xab, 0xff]
        #expect(Hex.matches("000fabff", bytes[...]) && Hex.matches("000FABFF", bytes[...]))
        #expect(!Hex.matches("000fabfe", bytes[...]) && !Hex.matches("000fab", bytes[...]) && !Hex.matches("000fabff00", bytes[...]))
        #expect(!Hex.matches("000fabfg", bytes[...]) && Hex.matches("", bytes[0..<0]) && !Hex.matches("0", bytes[0..<0]))
    }

    @Test func markupEscapesEntitiesAndControlCharacters() {
        #expect(Markup.escape("<a href=\"x\">Tom & Jerry's</a>") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(Markup.escape("a\u{07}b\nc") == "a b\nc")
    }
}
