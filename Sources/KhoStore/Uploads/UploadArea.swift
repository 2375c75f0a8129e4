// Resumable uploads (tus 1.0) waiting in the archive: `tmp/uploads/ID.data` holds the bytes,
// `ID.json` the record, replaced by rename. The record's offset is what is durably on disk:
// bytes are flushed before the record that counts them is written, so a killed server or a
// dropped line resumes from the last durable byte (a longer data file is cut back to it).
// Uploads are hashed on the way; after a restart the hash is rebuilt from the durable bytes.
// A complete upload becomes a product's file by a hard link into this process's temporary
// area and the store's usual publish-by-rename: its bytes are never copied again.
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import Synchronization

public final class UploadArea: Sendable {
    let folder: HostPath
    private let archive: Archive
    /// The running hash of uploads written by this process, with the offset it stands at.
    private let digests = Mutex<[String: (offset: Int64, digest: StreamingDigest)]>([:])
    /// Uploads a request is writing now: a second writer is refused rather than interleaved.
    private let busy = Mutex<Set<String>>([])
    /// Every upload's record, read from the folder once and kept as records are saved and
    /// removed (this process is the area's only writer), so starting an upload does not read
    /// every other one's record.
    private let index = Mutex<[String: UploadRecord]?>(nil)
    /// Each durable step of a long chunk: flush and record every this many bytes. A chunk that
    /// ends or breaks off is made durable whole; these steps bound what a killed server loses.
    /// Writeback is started as the bytes come, so each flush has little left to write.
    static let durableStride: Int64 = 64 << 20

    init(archive: Archive) {
        self.archive = archive
        folder = archive.root.appending("tmp").appending("uploads")
    }

    func dataPath(_ id: String) -> HostPath { folder.appending("\(id).data") }
    func recordPath(_ id: String) -> HostPath { folder.appending("\(id).json") }

    /// Starts an upload of `length` bytes for `owner`, named `id` (random, made by the caller:
    /// it is the upload's URL); nothing is written but its record. Refused when the disk cannot take it.
    /// Unfinished uploads one user may have open at once.
    static let maxOpenPerUser = 200
    /// Uploads, finished or not, one user may have waiting to be saved.
    static let maxKeptPerUser = 20_000

    public func create(id: String, owner: String, length: Int64, metadata: String, fileName: [UInt8], now: Double, lifetime: Double) throws(KhoError) -> UploadRecord {
        guard UploadRecord.isValidID(id) else { throw KhoError(.internal, "an upload's ID is 32 hex digits, not '\(id)'") }
        try FS.makeDirectories(folder)
        // The space every open upload still needs is promised to it: a new one must fit beside them.
        let open = openRecords(now: now)
        if open.filter({ $0.owner == owner && !$0.isComplete }).count >= Self.maxOpenPerUser {
            throw KhoError(.tooManyAttempts, "you have \(Self.maxOpenPerUser) unfinished uploads; finish or cancel some before starting more")
        }
        // Finished ones too (empty files are finished at once): enough for one import's folder.
        if open.filter({ $0.owner == owner }).count >= Self.maxKeptPerUser {
            throw KhoError(.tooManyAttempts, "you have \(Self.maxKeptPerUser) uploads not yet saved into products; save or cancel some before starting more")
        }
        let promised = open.reduce(Int64(0)) { $0 + ($1.length - $1.offset) }
        if let free = FS.availableBytes(folder), promised + length + (64 << 20) > free {
            throw KhoError(.diskFull, "the archive's disk has \(Formatting.bytes(free)) free and \(Formatting.bytes(promised)) of it is promised to uploads under way; not enough for \(Formatting.bytes(length)), nothing was stored")
        }
        var record = UploadRecord(id: id, owner: owner, length: length, fileName: fileName, metadata: metadata,
                                  createdAt: now, expiresAt: now + lifetime)
        if length == 0 {
            var empty = StreamingDigest()
            record.sha256 = empty.finalizeHex()
        }
        // The record first: bytes never exist without the record that owns them.
        try save(record)
        do {
            let data = try FileDescriptor.open(dataPath(record.id), flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600, doing: "starting an upload")
            try data.sync()
        } catch {
            FS.remove(recordPath(record.id))
            throw error
        }
        return record
    }

    /// Every upload's record that has not expired.
    func openRecords(now: Double) -> [UploadRecord] {
        index.withLock { index in
            if index == nil { index = readRecords() }
            return index!.values.filter { $0.expiresAt > now }
        }
    }

    /// Every record in the folder, read from disk.
    private func readRecords() -> [String: UploadRecord] {
        guard let names = try? FS.list(folder) else { return [:] }
        var out: [String: UploadRecord] = [:]
        for name in names {
            guard name.hasSuffix(".json"), UploadRecord.isValidID(String(name.prefix(32))),
                  let bytes = FileManager.default.contents(atPath: folder.appending(name).description),
                  let record = try? JSONDecoder().decode(UploadRecord.self, from: bytes) else { continue }
            out[record.id] = record
        }
        return out
    }

