// Time and identity as values the front end hands in: nothing below it reads the system clock
// or a random source, so a test can fix both and get the same IDs and times every run.
import Synchronization

/// The time now (UTC, for events and records) and a monotonic reading (for durations).
public struct Clock: Sendable {
    public var now: @Sendable () -> Timestamp
    /// Seconds since some fixed moment, never going back: for measuring how long work took.
    public var uptime: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Timestamp, uptime: @escaping @Sendable () -> Double) {
        self.now = now
        self.uptime = uptime
    }

    /// A clock that always says `instant` and measures no time passing.
    public static func fixed(_ instant: Timestamp) -> Clock {
        Clock(now: { instant }, uptime: { 0 })
    }
}

/// New identifiers: product IDs (75 random bits each) and archive IDs; and the random draws an
/// import's run of IDs is made of (ProductIDRun).
public struct IdentifierSource: Sendable {
    public var productID: @Sendable () -> ProductID
    public var archiveID: @Sendable () -> String
    /// 64 random bits from the same source.
    public var draw: @Sendable () -> UInt64

    public init(productID: @escaping @Sendable () -> ProductID, archiveID: @escaping @Sendable () -> String,
                draw: @escaping @Sendable () -> UInt64) {
        self.productID = productID
        self.archiveID = archiveID
        self.draw = draw
    }

    /// The same sequence of IDs for the same seed (SplitMix64), for tests.
    public static func seeded(_ seed: UInt64) -> IdentifierSource {
        let state = SeededState(seed)
        return IdentifierSource(productID: { state.productID() }, archiveID: { state.archiveID() }, draw: { state.draw() })
    }
}

/// A SplitMix64 generator behind a lock, shared by the closures of a seeded source.
private final class SeededState: Sendable {
    private let generator: Mutex<SplitMix64>

    init(_ seed: UInt64) { generator = Mutex(SplitMix64(seed: seed)) }

    func productID() -> ProductID { generator.withLock { ProductID.generate(using: &$0) } }

    func draw() -> UInt64 { generator.withLock { $0.next() } }

    func archiveID() -> String {
        generator.withLock { g in
            let a = g.next(), b = g.next()
            return "seeded-" + Hex.lower(withUnsafeBytes(of: (a.bigEndian, b.bigEndian)) { Array($0) })
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and good enough for test identifiers.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
