// Payload files hashed on a second thread while the reading thread reads on: each file's
// bytes go into a ring tagged with the file's number, then a mark; the drain thread hashes
// them (and, unpacking, writes them to the file's output and closes it) and files the
// digests, which the reader picks up in order when they are ready. The reader never waits
// for a file's digest, so a run of small files and a large file's hashing and writing
// overlap, and both cores stay busy.
import Glibc
import KhoCore
import KhoPlatform
import Synchronization

final class PipedHashes {
    private final class Drain: @unchecked Sendable {
        /// A file to hash, and where its bytes go (unpacking; -1: nowhere). The drain closes
        /// the output after the file's last bytes; the reader closes it when the walk stopped
        /// inside the file (no last bytes come).
        struct Job {
            var algorithms: Set<DigestAlgorithm>; var output: Int32; var name: String; var failed = false
            /// A large file's bytes are sent to the disk as they are written (every 8 MB, and
            /// its tail), so the flush after the walk has less left to wait for; small files
            /// are left to that one flush, which merges their writes.
            var writeback: WritebackPacer
        }
        struct Shared {
            var jobs: [Int: Job] = [:]
            var done: [Int: [DigestAlgorithm: String]] = [:]
            /// The first failure to write a file out (a full disk).
            var failure: KhoError?
        }
        let shared = Mutex(Shared())
        /// Buffers and marks the drain has taken.
        let taken = Atomic<Int>(0)
        /// The file being hashed: touched by the drain thread only.
        var current: (file: Int, hasher: MultiHasher, job: Job)?

        static let writebackStride: Int64 = 8 << 20

        /// `tag`: the file's number times two, plus one on its last buffer (or a mark with
        /// no bytes, for a file that ended on a full buffer or had none).
        func take(_ chunk: UnsafeRawBufferPointer, tag: Int) {
            defer { taken.add(1, ordering: .relaxed) }
            let file = tag >> 1
            if current?.file != file {
                let job = shared.withLock { $0.jobs.removeValue(forKey: file) } ?? Job(algorithms: [.sha256], output: -1, name: "", writeback: WritebackPacer(fd: -1, stride: Self.writebackStride))
                current = (file, MultiHasher(job.algorithms), job)
            }
            if !chunk.isEmpty {
                current!.hasher.update(chunk)
                if current!.job.output >= 0, !current!.job.failed {
                    let failed = Sys.writeAll(current!.job.output, chunk)
                    if failed == 0 {
                        current!.job.writeback.wrote(chunk.count)
                    } else {
                        let error = Sys.error(failed, "unpacking \(current!.job.name) from the bundle", HostPath(current!.job.name))
                        shared.withLock { if $0.failure == nil { $0.failure = error } }
                        current!.job.failed = true
                    }
                }
            }
            if tag & 1 == 1 {  // the file's bytes are all hashed (and written)
                if current!.job.output >= 0 {
                    if !current!.job.failed { current!.job.writeback.finish(onlyIfStarted: true) }
                    close(current!.job.output)
                }
                let digests = current!.hasher.finalize()
                current = nil
                shared.withLock { $0.done[file] = digests }
            }
        }
    }

    private let drain = Drain()
    private let ring: BufferRing
    private let slots: Int
    private var last = 0
    /// Buffers and marks handed over.
    private var handed = 0

    /// Whether the drain has more than half the ring still to hash: a small file is then
    /// better hashed by the reader itself, so both cores hash.
    var isBusy: Bool { handed - drain.taken.load(ordering: .relaxed) > slots / 2 }

    init(slots: Int, slotSize: Int) {
        self.slots = slots
        let drain = self.drain
        ring = BufferRing(slots: slots, slotSize: slotSize, tagged: { chunk, tag in drain.take(chunk, tag: tag) })
    }

    deinit { ring.finish() }

    /// A new file, to be hashed with `algorithms` and, with an `output`, written to it (which
    /// the drain closes after the file's last bytes): its number.
    func begin(_ algorithms: Set<DigestAlgorithm>, output: Int32 = -1, name: String = "") -> Int {
        last += 1
        let file = last
        drain.shared.withLock { $0.jobs[file] = Drain.Job(algorithms: algorithms, output: output, name: name,
                                                                  writeback: WritebackPacer(fd: output, stride: Drain.writebackStride)) }
        return file
    }

    /// The first failure to write a file out, if any.
    var failure: KhoError? { drain.shared.withLock { $0.failure } }

    /// The slot being filled (libarchive hands over 16 KB at a time: a slot is handed on
    /// only when full, or at the file's end), and how much of it is.
    private var slot: UnsafeMutableRawBufferPointer?
    private var filled = 0
    private var slotFile = 0

    func push(_ chunk: UnsafeRawBufferPointer, file: Int) {
        var offset = 0
        while offset < chunk.count {
            let target = slot ?? ring.acquire()
            slot = target
            slotFile = file
            let n = min(target.count - filled, chunk.count - offset)
            (target.baseAddress! + filled).copyMemory(from: chunk.baseAddress! + offset, byteCount: n)
            filled += n
            offset += n
            if filled == target.count { handOn(file, last: false) }
        }
    }

    /// Hands the slot being filled on (false: there was none).
    @discardableResult
    private func handOn(_ file: Int, last: Bool) -> Bool {
        guard slot != nil else { return false }
        ring.submit(filled, tag: file << 1 | (last ? 1 : 0))
        handed += 1
        slot = nil
        filled = 0
        return true
    }

    /// The file's bytes are all pushed.
    func end(_ file: Int) {
        // Its last bytes carry the end; a mark only when none are waiting.
        if !handOn(file, last: true) {
            ring.mark(tag: file << 1 | 1)
            handed += 1
        }
    }

    /// The file's digests, once its bytes are hashed (nil until then). Each is given once.
    func digests(_ file: Int) -> [DigestAlgorithm: String]? { drain.shared.withLock { $0.done.removeValue(forKey: file) } }

    /// Waits until every file ended so far is hashed (the bytes of one the walk stopped in
    /// are handed on, and never give digests).
    func waitUntilDrained() {
        handOn(slotFile, last: false)
        ring.waitUntilDrained()
    }
}