    /// The upload `id` of `owner`, if it exists and has not expired.
    public func record(_ id: String, owner: String, now: Double) throws(KhoError) -> UploadRecord {
        guard UploadRecord.isValidID(id), let bytes = FileManager.default.contents(atPath: recordPath(id).description),
              let record = try? JSONDecoder().decode(UploadRecord.self, from: bytes), record.owner == owner, record.expiresAt > now,
              FS.exists(dataPath(id)) else {
            throw KhoError(.unknownUpload, "no upload \(id.prefix(32)) of yours: it was finished and used, cancelled, or expired")
        }
        return record
    }

    func save(_ record: UploadRecord) throws(KhoError) {
        let bytes: Data
        do { bytes = try JSONEncoder().encode(record) } catch { throw KhoError(.internal, "an upload record could not be written: \(error)") }
        try FS.writeDurably(Array(bytes), to: recordPath(record.id), temp: folder.appending(".\(record.id).json.new"), mode: 0o600)
        index.withLock { $0?[record.id] = record }
    }

    /// Cancels an upload of `owner` (tus termination); not while a request is writing it.
    public func cancel(_ id: String, owner: String, now: Double) throws(KhoError) {
        _ = try record(id, owner: owner, now: now)
        guard busy.withLock({ $0.insert(id).inserted }) else {
            throw KhoError(.offsetMismatch, "this upload is being written by another request; cancel it when that has ended")
        }
        remove(id)
        release(id)
    }

    /// Removes an upload: its record first (the upload is gone), then its bytes.
    public func remove(_ id: String) {
        guard UploadRecord.isValidID(id) else { return }
        index.withLock { $0?[id] = nil }
        FS.remove(recordPath(id))
        FS.remove(dataPath(id))
        _ = digests.withLock { $0.removeValue(forKey: id) }
    }

    /// Removes expired uploads, and bytes or temporary records left without a record (older
    /// than an hour: a record being written now is not yet there); returns how many uploads
    /// went. An upload a request is using is left alone.
    @discardableResult
    public func removeExpired(now: Double) -> Int {
        guard let names = try? FS.list(folder) else { return 0 }
        var removed = 0
        func old(_ path: HostPath) -> Bool { FS.fileStatus(path).map { Double($0.st_mtim.tv_sec) < now - 3600 } ?? false }
        for name in names {
            let path = folder.appending(name)
            if name.hasPrefix("."), name.hasSuffix(".json.new") {
                if old(path) { FS.remove(path) }
                continue
            }
            let id = String(name.prefix(32))
            guard UploadRecord.isValidID(id), busy.withLock({ $0.insert(id).inserted }) else { continue }
            defer { release(id) }
            if name.hasSuffix(".json") {
                guard let bytes = FileManager.default.contents(atPath: path.description) else { continue }  // unreadable now: not judged
                let record = try? JSONDecoder().decode(UploadRecord.self, from: bytes)
                if record.map({ $0.expiresAt <= now }) ?? old(path) {
                    remove(id)
                    removed += 1
                }
            } else if name.hasSuffix(".data"), !FS.exists(recordPath(id)), old(path) {
                FS.remove(path)
            }
        }
        return removed
    }

    /// Takes uploads for one request's use (a product being saved from them): false, and
    /// nothing taken, when any is in use already. `release` each afterwards.
    public func claim(_ ids: [String]) -> Bool {
        busy.withLock { busy in
            guard ids.allSatisfy({ !busy.contains($0) }) else { return false }
            busy.formUnion(ids)
            return true
        }
    }

    /// Takes the upload for writing at `offset` (what the client believes it is at).
    public func startWriting(_ id: String, owner: String, offset: Int64, expectedChecksum: [UInt8]?, now: Double,
                             lifetime: Double) throws(KhoError) -> UploadWriter {
        // Whose it is, before it is taken: somebody else's ID must not hold the owner's up.
        _ = try record(id, owner: owner, now: now)
        guard busy.withLock({ $0.insert(id).inserted }) else {
            throw KhoError(.offsetMismatch, "this upload is being written by another request; ask for its offset (HEAD) and continue from there")
        }
        do throws(KhoError) {
            // Read again now that it is held: a request that held it a moment ago may have saved a
            // later offset since the read above, and going on from the older one would cut off
            // what that request stored.
            let record = try record(id, owner: owner, now: now)
            guard offset == record.offset else {
                throw KhoError(.offsetMismatch, "the upload is at byte \(record.offset), not \(offset); continue from byte \(record.offset)")
            }
            guard !record.isComplete else {
                throw KhoError(.offsetMismatch, "the upload is already complete (\(record.length) bytes)")
            }
            let output = try Self.ownFile { () throws(KhoError) in try FileDescriptor.open(dataPath(id), flags: O_WRONLY, doing: "continuing an upload") }
            // Fewer bytes than the record says: the file was damaged, and going on would pad it
            // with zeros under a digest of other bytes. The upload must start again.
            let size = try Self.ownFile { () throws(KhoError) in Int64(try output.status().st_size) }
            guard size >= record.offset else {
                throw KhoError(.unknownUpload, "this upload's bytes are gone from the server (removed or damaged): start it again",
                               cause: KhoError(.sizeChanged, "upload \(id) has \(size) bytes on disk, its record says \(record.offset)"))
            }
            // Bytes past the durable offset (a write cut short) are not the upload's.
            guard ftruncate(output.fd, off_t(record.offset)) == 0, lseek(output.fd, off_t(record.offset), SEEK_SET) == off_t(record.offset) else {
                throw Sys.error(errno, "continuing an upload", dataPath(id))
            }
            let digest = try digestAt(record)
            var started = record
            started.expiresAt = now + lifetime
            return UploadWriter(area: self, record: started, output: output, digest: digest, expectedChecksum: expectedChecksum)
        } catch {
            release(id)
            throw error
        }
    }

