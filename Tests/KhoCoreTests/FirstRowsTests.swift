// The table of first rows behind the import's duplicate marks: each key answers the row it was
// first seen in, whatever the table's size, and new keys answer nothing.
import Testing
@testable import KhoCore

@Suite struct FirstRowsTests {
    @Test func everyKeyAnswersItsFirstRowAlsoPastTheExpectedSize() {
        var table = FirstRows(expected: 10)   // grows several times
        for row in 0..<5000 { #expect(table.first(KeyDigest("key \(row)"), seenAt: row) == nil) }
        var wrong = 0
        for row in 0..<5000 where table.first(KeyDigest("key \(row)"), seenAt: 99_999) != row { wrong += 1 }
        #expect(wrong == 0)
        #expect(table.first(KeyDigest("key 5000"), seenAt: 7) == nil)
        #expect(table.first(KeyDigest("key 5000"), seenAt: 8) == 7)
        #expect(table.first(KeyDigest(5000), seenAt: 9) == nil)   // another type, another key
    }

    @Test func rowZeroIsARow() {
        var table = FirstRows(expected: 0)
        #expect(table.first(KeyDigest("a"), seenAt: 0) == nil)
        #expect(table.first(KeyDigest("a"), seenAt: 1) == 0)
    }

    @Test func aManifestOf100000RowsTakesAQuarterMillionSlots() {
        // Two keys a row; at most four fifths full: 262,144 slots of 20 bytes (5.2 MB), not twice that.
        var table = FirstRows(expected: 200_000)
        #expect(table.capacity == 262_144)
        for row in 0..<200_000 { _ = table.first(KeyDigest(row), seenAt: row) }
        #expect(table.capacity == 262_144)
        #expect(table.first(KeyDigest(199_999), seenAt: 1) == 199_999)
        _ = table.first(KeyDigest(-1), seenAt: 200_000)
        for row in 200_001..<209_716 { _ = table.first(KeyDigest(row), seenAt: row) }
        #expect(table.capacity == 524_288)   // grows once past four fifths
    }
}
