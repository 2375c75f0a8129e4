// An import's new public products get their IDs in runs: the first four characters (20 random
// bits) are drawn once for a run of `length` IDs, the other eleven (55 random bits) for each
// ID. Fully random IDs land all over the catalog's index of IDs: on a catalog of a million
// products, a transaction of 32,768 new products changed about 1,700 of its pages (16 KB each),
// most of them spilled from the writer's cache and read back. A run's IDs sit together, in a
// few pages.
//
// What a shared prefix tells: that those public products were registered by one import, which
// whoever sees them can mostly tell already (same unit, same day). Nothing else: not when, not
// where. Every other new ID is fully random: internal and restricted products (a prefix shared
// with public ones would tie a product that never leaves to the unit and batch of products that
// do, and a count of a run's public IDs would tell how many others it made) and products made
// one at a time (the web form, `kho put`, a bundle's products, which keep their own IDs).
//
// Uniqueness without coordination is kept: two IDs of different runs are equal with
// probability 2^-75, as before; two of the same run (one import into one archive, where the
// catalog's UNIQUE index makes the second be drawn again) 2^-55. Over 100 million products in
// runs of 4,096, the chance of any two equal is about 6 in a million (fully random: about 1
// in 8 million).
import Synchronization

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
            prefix = ProductID.digits(4, of: generator.next())
            left = length
        }
        left -= 1
        return ProductID.generate(prefix: prefix, using: &generator)
    }
}

/// One import's runs, drawn from its identifier source, for the threads that plan its rows.
public final class ProductIDRun: Sendable {
    private let runs = Mutex(ProductIDRuns())
    private let draw: @Sendable () -> UInt64

    public init(_ ids: IdentifierSource) { draw = ids.draw }

    public func next() -> ProductID {
        runs.withLock { runs in
            var draws = Draws(draw: draw)
            return runs.next(using: &draws)
        }
    }

    private struct Draws: RandomNumberGenerator {
        let draw: @Sendable () -> UInt64
        mutating func next() -> UInt64 { draw() }
    }
}
