// Async work run to its end from synchronous code (the command line's own thread, never a
// thread of Swift's task pool): the caller waits on a semaphore while the work runs as a task.
import Dispatch
import Synchronization

public enum Blocking {
    public static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () async throws(E) -> T) throws(E) -> T {
        let box = Mutex<Result<T, E>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Result<T, E>
            do throws(E) { result = .success(try await body()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try box.withLock { $0! }.get()
    }
}
