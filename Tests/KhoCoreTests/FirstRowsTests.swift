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
}