    /// An error on the upload area's own files says nothing of where they are: whoever asked
    /// hears that the upload must start again, the log gets the details.
    static func ownFile<T>(_ body: () throws(KhoError) -> T) throws(KhoError) -> T {
        do {
            return try body()
        } catch where error.code == .diskFull {
            throw error
        } catch {
            throw KhoError(.unknownUpload, "this upload's bytes are gone from the server (removed or damaged): start it again", cause: error)
        }
    }

    public func release(_ id: String) { _ = busy.withLock { $0.remove(id) } }

    func remember(_ id: String, offset: Int64, digest: StreamingDigest) {
        digests.withLock { $0[id] = (offset, digest) }
    }

    /// The hash of the upload's first `record.offset` bytes: kept from the last chunk, or read
    /// again from disk (after a restart).
    private func digestAt(_ record: UploadRecord) throws(KhoError) -> StreamingDigest {
        if let kept = digests.withLock({ $0[record.id] }), kept.offset == record.offset { return kept.digest }
        var digest = StreamingDigest()
        let input = try FileDescriptor.open(dataPath(record.id), flags: O_RDONLY, doing: "reading an upload again")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var left = record.offset
        while left > 0 {
            let n = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<Int(min(Int64(buffer.count), left))]))
            guard n > 0 else { throw KhoError(.sizeChanged, "upload \(record.id) has fewer bytes on disk than its record says") }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            left -= Int64(n)
        }
        return digest
    }

    /// Saves uploads `ids` of `owner` with `save` (a product made or changed from their written
    /// blobs): the uploads are taken for the time (a second request for the same ones is
    /// refused, not interleaved), and removed only when `save` succeeds, so a product that
    /// fails to save can be tried again with the same uploads.
    public func consume<T>(_ ids: [String], owner: String, now: Double, busyMessage: String,
                           _ save: ([WrittenBlob]) throws(KhoError) -> T) throws(KhoError) -> T {
        guard claim(ids) else { throw KhoError(.offsetMismatch, busyMessage) }
        defer { ids.forEach(release) }
        var written: [WrittenBlob] = []
        for id in ids { written.append(try self.written(id, owner: owner, now: now)) }
        let result = try save(written)
        ids.forEach(remove)
        return result
    }

    /// Links a complete upload's bytes to `destination` (a web import's folder: a hard link, no
    /// copy); the upload stays until `remove`. Returns its record.
    public func link(_ id: String, owner: String, now: Double, to destination: HostPath) throws(KhoError) -> UploadRecord {
        let record = try record(id, owner: owner, now: now)
        guard record.isComplete else {
            throw KhoError(.uploadInterrupted, "the upload of \(FileName(bytes: record.fileName).display) is not complete (\(record.offset) of \(record.length) bytes)")
        }
        try Self.ownFile { () throws(KhoError) in try FS.hardLink(dataPath(id), destination) }
        return record
    }

    /// A complete upload as a stream written into this process's temporary area, ready to be
    /// published with a product (`Archive.ingest(_:written:)`, `attach`): a hard link, no copy.
    /// The upload stays until `remove`, so a product that fails to save can be tried again.
    public func written(_ id: String, owner: String, now: Double) throws(KhoError) -> WrittenBlob {
        let record = try record(id, owner: owner, now: now)
        guard record.isComplete, let sha256 = record.sha256 else {
            throw KhoError(.uploadInterrupted, "the upload of \(FileName(bytes: record.fileName).display) is not complete (\(record.offset) of \(record.length) bytes)")
        }
        let input = try Self.ownFile { () throws(KhoError) in try FileDescriptor.open(dataPath(id), flags: O_RDONLY, doing: "reading an upload") }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: MediaType.sniffLength, alignment: 16)
        defer { buffer.deallocate() }
        let n = try input.readFull(into: buffer)
        let head = Array(buffer[..<n])
        let link = try archive.blobs.newTempPath()
        try FS.hardLink(dataPath(id), link)
        let name = FileName(bytes: FileName.lastComponent(of: record.fileName))
        return WrittenBlob(name: name, path: link, sha256: sha256, size: record.length,
                           mediaType: MediaType.sniff(head, fileName: name.display))
    }
}
