// Copying a large file while hashing it, on two threads: this thread reads a chunk and
// hashes it while a writer thread writes the same chunk out. Both only read the buffer;
// a buffer is refilled only after the writer has released it.
import Dispatch
import Foundation
import KhoCore
import Synchronization

enum PipelinedCopy {
    static let slots = 4
    static let slotSize = 2 << 20

    /// Copies `input` to `output`, calling `consume` (hashing) on every chunk in order on
    /// this thread. `afterWrite(total)` runs on the writer thread after each write.
    static func run(input: FileDescriptor, output: FileDescriptor, doing: String,
                    consume: (UnsafeRawBufferPointer) -> Void,
                    afterWrite: @escaping @Sendable (Int64) -> Void) throws(KhoError) -> Int64 {
        let ring = Ring(slots: slots, size: slotSize)
        let writerError = Mutex<KhoError?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            var index = 0
            var written: Int64 = 0
            while true {
                let slot = index % slots
                ring.filled[slot].wait()
                let n = ring.lengths[slot]
                if n == 0 { break }
                if writerError.withLock({ $0 == nil }) {
                    do throws(KhoError) {
                        try output.writeAll(UnsafeRawBufferPointer(rebasing: ring.buffers[slot][0..<n]), doing: doing)
                        written += Int64(n)
                        afterWrite(written)
                    } catch {
                        writerError.withLock { $0 = error }
                    }
                }
                ring.free[slot].signal()
                index += 1
            }
            finished.signal()
        }
        writer.start()

        var index = 0
        var total: Int64 = 0
        var readError: KhoError?
        while true {
            let slot = index % slots
            ring.free[slot].wait()
            var n = 0
            if writerError.withLock({ $0 == nil }) {
                do throws(KhoError) { n = try input.readFull(into: ring.buffers[slot]) } catch { readError = error }
            }
            ring.lengths[slot] = n
            ring.filled[slot].signal()
            if n == 0 { break }
            consume(UnsafeRawBufferPointer(rebasing: ring.buffers[slot][0..<n]))
            total += Int64(n)
            index += 1
        }
        finished.wait()
        if let error = writerError.withLock({ $0 }) { throw error }
        if let readError { throw readError }
        return total
    }

    /// Buffers and the semaphores that pass them between the two threads.
    final class Ring: @unchecked Sendable {
        let buffers: [UnsafeMutableRawBufferPointer]
        /// Bytes in each slot (0: end of input). Raw memory, not a Swift array: the two threads
        /// touch different slots at once, and each slot's accesses are ordered by its semaphores.
        let lengths: UnsafeMutableBufferPointer<Int>
        let filled: [DispatchSemaphore]
        let free: [DispatchSemaphore]

        init(slots: Int, size: Int) {
            buffers = (0..<slots).map { _ in .allocate(byteCount: size, alignment: 64) }
            lengths = .allocate(capacity: slots)
            lengths.initialize(repeating: 0)
            filled = (0..<slots).map { _ in DispatchSemaphore(value: 0) }
            // libdispatch traps when a semaphore is freed below its initial value, and the
            // last free slot stays taken: start at 0 and hand each slot out once.
            free = (0..<slots).map { _ in DispatchSemaphore(value: 0) }
            free.forEach { $0.signal() }
        }

        deinit {
            buffers.forEach { $0.deallocate() }
            lengths.deallocate()
        }
    }
}
