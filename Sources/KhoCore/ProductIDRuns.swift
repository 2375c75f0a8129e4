// New product IDs in runs: the first four characters (20 random bits) are drawn once for a run
// of `length` IDs, the other eleven (55 random bits) for each ID. Fully random IDs land all
// over the catalog's index of IDs: on a catalog of a million products, a transaction of 32,768
// new products changed about 1,700 of its pages (16 KB each), most of them spilled from the
// writer's cache and read back. A run's IDs sit together, in a few pages.
//
// Uniqueness without coordination is kept: two IDs of different runs are equal with
// probability 2^-75, as before; two of the same run (made by one process, nearly always for one archive, where
// the catalog's UNIQUE index would refuse the second) 2^-55. Over 100 million products in runs
// of 4,096, the chance of any two equal is about 6 in a million (fully random: about 1 in 8 million).
// Nothing in a run's prefix says when or where it was made.
public struct ProductIDRuns: Sendable {
    /// IDs a prefix is used for.
    public static let length = 4096

    private var prefix: [Int] = []
    private var left = 0
    private let length: Int

    public init(length: Int = ProductIDRuns.length) { self.length = max(1, length) }

    /// The next ID: a new prefix when the run is used up.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> ProductID {
        if left == 0 {
            let a = generator.next()
            prefix = (0..<4).map { Int((a >> (5 * UInt64($0))) & 31) }
            left = length
        }
        left -= 1
        return ProductID.generate(prefix: prefix, using: &generator)
    }
}
