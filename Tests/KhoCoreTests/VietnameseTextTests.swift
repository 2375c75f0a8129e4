import Foundation
import Testing
@testable import KhoCore

@Suite struct VietnameseTextTests {
    /// The table's decomposition is Foundation's, scalar by scalar over the ranges it covers,
    /// and for mixed text (a Mac's folder names).
    @Test func nfdByTableIsFoundations() {
        var differ: [UInt32] = []
        for value in Array(0...0x2FF) + Array(0x1E00...0x1EFF) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(scalar) + "b"
            if !VietnameseText.nfd(text).unicodeScalars.elementsEqual(text.decomposedStringWithCanonicalMapping.unicodeScalars) { differ.append(UInt32(value)) }
        }
        #expect(differ.isEmpty, "\(differ.map { String($0, radix: 16) })")
        for text in ["Xã Đăk Rơ Wa", "Âm thanh", "bài-viết-tuyên-truyền-0012.pdf", "Quye\u{0302}\u{0300}n", "日本語", "ấ\u{0301}", ""] {
            #expect(Array(VietnameseText.nfd(text).unicodeScalars) == Array(text.decomposedStringWithCanonicalMapping.unicodeScalars), "\(text)")
        }
    }

    @Test func nfcComposesDecomposedText() {
        let nfd = "Vie\u{0323}\u{0302}t"
        #expect(nfd.unicodeScalars.count == 6)
        let nfc = VietnameseText.nfc(nfd)
        #expect(nfc.unicodeScalars.count == 4)
        #expect(nfc == "Việt")
    }

    @Test(arguments: [
        ("Quyền con người", "quyen con nguoi"),
        ("Đặng Thị Ngọc", "dang thi ngoc"),
        ("hoà", "hoa"), ("hòa", "hoa"), ("thuỷ", "thuy"), ("thủy", "thuy"),
        ("ĐIỆN BIÊN", "dien bien"), ("Ư Ơ Ă Â Ê Ô", "u o a a e o"),
    ])
    func foldRemovesDiacriticsAndCase(input: String, folded: String) {
        #expect(VietnameseText.fold(input) == folded)
    }

    @Test func foldTreatsOldAndNewTonePlacementAlike() {
        #expect(VietnameseText.fold("Hoà Bình") == VietnameseText.fold("Hòa Bình"))
        #expect(VietnameseText.fold("Thuỷ") == VietnameseText.fold("Thủy"))
    }

    @Test func foldedWordsSplitOnPunctuation() {
        #expect(VietnameseText.foldedWords("Quyền-con người, 2013!") == ["quyen", "con", "nguoi", "2013"])
    }

    @Test func collationFollowsTheVietnameseAlphabet() {
        let ordered = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "o", "ô", "ơ", "p", "u", "ư", "v", "y"]
        let shuffled = ordered.reversed().shuffled()
        #expect(shuffled.sorted(by: VietnameseText.precedes) == ordered)
    }

    @Test func collationPutsTonesAfterBaseLettersInDictionaryOrder() {
        let tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
        #expect(tones.shuffled().sorted(by: VietnameseText.precedes) == tones)
        // The base letter decides before the tone: "mạ" < "mb".
        #expect(VietnameseText.precedes("mạ", "mb"))
        #expect(VietnameseText.precedes("Đà Nẵng", "Em"))
        #expect(VietnameseText.precedes("Dung", "Đà"))
        #expect(!VietnameseText.precedes("Dung", "Dung"))
    }

    @Test func collationIgnoresNormalizationForm() {
        #expect(VietnameseText.collationKey("Vie\u{0323}\u{0302}t") == VietnameseText.collationKey("Việt"))
    }

    @Test func spacePunctuationDigitsLettersThenOtherScripts() {
        let ordered = ["", " ", "!", "-", "0", "9", "a", "z", "Ω", "中"]
        #expect(ordered.shuffled().sorted(by: VietnameseText.precedes) == ordered)
        #expect(VietnameseText.precedes("Bài 2", "Bài 10") == false) // character by character, as dictionaries do
        #expect(VietnameseText.precedes("Ba", "Bà"))
        #expect(VietnameseText.precedes("ma", "Ma"))
        #expect(VietnameseText.precedes("Mà", "mả"))
        #expect(VietnameseText.collationKey("Ma") != VietnameseText.collationKey("ma"))
    }

    @Test func keysAreShort() {
        #expect(VietnameseText.collationKey("Sản phẩm tuyên truyền số 1 về quyền con người").count < 100)
    }

    @Test func shorterPrefixSortsFirst() {
        #expect(VietnameseText.precedes("Quyền", "Quyền con người"))
        #expect(VietnameseText.precedes("an ninh", "anh"))
    }
}
