// Failed logins slowed down, per account and per address: five tries are free within a quarter
// of an hour, then each further one must wait twice as long as the one before (up to fifteen
// minutes). In memory: a restart forgives, which costs a guesser more than it gives.
import Synchronization

final class LoginThrottle: Sendable {
    struct Record {
        var failures: Int
        var last: Double
    }

    static let free = 5
    static let window = 15.0 * 60
    static let longestWait = 15.0 * 60

    private let records = Mutex<[String: Record]>([:])

    /// Seconds to wait before any of `keys` may try again; nil: try now.
    func wait(_ keys: [String], now: Double) -> Double? {
        records.withLock { records in
            let waits = keys.compactMap { key -> Double? in
                guard let r = records[key], now - r.last < Self.window, r.failures >= Self.free else { return nil }
                let wait = min(Self.longestWait, Double(1 << min(20, r.failures - Self.free + 1)))
                let left = r.last + wait - now
                return left > 0 ? left : nil
            }
            return waits.max()
        }
    }

    func failed(_ keys: [String], now: Double) {
        records.withLock { records in
            if records.count > 100_000 { records = records.filter { now - $0.value.last < Self.window } }
            for key in keys {
                var r = records[key] ?? Record(failures: 0, last: now)
                if now - r.last >= Self.window { r.failures = 0 }
                r.failures += 1
                r.last = now
                records[key] = r
            }
        }
    }

    func succeeded(_ key: String) {
        _ = records.withLock { $0.removeValue(forKey: key) }
    }
}
