// Failed logins slowed down, per account and per address: five tries are free within a quarter
// of an hour, then each further one must wait twice as long as the one before (up to fifteen
// minutes). A try is counted before its password is checked, so sending many at once gains
// nothing; and at most `maxChecking` password checks run at once, so a flood of logins cannot
// hold the threads every other request needs. In memory: a restart forgives.
import Synchronization

final class LoginThrottle: Sendable {
    struct Record {
        var failures: Int
        var last: Double
    }

    struct State {
        var records: [String: Record] = [:]
        var checking = 0
    }

    static let free = 5
    static let window = 15.0 * 60
    static let longestWait = 15.0 * 60
    static let maxChecking = 8

    private let state = Mutex(State())

    enum Decision: Equatable {
        /// Check the password now (the try is already counted as a failure).
        case check
        /// Wait this many seconds.
        case wait(Double)
        /// Too many checks are running: try again in a moment.
        case busy
    }

    /// Whether a login for `keys` may be checked now; if so, it is counted and holds one of the checking slots.
    func begin(_ keys: [String], now: Double) -> Decision {
        state.withLock { state in
            let waits = keys.compactMap { key -> Double? in
                guard let r = state.records[key], now - r.last < Self.window + Self.longestWait, r.failures >= Self.free else { return nil }
                let left = r.last + min(Self.longestWait, Double(1 << min(20, r.failures - Self.free + 1))) - now
                return left > 0 ? left : nil
            }
            if let wait = waits.max() { return .wait(wait) }
            if state.checking >= Self.maxChecking { return .busy }
            state.checking += 1
            if state.records.count > 10_000 {
                state.records = state.records.filter { now - $0.value.last < Self.window + Self.longestWait }
            }
            for key in keys {
                var r = state.records[key] ?? Record(failures: 0, last: now)
                // Forgiven only after a quiet window beyond the longest wait.
                if now - r.last >= Self.window + Self.longestWait { r.failures = 0 }
                r.failures += 1
                r.last = now
                state.records[key] = r
            }
            return .check
        }
    }

    /// The check of a login begun with `begin` ended; a right password forgets the account's
    /// failures and takes back this try from the address's count.
    func end(_ keys: [String], succeeded: Bool) {
        state.withLock { state in
            state.checking -= 1
            guard succeeded else { return }
            state.records.removeValue(forKey: keys[0])
            for key in keys.dropFirst() { state.records[key]?.failures -= 1 }
        }
    }
}
