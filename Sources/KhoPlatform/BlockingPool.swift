// Threads that may block, for async callers: work that reads and writes files or waits for
// the catalog's lock runs here, never on an event loop or Swift's cooperative threads.
import Dispatch
import Foundation
import KhoCore
import Synchronization

public final class BlockingPool: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)

    /// A pool shared by a process's front ends: as many threads as a busy archive has writers
    /// and readers at once (the catalog serialises writes; reads and hashing run side by side).
    public static let shared = BlockingPool(threads: 16)

    public init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in self.work() }
            thread.name = "kho-blocking-\(index)"
            thread.start()
        }
    }

    /// Runs `work` on one of the pool's threads; the caller is suspended, not blocked.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws(KhoError) -> T) async throws(KhoError) -> T {
        let result: Result<T, KhoError> = await withCheckedContinuation { continuation in
            submit {
                do throws(KhoError) { continuation.resume(returning: .success(try work())) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }

    private func work() {
        while true {
            waiting.wait()
            guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            job()
        }
    }
}
