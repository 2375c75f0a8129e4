// The row each key of a manifest was first seen in, for telling later rows they repeat it:
// 128-bit digests in one open-addressing table, 20 bytes a slot, sized once from the
// manifest's row count (a power of two, at most three quarters full: 10.5 MB for 100,000 rows
// of two keys each). Two Swift dictionaries held 24 bytes a slot each and doubled as they grew:
// 31.6 MB at the peak for 200,000 rows, against 21 MB now.
public struct FirstRows: Sendable {
    private var highs: [Int]
    private var lows: [Int]
    /// The row plus one; 0 marks an empty slot.
    private var rows: [UInt32]
    private var count = 0

    /// Room for `expected` keys without growing (it grows past that).
    public init(expected: Int) {
        var capacity = 16
        while capacity * 3 < max(expected, 1) * 4 { capacity *= 2 }
        highs = Array(repeating: 0, count: capacity)
        lows = Array(repeating: 0, count: capacity)
        rows = Array(repeating: 0, count: capacity)
    }

    /// The row `digest` was first seen in; nil when it is new, and then `row` is remembered.
    public mutating func first(_ digest: KeyDigest, seenAt row: Int) -> Int? {
        precondition((0..<Int(UInt32.max)).contains(row), "a manifest row number beyond what the table holds")
        let mask = rows.count - 1
        var slot = digest.low & mask
        while rows[slot] != 0 {
            if highs[slot] == digest.high, lows[slot] == digest.low { return Int(rows[slot]) - 1 }
            slot = (slot + 1) & mask
        }
        if (count + 1) * 4 > rows.count * 3 {
            grow()
            return first(digest, seenAt: row)
        }
        highs[slot] = digest.high
        lows[slot] = digest.low
        rows[slot] = UInt32(truncatingIfNeeded: row + 1)
        count += 1
        return nil
    }

    private mutating func grow() {
        var bigger = FirstRows(expected: rows.count * 2)
        for slot in rows.indices where rows[slot] != 0 {
            _ = bigger.first(KeyDigest(high: highs[slot], low: lows[slot]), seenAt: Int(rows[slot]) - 1)
        }
        self = bigger
    }
}
