// Work on another thread beside a catalog transaction (a bundle group's files named in the
// store while the rows that refer to them are written); `result()` waits for it, once, and
// the transaction commits only after that.
import KhoPlatform

final class Beside<Value: Sendable> {
    private let work = Background<Value>()
    private var outcome: Value?

    /// `now`: the value when there is nothing to do.
    init(now: Value? = nil, _ body: @escaping @Sendable () -> Value) {
        if let now { outcome = now } else { work.start(body) }
    }

    func result() -> Value {
        if let outcome { return outcome }
        let done = work.wait()
        outcome = done
        return done
    }
}
