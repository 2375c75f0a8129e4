// Hands fixed-size buffers from this thread to a drain thread, in order, so two cores work
// side by side: the copy of a large file (this thread reads and hashes, the drain writes) and
// the writing of a bundle (libarchive packs here, the drain hashes and writes). The one ring
// buffer in Kho.
import Dispatch
import Foundation
import KhoCore
import Synchronization

public final class BufferRing: @unchecked Sendable {
    /// What the two threads share. The drain thread holds only this, so a ring dropped without
    /// `finish` is still finished by its deinit and its thread ends.
    private final class Slots: @unchecked Sendable {
        let buffers: [UnsafeMutableRawBufferPointer]
        /// Bytes in each slot (0: the end; -1: a mark, no bytes). Raw memory, not a Swift array:
        /// the threads touch different slots at once, and each slot's accesses are ordered by
        /// its semaphores.
        let lengths: UnsafeMutableBufferPointer<Int>
        /// The tag the producer gave each slot.
        let tags: UnsafeMutableBufferPointer<Int>
        /// `ready[k][i]`: slot i is ready for stage k (the producer filled it, or stage k - 1
        /// is done with it).
        let ready: [[DispatchSemaphore]]
        let free: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<KhoError?>(nil)
        let stages: [Stage]

        init(slots: Int, size: Int, stages: [Stage]) {
            precondition(!stages.isEmpty, "a ring needs at least one stage")
            self.stages = stages
            buffers = (0..<slots).map { _ in .allocate(byteCount: size, alignment: DirectWrites.block) }
            lengths = .allocate(capacity: slots)
            lengths.initialize(repeating: 0)
            tags = .allocate(capacity: slots)
            tags.initialize(repeating: 0)
            ready = stages.map { _ in (0..<slots).map { _ in DispatchSemaphore(value: 0) } }
            // libdispatch traps when a semaphore is released below its initial value: start
            // every semaphore at 0 and hand each slot out once.
            free = (0..<slots).map { _ in DispatchSemaphore(value: 0) }
            free.forEach { $0.signal() }
        }

        deinit {
            buffers.forEach { $0.deallocate() }
            lengths.deallocate()
            tags.deallocate()
        }

        /// Stage `stage`'s thread: each slot in order, until a zero length, which it passes on.
        /// After any stage failed, every stage passes the slots on without working on them.
        func run(stage: Int) {
            let last = stage == stages.count - 1
            var index = 0
            while true {
                ready[stage][index].wait()
                let n = lengths[index]
                if n == 0 {
                    if !last { ready[stage + 1][index].signal() }
                    break
                }
                if failure.withLock({ $0 == nil }) {
                    do throws(KhoError) {
                        try stages[stage].work(UnsafeRawBufferPointer(rebasing: buffers[index][0..<max(n, 0)]), tags[index])
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                    }
                }
                if last { free[index].signal() } else { ready[stage + 1][index].signal() }
                index = (index + 1) % buffers.count
            }
            if last { done.signal() }
        }
    }

    private let slots: Slots
    private var next = 0
    /// The producer holds slot `next` (acquired, not yet submitted).
    private var holding = false
    private var started = false
    private var finished = false

    public let slotSize: Int

    /// `drain` runs on the drain thread for every submitted buffer, in order. After it fails
    /// once, later buffers are skipped and `finish` reports the error.
    public init(slots: Int = 4, slotSize: Int, drain: @escaping @Sendable (UnsafeRawBufferPointer) throws(KhoError) -> Void) {
        self.slotSize = slotSize
        self.slots = Slots(slots: slots, size: slotSize, stages: [Stage(drain)])
    }

    /// A ring whose buffers pass through `stages` in turn, each on its own thread: stage k
    /// works on a buffer while stage k + 1 works on the one before (say, hashing a block while
    /// the block before it is written). A buffer is free again when the last stage is done.
    public init(slots: Int = 4, slotSize: Int, stages: [Stage]) {
        self.slotSize = slotSize
        self.slots = Slots(slots: slots, size: slotSize, stages: stages)
    }

