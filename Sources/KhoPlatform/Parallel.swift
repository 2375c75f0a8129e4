// Runs independent jobs on a fixed number of threads; the first error stops the rest.
import Dispatch
import Glibc
import KhoCore
import Synchronization

public enum Parallel {
    /// The cores this machine has online: the default number of files hashed at once.
    public static var defaultJobs: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Calls `body(index, worker)` for every index in `0..<count` on up to `jobs` threads
    /// and returns the results in index order. `worker` is 0..<jobs, for per-thread buffers.
    public static func map<T: Sendable>(count: Int, jobs: Int, _ body: @Sendable (Int, Int) throws(KhoError) -> T) throws(KhoError) -> [T] {
        let workers = max(1, min(jobs, count))
        let next = Atomic<Int>(0)
        let results = Mutex<[T?]>(Array(repeating: nil, count: count))
        let failure = Mutex<KhoError?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while failure.withLock({ $0 == nil }) {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                do throws(KhoError) {
                    let value = try body(index, worker)
                    results.withLock { $0[index] = value }
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    return
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0.map { $0! } }
    }
}

/// Buffers owned one per worker thread, allocated once.
public final class WorkerBuffers: @unchecked Sendable {
    private let buffers: [UnsafeMutableRawBufferPointer]

    /// `alignment` 4096 for direct I/O.
    public init(count: Int, size: Int, alignment: Int = 64) {
        buffers = (0..<max(1, count)).map { _ in .allocate(byteCount: size, alignment: alignment) }
    }

    deinit { buffers.forEach { $0.deallocate() } }

    public subscript(worker: Int) -> UnsafeMutableRawBufferPointer { buffers[worker] }
}
