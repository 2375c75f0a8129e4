import Testing
@testable import KhoCore

@Suite struct ProductIDRunsTests {
    private func prefix(_ id: ProductID) -> String { String(id.compact.prefix(4)) }

    /// A run's IDs share their first four characters and differ after them; the next run has
    /// another prefix; every ID is valid and unique.
    @Test func idsComeInRunsOfOnePrefix() throws {
        var rng = SplitMix64(seed: 3)
        var runs = ProductIDRuns(length: 100)
        let ids = (0..<1000).map { _ in runs.next(using: &rng) }
        #expect(Set(ids).count == 1000)
        for id in ids { #expect(try ProductID.parse(id.description).get() == id) }
        let prefixes = stride(from: 0, to: 1000, by: 100).map { run in Set(ids[run..<run + 100].map(prefix)) }
        #expect(prefixes.allSatisfy { $0.count == 1 })
        #expect(Set(prefixes.map { $0.first! }).count == 10)
        // The rest is drawn for each ID: within a run, no two share their next four characters.
        let middles = ids[0..<100].map { String($0.compact.dropFirst(4).prefix(4)) }
        #expect(Set(middles).count > 95)
    }

    /// Prefixes and suffixes use all 32 digits in every position (no position stuck, none biased
    /// to a few values) over many runs.
    @Test func everyPositionTakesEveryDigit() {
        var rng = SplitMix64(seed: 17)
        var runs = ProductIDRuns(length: 2)
        var seen = Array(repeating: Set<Character>(), count: 15)
        for _ in 0..<20_000 {
            for (i, c) in runs.next(using: &rng).compact.prefix(15).enumerated() { seen[i].insert(c) }
        }
        #expect(seen.allSatisfy { $0.count == 32 })
    }

    /// A run drawn from a seeded source repeats itself; the source's own IDs stay fully random.
    @Test func aSourcesRunRepeatsAndItsOwnIDsAreRandom() {
        let a = ProductIDRun(.seeded(5)), b = ProductIDRun(.seeded(5))
        let first = (0..<10).map { _ in a.next() }
        #expect(first == (0..<10).map { _ in b.next() })
        #expect(Set(first.map(prefix)).count == 1)
        #expect(Set(first).count == 10)
        let source = IdentifierSource.seeded(5)
        #expect(Set((0..<50).map { _ in prefix(source.productID()) }).count > 45)
    }

    /// A new prefix is drawn exactly when a run is used up.
    @Test func aRunStartsAfterItsLength() {
        var rng = SplitMix64(seed: 8)
        var runs = ProductIDRuns(length: 3)
        let ids = (0..<7).map { _ in runs.next(using: &rng) }
        #expect(ids.map(prefix) == [ids[0], ids[0], ids[0], ids[3], ids[3], ids[3], ids[6]].map(prefix))
        #expect(prefix(ids[0]) != prefix(ids[3]) && prefix(ids[3]) != prefix(ids[6]))
    }
}
