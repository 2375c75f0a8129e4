// One request's writing into an upload (tus PATCH, or a form's file): bytes appended and
// hashed at once on two threads, made durable every `UploadArea.durableStride` bytes and at
// the end, checked against the request's checksum when it gave one.
import Foundation
import Glibc
import KhoCore
import KhoPlatform

/// One request's writing into an upload: chunks appended and hashed, made durable every
/// `UploadArea.durableStride` bytes and at the end. With a checksum, the request's bytes count
/// only if they match it, all or nothing. Used by one task at a time; `finish` or `stop` once.
public final class UploadWriter: @unchecked Sendable {
    private let area: UploadArea
    public private(set) var record: UploadRecord
    private let output: FileDescriptor
    private var digest: StreamingDigest
    /// What the request started from, to go back to when its checksum does not match.
    private let start: (offset: Int64, digest: StreamingDigest)
    private var chunkDigest: StreamingDigest?
    private let expectedChecksum: [UInt8]?
    private var written: Int64
    private var writeback: WritebackPacer
    private var done = false

    init(area: UploadArea, record: UploadRecord, output: FileDescriptor, digest: StreamingDigest, expectedChecksum: [UInt8]?) {
        self.area = area
        self.record = record
        self.output = output
        self.digest = digest
        self.start = (record.offset, digest)
        self.expectedChecksum = expectedChecksum
        chunkDigest = expectedChecksum == nil ? nil : StreamingDigest()
        written = record.offset
        writeback = WritebackPacer(fd: output.fd, stride: BlobStore.writebackStride, from: record.offset)
    }

    deinit { if !done { area.release(record.id) } }

    /// The bytes received so far in this request, durable or not.
    public var offset: Int64 { written }

    public func write(_ chunk: UnsafeRawBufferPointer) throws(KhoError) {
        try write(batch: [chunk])
    }

    /// Writes `chunks` in order while hashing them on a second thread (hashing costs about as
    /// much as writing: done one after the other, they took twice as long); the upload moves
    /// on only when both are done, so the offset and the hash never disagree.
    public func write(batch chunks: [UnsafeRawBufferPointer]) throws(KhoError) {
        let total = Int64(chunks.reduce(0) { $0 + $1.count })
        guard written + total <= record.length else {
            // The request stops here (`stop`): what came before this batch stays (none of the
            // request's bytes with a checksum), so the message names no offset of its own.
            throw KhoError(.payloadTooLarge, "more bytes than the upload's length (\(record.length)): the request's last bytes were not stored (with an Upload-Checksum, none of them); ask for the upload's offset (HEAD) and send the rest from there")
        }
        nonisolated(unsafe) var nextDigest = digest
        nonisolated(unsafe) var nextChunkDigest = chunkDigest
        nonisolated(unsafe) var failure: KhoError?
        nonisolated(unsafe) let parts = chunks
        let output = self.output
        let hash: @Sendable () -> Void = {
            for chunk in parts {
                nextDigest.update(chunk)
                nextChunkDigest?.update(chunk)
            }
        }
        let store: @Sendable () -> Void = {
            do throws(KhoError) {
                for chunk in parts { try output.writeAll(chunk, doing: "storing an upload") }
            } catch {
                failure = error
            }
        }
        if total >= 64 << 10 {
            DispatchQueue.concurrentPerform(iterations: 2) { lane in lane == 0 ? hash() : store() }
        } else {
            store()
            if failure == nil { hash() }
        }
        if let failure {
            // Some of the batch may be on disk past `written`: the next request cuts it back.
            if failure.code == .diskFull {
                throw KhoError(.diskFull, "the archive's disk is full; the upload can continue when space is freed: ask for its offset (HEAD) and continue from there",
                               cause: failure.cause)
            }
            throw failure
        }
        digest = nextDigest
        chunkDigest = nextChunkDigest
        written += total
        writeback.advance(to: written)
        if chunkDigest == nil, written - record.offset >= UploadArea.durableStride { try makeDurable() }
    }

    /// Flushes what was written and records it as the upload's offset.
    private func makeDurable() throws(KhoError) {
        try output.sync(doing: "flushing an upload")
        record.offset = written
        if record.isComplete {
            var final = digest
            record.sha256 = final.finalizeHex()
        }
        try area.save(record)
        area.remember(record.id, offset: written, digest: digest)
    }

    /// The request's body ended: the bytes are checked against the checksum, made durable and
    /// counted. A mismatch stores nothing of this request.
    public func finish() throws(KhoError) -> UploadRecord {
        defer { close() }
        if let expectedChecksum, var chunk = chunkDigest {
            guard Hex.bytes(chunk.finalizeHex()) == expectedChecksum else {
                rollBack()
                throw KhoError(.checksumMismatch, "the chunk's bytes do not match its Upload-Checksum; nothing of it was stored, the upload stays at byte \(start.offset)")
            }
        }
        try makeDurable()
        return record
    }

    /// A file whose length was known only when it ended (a form's file part, sent without
    /// JavaScript): its length becomes what was written, durable, and the upload is complete.
    public func finishWhole() throws(KhoError) -> UploadRecord {
        defer { close() }
        record.length = written
        try makeDurable()
        return record
    }

    /// The request's body broke off: what arrived counts (made durable) unless it had to match
    /// a checksum, which it cannot be checked against now.
    public func stop() -> UploadRecord {
        defer { close() }
        if expectedChecksum != nil {
            rollBack()
        } else {
            try? makeDurable()
        }
        return record
    }

    private func rollBack() {
        _ = ftruncate(output.fd, off_t(start.offset))
        written = start.offset
        writeback = WritebackPacer(fd: output.fd, stride: BlobStore.writebackStride, from: start.offset)
        area.remember(record.id, offset: start.offset, digest: start.digest)
    }

    private func close() {
        output.closeNow()
        done = true
        area.release(record.id)
    }
}
