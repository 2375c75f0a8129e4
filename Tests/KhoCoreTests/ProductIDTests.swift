import Testing
@testable import KhoCore

@Suite struct ProductIDTests {
    @Test func idsLookLikeFourGroupsOfFour() {
        var rng = SplitMix64(seed: 1)
        let id = ProductID.generate(using: &rng)
        let text = id.description
        #expect(text.count == 19)
        #expect(text.split(separator: "-").map(\.count) == [4, 4, 4, 4])
        #expect(text.allSatisfy { $0 == "-" || ProductID.alphabet.contains($0) })
        #expect(!text.contains("I") && !text.contains("L") && !text.contains("O") && !text.contains("U"))
    }

    @Test func generatedIDsParseBack() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<1000 {
            let id = ProductID.generate(using: &rng)
            #expect(try ProductID.parse(id.description).get() == id)
            #expect(try ProductID.parse(id.compact.lowercased()).get() == id)
            #expect(try ProductID.parse(" " + id.description.lowercased() + " ").get() == id)
        }
    }

    /// The byte-level fast path accepts exactly what the careful reading accepts, as the same
    /// ID: real IDs in any case and spacing, with lookalikes, and mistyped or mangled ones.
    @Test func theFastPathAgreesWithTheCarefulReading() {
        var rng = SplitMix64(seed: 11)
        for n in 0..<3000 {
            let id = ProductID.generate(using: &rng)
            var text = Array(n % 2 == 0 ? id.description : id.compact.lowercased())
            switch n % 6 {
            case 1: text[Int(rng.next() % UInt64(text.count))] = "O"
            case 2: text[Int(rng.next() % UInt64(text.count))] = Character(["l", "I", "u", "é", "\t", "-"][Int(rng.next() % 6)])
            case 3: text.swapAt(0, 1)
            case 4: text.insert(" ", at: Int(rng.next() % UInt64(text.count)))
            case 5: text.removeLast()
            default: break
            }
            let input = String(text)
            let careful = try? ProductID.parseCarefully(input).get()
            #expect(ProductID.parseASCII(input) == careful || ProductID.parseASCII(input) == nil && careful != nil && !input.utf8.allSatisfy { $0 < 128 && $0 != 9 },
                    "\(input)")
            #expect((try? ProductID.parse(input).get()) == careful, "\(input)")
        }
    }

    @Test func typedLookalikesAreForgiven() throws {
        var rng = SplitMix64(seed: 7)
        var id = ProductID.generate(using: &rng)
        while !id.compact.contains("0") && !id.compact.contains("1") { id = ProductID.generate(using: &rng) }
        let typed = id.compact.replacingAll("0", with: "O").replacingAll("1", with: "l")
        #expect(try ProductID.parse(typed).get() == id)
    }

    @Test func everySingleMistypedCharacterIsCaught() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<20 {
            let id = ProductID.generate(using: &rng)
            let chars = Array(id.compact)
            for position in 0..<16 {
                for replacement in ProductID.alphabet where replacement != chars[position] {
                    var typo = chars
                    typo[position] = replacement
                    if case .success = ProductID.parse(String(typo)) {
                        Issue.record("\(String(typo)) accepted for \(id)")
                    }
                }
            }
        }
    }

    @Test func mostSwappedNeighboursAreCaught() {
        var rng = SplitMix64(seed: 5)
        var swaps = 0
        var caught = 0
        for _ in 0..<500 {
            let chars = Array(ProductID.generate(using: &rng).compact)
            for i in 0..<15 where chars[i] != chars[i + 1] {
                var swapped = chars
                swapped.swapAt(i, i + 1)
                swaps += 1
                if case .failure = ProductID.parse(String(swapped)) { caught += 1 }
            }
        }
        #expect(Double(caught) / Double(swaps) > 0.95, "\(caught) of \(swaps)")
    }

    @Test(arguments: ["", "7K3Q-X9M2", "7K3Q-X9M2-PD4R-8WT5-AAAA", "7K3Q-X9M2-PD4R-8WTU", "7K3Q_X9M2_PD4R_8WT5"])
    func malformedIDsAreRejected(text: String) {
        guard case .failure(let problem) = ProductID.parse(text) else { Issue.record("accepted \(text)"); return }
        #expect(problem.code == .malformedProductId)
    }

    @Test func randomIDsDoNotCollide() {
        var seen = Set<ProductID>()
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100_000 { seen.insert(ProductID.generate(using: &rng)) }
        #expect(seen.count == 100_000)
    }
}

@Suite struct DocumentedIDTests {
    /// The ID the README and messages show as an example is a valid one.
    @Test func theExampleIDIsValid() {
        #expect((try? ProductID.parse("7K3Q-X9M2-PD4R-8WTR").get()) != nil)
        #expect((try? ProductID.parse("7K3Q-X9M2-PD4R-8WT5").get()) == nil)
    }
}
