// The byte-level shortcuts of the text rules give what the character-level definitions give:
// NFC detection, control characters in file names, replacing a character.
import Testing
@testable import KhoCore

@Suite struct TextFastPathTests {
    /// Every kind of text a name or title brings: ASCII, Vietnamese in NFC and NFD, other
    /// scripts, the edges of the ranges the shortcuts test, controls, emoji.
    static let samples: [String] = [
        "", "a", "Quyền con người", "Quye\u{0302}\u{0300}n", "Bài viết.pdf", "Đăk Rơ Wa", "\u{00FF}\u{0100}\u{02FF}", "\u{0300}", "x\u{036F}",
        "\u{1E00}", "\u{1EFF}", "\u{1DFF}", "\u{1F00}", "\u{2000}", "\u{0800}", "日本", "ру́сский", "\u{1F600}", "a\u{0}b", "a\u{1F}b",
        "a\u{7F}", "a\u{80}b", "a\u{9F}", "a\u{A0}", "tab\there", "line\nbreak", "\u{FEFF}x", "e\u{301}", "\u{E000}", "ấ\u{0301}",
    ]

    @Test func trivialNFCMatchesItsDefinitionOnScalars() {
        for text in Self.samples {
            let byScalars = text.unicodeScalars.allSatisfy { $0.value < 0x0300 || (0x1E00...0x1EFF).contains($0.value) }
            #expect(LatinDecomposition.isTriviallyNFC(text) == byScalars, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func controlCharactersInNamesAreReplacedAndOthersKept() {
        for text in Self.samples {
            let byScalars = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "_" : $0 }))
            #expect(FileName.stripControl(text) == byScalars, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(FileName(bytes: Array("bản\u{9F}tin.pdf".utf8)).display == "bản_tin.pdf")
    }

    @Test func replacingACharacter() {
        #expect("a-b c".replacingAll("-", with: "_") == "a_b c")
        #expect("abc".replacingAll("-", with: "_") == "abc")
        #expect("thư\\mục\\ảnh.jpg".replacingAll("\\", with: "/") == "thư/mục/ảnh.jpg")
        #expect("a\"b".replacingAll("\"", with: "\"\"") == "a\"\"b")
        #expect("Đ:x".replacingAll("Đ", with: "D") == "D:x")
        // Characters Swift equals to an ASCII one are still replaced (Kelvin sign, Greek question mark).
        #expect("\u{212A}".replacingAll("K", with: "k") == "k")
        #expect("a\u{037E}".replacingAll(";", with: ",") == "a,")
    }

    @Test func driveLettersAreAbsoluteWhateverFollows() throws {
        for path in ["C:\\data\\a.pdf", "c:a.pdf", "Đ:\\x", "a:b"] {
            #expect(throws: Problem.self) { try ManifestValidator.relativePath(path).get() }
        }
        #expect(try ManifestValidator.relativePath("ab:c").get() == "ab:c")
        // A "/" with a combining mark after it is one character, yet a separator on disk.
        #expect(throws: Problem.self) { try ManifestValidator.relativePath("../\u{301}x").get() }
        #expect(throws: Problem.self) { try ManifestValidator.relativePath("/\u{301}etc/passwd").get() }
        #expect(try ManifestValidator.relativePath("a/\u{301}b/../c").get() == "a/c")
        #expect(try ManifestValidator.relativePath("C").get() == "C")
    }
}
