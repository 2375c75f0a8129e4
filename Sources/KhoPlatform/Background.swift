// One piece of work running on another thread while this one does something else.
//
// A thread of its own, not one of Dispatch's: the work often blocks (a flush of the file
// system) or spreads itself over the cores (Parallel.map), and a Dispatch worker held by it
// counts against the pool that Parallel.map draws from. With two pieces of work running
// beside each other on a 2-core machine, Parallel.map then found no free worker and ran
// every job on one thread.
import Dispatch
import Glibc
import Synchronization

public final class Background<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init() {}

    /// Starts `work` on a background thread. Call `wait()` before starting another.
    public func start(_ work: @escaping @Sendable () -> Value) {
        let job = BackgroundJob { [self] in
            let value = work()
            result.withLock { $0 = value }
            done.signal()
        }
        let retained = Unmanaged.passRetained(job).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { raw in
            Unmanaged<BackgroundJob>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, retained)
        if started != 0 {
            // No thread to be had (a limit reached): a Dispatch worker does it.
            let job = Unmanaged<BackgroundJob>.fromOpaque(retained).takeRetainedValue()
            DispatchQueue.global().async { job.run() }
        }
    }

    /// The value of the work started last, once it is done.
    public func wait() -> Value {
        done.wait()
        return result.withLock { $0.take()! }
    }
}

/// The work handed to a new thread.
private final class BackgroundJob: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
