// One piece of work running on another thread while this one does something else.
import Dispatch
import Synchronization

public final class Background<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init() {}

    /// Starts `work` on a background thread. Call `wait()` before starting another.
    public func start(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async {
            let value = work()
            self.result.withLock { $0 = value }
            self.done.signal()
        }
    }

    /// Starts `work` on a serial queue of its own, for work that mostly waits (a flush of the
    /// disk) while the dispatch pool's threads are busy computing: it does not wait for one of
    /// them (such a queue runs on a thread added for it).
    public func startAlone(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue(label: "kho.background").async {
            let value = work()
            self.result.withLock { $0 = value }
            self.done.signal()
        }
    }

    /// Whether the work started last is done (`wait` then returns at once).
    public var isDone: Bool { result.withLock { $0 != nil } }

    /// The value of the work started last, once it is done.
    public func wait() -> Value {
        done.wait()
        return result.withLock { $0.take()! }
    }
}