    /// One stage of a ring: what its thread does with each buffer (and the buffer's tag).
    public struct Stage: Sendable {
        let work: @Sendable (UnsafeRawBufferPointer, Int) throws(KhoError) -> Void

        public init(tagged work: @escaping @Sendable (UnsafeRawBufferPointer, Int) throws(KhoError) -> Void) { self.work = work }

        public init(_ work: @escaping @Sendable (UnsafeRawBufferPointer) throws(KhoError) -> Void) {
            self.work = { (chunk: UnsafeRawBufferPointer, _: Int) throws(KhoError) in try work(chunk) }
        }
    }

    /// A ring whose buffers carry the tag given with `push(_:tag:)`, and marks (`mark`): the
    /// drain hears of each with its tag (a mark as an empty buffer).
    public init(slots: Int = 4, slotSize: Int, tagged drain: @escaping @Sendable (UnsafeRawBufferPointer, Int) throws(KhoError) -> Void) {
        self.slotSize = slotSize
        self.slots = Slots(slots: slots, size: slotSize, stages: [Stage(tagged: drain)])
    }

    deinit { finish() }

    /// The first error of the drain, if it failed.
    public var drainError: KhoError? { slots.failure.withLock { $0 } }

    /// The next slot to fill, once the drain has finished with it. Pass it back with `submit`.
    /// The caller may go on reading a submitted slot until it acquires that slot again.
    public func acquire() -> UnsafeMutableRawBufferPointer {
        precondition(!finished, "a finished ring takes no more buffers")
        startIfNeeded()
        if !holding { slots.free[next].wait() }
        holding = true
        return slots.buffers[next]
    }

    /// Hands the acquired slot, holding `count` bytes, to the drain thread.
    public func submit(_ count: Int, tag: Int = 0) {
        precondition(count > 0 && holding, "submit an acquired slot with at least one byte; finish() ends the ring")
        holding = false
        slots.lengths[next] = count
        slots.tags[next] = tag
        slots.ready[0][next].signal()
        next = (next + 1) % slots.buffers.count
    }

    /// Copies `bytes` into as many slots as it takes and hands them over: for a producer whose
    /// buffer is not its own to keep (a library's block, valid until the next call).
    public func push(_ bytes: UnsafeRawBufferPointer, tag: Int = 0) {
        var offset = 0
        while offset < bytes.count {
            let slot = acquire()
            let n = min(slot.count, bytes.count - offset)
            slot.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            submit(n, tag: tag)
            offset += n
        }
    }

    /// Hands the drain a mark with `tag` and no bytes, in order with the buffers (the end of
    /// a series of buffers, say).
    public func mark(tag: Int) {
        _ = acquire()
        holding = false
        slots.lengths[next] = -1
        slots.tags[next] = tag
        slots.ready[0][next].signal()
        next = (next + 1) % slots.buffers.count
    }

    /// Waits until the drain has done every buffer handed over so far; the ring stays open
    /// (one ring, one thread, for a whole series of files).
    public func waitUntilDrained() {
        precondition(!holding && !finished, "wait for the drain between buffers, before finish()")
        guard started else { return }
        // A slot's `free` semaphore is up exactly when the drain is done with it.
        for semaphore in slots.free { semaphore.wait() }
        for semaphore in slots.free { semaphore.signal() }
    }

    /// Ends the drain and waits for it. Returns its error, if it failed.
    @discardableResult
    public func finish() -> KhoError? {
        guard started, !finished else {
            finished = true
            return drainError
        }
        finished = true
        if !holding { slots.free[next].wait() }
        holding = false
        slots.lengths[next] = 0
        slots.ready[0][next].signal()
        slots.done.wait()
        return drainError
    }

    private func startIfNeeded() {
        guard !started else { return }
        started = true
        let shared = slots
        for stage in shared.stages.indices {
            let thread = Thread { shared.run(stage: stage) }
            thread.start()
        }
    }
}
