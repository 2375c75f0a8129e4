// Hands fixed-size buffers from this thread to a drain thread, in order, so two cores work
// side by side: the copy of a large file (this thread reads and hashes, the drain writes) and
// the writing of a bundle (libarchive packs here, the drain hashes and writes). The one ring
// buffer in Kho.
import Dispatch
import Foundation
import KhoCore
import Synchronization

public final class BufferRing: @unchecked Sendable {
    private let buffers: [UnsafeMutableRawBufferPointer]
    /// Bytes in each slot (0: the end). Raw memory, not a Swift array: the two threads touch
    /// different slots at once, and each slot's accesses are ordered by its semaphores.
    private let lengths: UnsafeMutableBufferPointer<Int>
    private let filled: [DispatchSemaphore]
    private let free: [DispatchSemaphore]
    private let done = DispatchSemaphore(value: 0)
    private let failure = Mutex<KhoError?>(nil)
    private let drain: @Sendable (UnsafeRawBufferPointer) throws(KhoError) -> Void
    private var next = 0
    /// The producer holds slot `next` (acquired, not yet submitted).
    private var holding = false
    private var started = false
    private var finished = false

    public let slotSize: Int
    public var slots: Int { buffers.count }

    /// `drain` runs on the drain thread for every submitted buffer, in order. After it fails
    /// once, later buffers are skipped and `finish` reports the error.
    public init(slots: Int = 4, slotSize: Int, drain: @escaping @Sendable (UnsafeRawBufferPointer) throws(KhoError) -> Void) {
        self.slotSize = slotSize
        self.drain = drain
        buffers = (0..<slots).map { _ in .allocate(byteCount: slotSize, alignment: 64) }
        lengths = .allocate(capacity: slots)
        lengths.initialize(repeating: 0)
        filled = (0..<slots).map { _ in DispatchSemaphore(value: 0) }
        // libdispatch traps when a semaphore is released below its initial value: start every
        // semaphore at 0 and hand each slot out once.
        free = (0..<slots).map { _ in DispatchSemaphore(value: 0) }
        free.forEach { $0.signal() }
    }

    deinit {
        finish()
        buffers.forEach { $0.deallocate() }
        lengths.deallocate()
    }

    /// The first error of the drain, if it failed.
    public var drainError: KhoError? { failure.withLock { $0 } }

    /// The next slot to fill, once the drain has finished with it. Pass it back with `submit`.
    /// The caller may go on reading a submitted slot until it acquires that slot again.
    public func acquire() -> UnsafeMutableRawBufferPointer {
        startIfNeeded()
        if !holding { free[next].wait() }
        holding = true
        return buffers[next]
    }

    /// Hands the acquired slot, holding `count` bytes, to the drain thread.
    public func submit(_ count: Int) {
        precondition(count > 0 && holding, "submit an acquired slot with at least one byte; finish() ends the ring")
        holding = false
        lengths[next] = count
        filled[next].signal()
        next = (next + 1) % buffers.count
    }

    /// Ends the drain and waits for it. Returns its error, if it failed.
    @discardableResult
    public func finish() -> KhoError? {
        guard started, !finished else { return drainError }
        finished = true
        if !holding { free[next].wait() }
        holding = false
        lengths[next] = 0
        filled[next].signal()
        done.wait()
        return drainError
    }

    private func startIfNeeded() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in self.run() }
        thread.start()
    }

    private func run() {
        var index = 0
        while true {
            filled[index].wait()
            let n = lengths[index]
            if n == 0 { break }
            if failure.withLock({ $0 == nil }) {
                do throws(KhoError) {
                    try drain(UnsafeRawBufferPointer(rebasing: buffers[index][0..<n]))
                } catch {
                    failure.withLock { $0 = error }
                }
            }
            free[index].signal()
            index = (index + 1) % buffers.count
        }
        done.signal()
    }
}
