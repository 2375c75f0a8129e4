// Payload files hashed on a second thread while the reading thread reads on (`kho bundle
// verify`): each file's bytes go into a ring tagged with the file's number, then a mark; the
// drain thread hashes them and files the digests, which the reader picks up in order when
// they are ready. The reader never waits for a file's digest, so a run of small files and a
// large file's hashing overlap, and both cores stay busy.
import KhoCore
import KhoPlatform
import Synchronization

final class PipedHashes {
    private final class Drain: @unchecked Sendable {
        struct Shared {
            var algorithms: [Int: Set<DigestAlgorithm>] = [:]
            var done: [Int: [DigestAlgorithm: String]] = [:]
        }
        let shared = Mutex(Shared())
        /// Buffers and marks the drain has taken.
        let taken = Atomic<Int>(0)
        /// The file being hashed: touched by the drain thread only.
        var current: (file: Int, hasher: MultiHasher)?

        /// `tag`: the file's number times two, plus one on its last buffer (or a mark with
        /// no bytes, for a file that ended on a full buffer or had none).
        func take(_ chunk: UnsafeRawBufferPointer, tag: Int) {
            defer { taken.add(1, ordering: .relaxed) }
            let file = tag >> 1
            if current?.file != file {
                let algorithms = shared.withLock { $0.algorithms.removeValue(forKey: file) } ?? [.sha256]
                current = (file, MultiHasher(algorithms))
            }
            if !chunk.isEmpty { current!.hasher.update(chunk) }
            if tag & 1 == 1 {  // the file's bytes are all hashed
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

    /// A new file, to be hashed with `algorithms`: its number.
    func begin(_ algorithms: Set<DigestAlgorithm>) -> Int {
        last += 1
        let file = last
        drain.shared.withLock { $0.algorithms[file] = algorithms }
        return file
    }

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
