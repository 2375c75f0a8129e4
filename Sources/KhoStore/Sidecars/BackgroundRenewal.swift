// Sidecars renewed on a thread of their own while a long write goes on: an import or a bundle
// import kicks it after each commit, and the documents of what it stored are written while it
// stores more (a core and the disk it would leave idle), instead of all at its end.
// `Archive.close` waits for it, then renews what is left.
import Dispatch
import Foundation
import Synchronization

final class BackgroundRenewal: Sendable {
    private struct State {
        var running = false
        var again = false
    }

    private let state = Mutex(State())
    /// Entered when a run starts, left when it ends.
    private let runs = DispatchGroup()

    /// Runs `renew` on its own thread unless a run is under way; one under way runs it once
    /// more when it ends.
    func kick(_ renew: @escaping @Sendable () -> Void) {
        let start = state.withLock { s -> Bool in
            if s.running {
                s.again = true
                return false
            }
            s.running = true
            return true
        }
        guard start else { return }
        runs.enter()
        Thread { [self] in
            while true {
                renew()
                let more = state.withLock { s -> Bool in
                    if s.again {
                        s.again = false
                        return true
                    }
                    s.running = false
                    return false
                }
                if !more { break }
            }
            runs.leave()
        }.start()
    }

    /// Returns once no run is under way.
    func wait() { runs.wait() }
}
