// Keeps long background work (a nightly audit) under a number of bytes per second, so the
// office PC stays usable: each worker reports what it read and sleeps until the total is due.
import Glibc
import Synchronization

public final class Throttle: Sendable {
    public let bytesPerSecond: Double
    private let uptime: @Sendable () -> Double
    private let sleep: @Sendable (Double) -> Void
    /// When the first bytes came, and how many have come since.
    private let state = Mutex<(started: Double?, bytes: Int64)>((nil, 0))

    /// `uptime`: seconds on a monotonic clock; `sleep`: waits that many seconds.
    public init(bytesPerSecond: Double, uptime: @escaping @Sendable () -> Double,
                sleep: @escaping @Sendable (Double) -> Void = { seconds in usleep(UInt32(min(seconds, 60) * 1_000_000)) }) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        self.uptime = uptime
        self.sleep = sleep
    }

    /// `bytes` more were read; returns once the rate allows them (the sleep is outside the lock,
    /// so workers wait side by side).
    public func pace(_ bytes: Int64) {
        let wait = delay(for: bytes)
        if wait > 0.001 { sleep(wait) }
    }

    /// `bytes` more were read: the seconds to wait before going on (for a caller that sleeps
    /// its own way, a task say).
    public func delay(for bytes: Int64) -> Double {
        let now = uptime()
        let wait: Double = state.withLock { s in
            var started = s.started ?? now
            s.bytes += bytes
            var wait = Double(s.bytes) / bytesPerSecond - (now - started)
            // A slow stretch (a cold disk) saves up at most a second of reading: no burst after it.
            if wait < -1 {
                started += -1 - wait
                wait = -1
            }
            s.started = started
            return wait
        }
        return max(0, min(wait, 60))
    }

    /// "50MB/s", "50MB", "1.5G", "800KB/s" (decimal units, as Kho prints sizes) as bytes per
    /// second; nil when it is not such a rate.
    public static func parseRate(_ text: String) -> Double? {
        var t = String(text.filter { $0 != " " }).uppercased()
        if t.hasSuffix("/S") { t.removeLast(2) }
        if t.hasSuffix("B") { t.removeLast() }
        let units: [Character: Double] = ["K": 1e3, "M": 1e6, "G": 1e9]
        var factor = 1.0
        if let last = t.last, let unit = units[last] {
            factor = unit
            t.removeLast()
        }
        guard !t.isEmpty, t.allSatisfy({ $0.isNumber || $0 == "." }), let n = Double(t), n > 0, n.isFinite else { return nil }
        return n * factor
    }
}
