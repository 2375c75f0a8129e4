// Copying a large file while hashing it, on two threads: this thread reads a chunk and
// hashes it while the ring's drain thread writes the same chunk out. Both only read the
// buffer; a buffer is refilled only after the drain has released it. The drain writes whole
// slots straight to the disk where the file system takes it (the page cache's copy of every
// byte costs about as much processor time as hashing it); the tail the usual way. Durability
// is unchanged: the file is flushed (fsync, or the batch's syncfs) before it is named.
import KhoCore
import KhoPlatform

enum PipelinedCopy {
    static let slotSize = 1 << 20

    /// Copies `input` to `output`, calling `consume` (hashing) on every chunk in order on
    /// this thread. `afterWrite(total, direct)` runs on the writer thread after each write:
    /// `direct` when it went straight to the disk (nothing of it waits in the page cache).
    static func run(input: FileDescriptor, output: FileDescriptor, doing: String,
                    consume: (UnsafeRawBufferPointer) -> Void,
                    afterWrite: @escaping @Sendable (Int64, Bool) -> Void) throws(KhoError) -> Int64 {
        let direct = DirectWrites(fd: output.fd, wanted: true)
        let path = output.path
        let ring = BufferRing(slotSize: slotSize) { (chunk) throws(KhoError) in
            let failed = direct.write(chunk)
            if failed != 0 { throw Sys.error(failed, doing, path) }
            afterWrite(direct.written, direct.isDirect)
        }
        var total: Int64 = 0
        var readError: KhoError?
        while ring.drainError == nil {
            let buffer = ring.acquire()
            let n: Int
            do throws(KhoError) { n = try input.readFull(into: buffer) } catch {
                readError = error
                break
            }
            if n == 0 { break }
            ring.submit(n)
            consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += Int64(n)
        }
        if let error = ring.finish() { throw error }
        if let readError { throw readError }
        return total
    }
}
