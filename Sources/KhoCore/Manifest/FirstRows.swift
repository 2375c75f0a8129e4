// The row each key of a manifest was first seen in, for telling later rows they repeat it:
// 128-bit digests in one open-addressing table, 20 bytes a slot, sized once from the
// manifest's row count (a power of two, at most four fifths full: 5.2 MB for 100,000 rows of
// two keys each). Two Swift dictionaries held 24 bytes a slot each and doubled as they grew:
// 31.6 MB at the peak for 200,000 rows. At most three quarters full, the table took twice the
// slots for 100,000 rows (10.5 MB, the largest single holder at an import's peak); linear
// probing at four fifths costs about ten slot looks for a new key, each in a 4-byte array.
public struct FirstRows: Sendable {
    private var highs: [Int]
    private var lows: [Int]
    /// The row plus one; 0 marks an empty slot.
    private var rows: [UInt32]
    private var count = 0

    /// Room for `expected` keys without growing (it grows past that).
    public init(expected: Int) {
        var capacity = 16
        while capacity * 4 < max(expected, 1) * 5 { capacity *= 2 }
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
        if (count + 1) * 5 > rows.count * 4 {
            grow()
            return first(digest, seenAt: row)
        }
        highs[slot] = digest.high
        lows[slot] = digest.low
        rows[slot] = UInt32(truncatingIfNeeded: row + 1)
        count += 1
        return nil
    }

    /// Slots in the table (each 20 bytes).
    var capacity: Int { rows.count }

    private mutating func grow() {
        var bigger = FirstRows(expected: rows.count * 8 / 5)   // twice the slots
        for slot in rows.indices where rows[slot] != 0 {
            _ = bigger.first(KeyDigest(high: highs[slot], low: lows[slot]), seenAt: Int(rows[slot]) - 1)
        }
        self = bigger
    }
}
