// Streaming many stored files out, each checked against the catalog's SHA-256 on a second
// thread: the reader reads a file into a ring's buffers and hands each buffer to the sink (an
// export's bag) at once; the ring's thread hashes the buffers behind it and compares each
// file's digest and size with the catalog's. The reader never waits for a digest, so reading,
// packing and the check run side by side on two cores.
//
// A file shorter or longer than the catalog says is refused before its extra or missing bytes
// reach the sink. A digest that does not match is reported by `check`, the next `stream` or
// `finish`, after the file's bytes were sent: the caller must treat everything it wrote as bad
// (an export drops its unfinished bag).
import KhoCore
import KhoPlatform
import Synchronization

public final class CheckedReader {
    /// The ring's thread: each file's expected digest, and the file being hashed.
    private final class Checker: @unchecked Sendable {
        struct Expected: Sendable { var n: Int; var sha256: String; var size: Int64; var id: ProductID }
        struct Current { var file: Int; var digest: StreamingDigest; var size: Int64; var expected: Expected }

        let expected = Mutex<[Int: Expected]>([:])
        /// Touched by the ring's thread only.
        var current: Current?

        /// `tag`: the file's number times two, plus one on its last buffer (or on a mark with
        /// no bytes, for a file that ended on a full buffer or was empty).
        func take(_ chunk: UnsafeRawBufferPointer, tag: Int) throws(KhoError) {
            let file = tag >> 1
            if current?.file != file {
                if let unfinished = current {
                    throw KhoError(.internal, "the digest check of file \(unfinished.expected.n) of \(unfinished.expected.id) was not given its end")
                }
                guard let expected = expected.withLock({ $0.removeValue(forKey: file) }) else {
                    throw KhoError(.internal, "the digest check was handed bytes of a file it was not told of")
                }
                current = Current(file: file, digest: StreamingDigest(), size: 0, expected: expected)
            }
            if !chunk.isEmpty {
                current!.digest.update(chunk)
                current!.size += Int64(chunk.count)
            }
            guard tag & 1 == 1, var done = current else { return }
            current = nil
            let sha256 = done.digest.finalizeHex()
            let want = done.expected
            guard sha256 == want.sha256, done.size == want.size else {
                throw KhoError(.blobDamaged, "file \(want.n) of \(want.id) is damaged in the store (sha256 \(sha256), \(done.size) bytes; the catalog says \(want.sha256), \(want.size) bytes); nothing was written — run kho verify, then ingest or attach the original again to repair it")
            }
        }
    }

    private let checker = Checker()
    private let ring: BufferRing
    private let blobs: BlobStore
    private var last = 0
    private var finished = false

    init(blobs: BlobStore, slots: Int) {
        self.blobs = blobs
        let checker = self.checker
        ring = BufferRing(slots: slots, slotSize: BlobStore.chunkSize, tagged: { (chunk, tag) throws(KhoError) in try checker.take(chunk, tag: tag) })
    }

    deinit { ring.finish() }

    /// Throws the first mismatch found so far (call it before starting a file's output, so a
    /// failed export stops before it begins another entry).
    public func check() throws(KhoError) {
        if let failure = ring.drainError { throw failure }
    }

    /// Sends the stored bytes of file `n` of `id` to `sink`, a buffer at a time (each valid
    /// only during the call). Throws a mismatch found in a file streamed before, or in this
    /// one's size.
    public func stream(n: Int, sha256: String, size: Int64, of id: ProductID,
                       sink: (UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) {
        precondition(!finished, "a finished reader streams no more files")
        try check()
        let input: FileDescriptor
        do {
            input = try FileDescriptor.openForReading(blobs.path(for: sha256))
        } catch where error.code == .missingFile {
            throw KhoError(.blobMissing, "the stored bytes of file \(n) of \(id) (sha256:\(sha256)) are missing from the archive; run kho verify")
        }
        input.adviseSequential()
        last += 1
        let file = last
        checker.expected.withLock { $0[file] = Checker.Expected(n: n, sha256: sha256, size: size, id: id) }
        func wrongSize(_ what: String) -> KhoError {
            KhoError(.blobDamaged, "file \(n) of \(id) is damaged in the store (\(what); the catalog says \(size) bytes); nothing was written — run kho verify, then ingest or attach the original again to repair it")
        }
        var sent: Int64 = 0
        while true {
            let slot = ring.acquire()
            let got = try input.readFull(into: slot)
            // A short read is the end of the file (readFull fills the buffer unless it ends).
            let end = got < slot.count
            if sent + Int64(got) > size { throw wrongSize("more than \(size) bytes") }
            if end && sent + Int64(got) < size { throw wrongSize("\(sent + Int64(got)) bytes") }
            if got == 0 {
                ring.mark(tag: file << 1 | 1)
                return
            }
            // A mismatch found behind (a large file's earlier chunk) stops the file here.
            try check()
            try sink(UnsafeRawBufferPointer(rebasing: slot[0..<got]))
            sent += Int64(got)
            ring.submit(got, tag: file << 1 | (end ? 1 : 0))
            if end { return }
        }
    }

    /// Waits until every file streamed is checked; throws the first mismatch.
    public func finish() throws(KhoError) {
        finished = true
        if let failure = ring.finish() { throw failure }
        if let unfinished = checker.current {
            throw KhoError(.internal, "the digest check of file \(unfinished.expected.n) of \(unfinished.expected.id) was not given its end")
        }
    }
}

extension Archive {
    /// A reader for many stored files in a row, checked on a second thread (an export's payload).
    public func checkedReader() -> CheckedReader { CheckedReader(blobs: blobs, slots: 4) }
}
