// Blobs to and from an S3 replica, each hashed on the way: an archive copy that does not hash to
// its name is never sent (a large one goes in parts and is completed only once the whole has
// hashed right: otherwise the upload is aborted and nothing appears); a copy read back is
// hashed as it comes and takes its name in the archive only if it matches. Bodies are at most a
// part (8 MB) in memory, a few requests in flight at once.
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import KhoS3
import NIOCore
import Synchronization

extension S3Replica {
    /// What the replica holds under blobs/: digest → size; `strays`: keys that are not a blob's name.
    func listBlobs() async throws(KhoError) -> (sizes: [String: Int64], strays: [String]) {
        var sizes: [String: Int64] = [:]
        var strays: [String] = []
        let base = target.blobs
        try await s3 { () async throws(S3Error) in
            try await client.listAll(prefix: base) { page in
                for object in page {
                    let name = object.key.dropFirst(base.count)
                    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
                    if parts.count == 2, SHA256Hex.isValid(String(parts[1])), parts[1].hasPrefix(parts[0]), parts[0].count == 2 {
                        sizes[String(parts[1])] = object.size
                    } else {
                        strays.append(object.key)
                    }
                }
            }
        }
        return (sizes, strays)
    }

    /// Up to `max` bytes of `input` (fewer at its end) in a new buffer.
    static func read(_ input: KhoPlatform.FileDescriptor, max: Int) throws(KhoError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: max)
        var failure: KhoError?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: max) { space in
            do throws(KhoError) { return try input.readFull(into: UnsafeMutableRawBufferPointer(rebasing: space[0..<max])) } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return buffer
    }

    /// Sends the file at `path` as `key`: false when it is not `expected` (its size and, when
    /// given, its SHA-256), and then nothing was sent.
    func upload(_ path: HostPath, as key: String, size: Int64, sha256 expected: String?, progress: (any ProgressReporter)?) async throws(KhoError) -> Bool {
        guard let input = try? KhoPlatform.FileDescriptor.open(path, flags: O_RDONLY | O_NOFOLLOW, doing: "reading a blob") else { return false }
        if size <= Int64(Self.partSize) {
            let held = Int(size) + 1
            await memory.take(held)
            defer { memory.give(held) }
            let body = try Self.read(input, max: held)
            let sha256 = S3Client.sha256Hex(body)
            guard Int64(body.readableBytes) == size, expected.map({ $0 == sha256 }) ?? true else { return false }
            try await s3 { () async throws(S3Error) in try await client.put(key, body: body, sha256: sha256) }
            progress?.advance(bytes: size)
            return true
        }
        let part = Self.partSize(for: size)
        let held = min(part, Self.memoryBytes)
        let id = try await s3 { () async throws(S3Error) in try await client.beginUpload(key) }
        do throws(KhoError) {
            var whole = StreamingDigest()
            var parts: [S3Part] = []
            var sent: Int64 = 0
            while true {
                await memory.take(held)
                defer { memory.give(held) }
                let body = try Self.read(input, max: part)
                if body.readableBytes == 0 { break }
                body.withUnsafeReadableBytes { whole.update($0) }
                sent += Int64(body.readableBytes)
                guard sent <= size else { break }
                let number = parts.count + 1
                parts.append(try await s3 { () async throws(S3Error) in
                    try await client.uploadPart(key, uploadID: id, number: number, body: body, sha256: S3Client.sha256Hex(body))
                })
                progress?.advance(bytes: Int64(body.readableBytes))
            }
            guard sent == size, expected.map({ $0 == whole.finalizeHex() }) ?? true else {
                try? await client.abortUpload(key, uploadID: id)
                return false
            }
            let done = parts
            try await s3 { () async throws(S3Error) in try await client.completeUpload(key, uploadID: id, parts: done) }
            return true
        } catch {
            try? await client.abortUpload(key, uploadID: id)
            throw error
        }
    }

    /// Reads the replica's copy of a blob, hashing it: "ok", "missing" or "damaged", and the bytes read.
    func check(_ blob: (sha256: String, size: Int64), throttle: Throttle?, progress: (any ProgressReporter)?) async -> (outcome: String, bytes: Int64, error: KhoError?) {
        var digest = StreamingDigest()
        var bytes: Int64 = 0
        do throws(KhoError) {
            let read = try await s3 { () async throws(S3Error) in
                try await client.get(target.blobKey(blob.sha256), expectedSize: blob.size) { piece in
                    bytes += Int64(piece.readableBytes)
                    guard bytes <= blob.size else { return false }
                    piece.withUnsafeReadableBytes { digest.update($0) }
                    // Paced by sleeping this task, not the thread it runs on.
                    if let wait = throttle?.delay(for: Int64(piece.readableBytes)), wait > 0.001 {
                        try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                    }
                    progress?.advance(bytes: Int64(piece.readableBytes))
                    return true
                }
            }
            guard read != nil else { return ("missing", 0, nil) }
            return (bytes == blob.size && digest.finalizeHex() == blob.sha256 ? "ok" : "damaged", bytes, nil)
        } catch {
            // Not an answer about the copy: the server or the line (said, not counted as damage).
            return ("unreachable", bytes, error)
        }
    }

    /// The replica's copy of a blob into `store` if it hashes to its digest: written to the
    /// store's temporary area as it comes, flushed, renamed over any copy there. "restored",
    /// else "missing", "damaged", or "unreachable" (the server did not answer: nothing known of
    /// the copy). Only the archive's side (its disk) throws.
    func fetch(_ blob: (sha256: String, size: Int64), into store: BlobStore, progress: (any ProgressReporter)?) async throws(KhoError) -> String {
        let temp = try store.newTempPath()
        let output = try KhoPlatform.FileDescriptor.open(temp, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o444, doing: "writing a restored blob")
        var digest = StreamingDigest()
        var size: Int64 = 0
        var failure: KhoError?
        do throws(KhoError) {
            let answer = await { () async -> Result<Int64?, S3Error> in
                do throws(S3Error) { return .success(try await client.get(target.blobKey(blob.sha256), expectedSize: blob.size) { piece in
                    size += Int64(piece.readableBytes)
                    guard size <= blob.size else { return false }
                    do throws(KhoError) {
                        try piece.withUnsafeReadableBytes { (chunk) throws(KhoError) in
                            digest.update(chunk)
                            try output.writeAll(chunk, doing: "writing a restored blob")
                        }
                    } catch {
                        failure = error
                        return false
                    }
                    progress?.advance(bytes: Int64(piece.readableBytes))
                    return true
                }) } catch { return .failure(error) }
            }()
            if let failure { throw failure }
            guard case .success(let read) = answer else {
                FS.remove(temp)
                return "unreachable"
            }
            guard read != nil else {
                FS.remove(temp)
                return "missing"
            }
            guard size == blob.size, digest.finalizeHex() == blob.sha256 else {
                FS.remove(temp)
                return "damaged"
            }
            try store.publishRestored(temp, output, sha256: blob.sha256)
            return "restored"
        } catch {
            FS.remove(temp)
            throw error
        }
    }

    /// `body` for each item, at most `limit` at once; the results in the items' order.
    static func each<T: Sendable, R: Sendable>(_ items: [T], limit: Int = concurrency,
                                               _ body: @escaping @Sendable (T) async -> R) async -> [R] {
        await withTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            var next = 0
            while next < items.count && next < limit {
                let i = next
                group.addTask { (i, await body(items[i])) }
                next += 1
            }
            while let (i, r) = await group.next() {
                results[i] = r
                if next < items.count {
                    let j = next
                    group.addTask { (j, await body(items[j])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}

/// Bytes of request bodies in memory at once, shared by a run's uploads: one waits (in turn)
/// until what it needs is free. Each asks for at most a part, well under the whole.
final class MemoryBudget: Sendable {
    private struct State {
        var free: Int
        var waiting: [(bytes: Int, resume: CheckedContinuation<Void, Never>)] = []
    }
    private let state: Mutex<State>

    init(bytes: Int) { state = Mutex(State(free: bytes)) }

    func take(_ bytes: Int) async {
        await withCheckedContinuation { (resume: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { s in
                if s.waiting.isEmpty && s.free >= bytes {
                    s.free -= bytes
                    return true
                }
                s.waiting.append((bytes, resume))
                return false
            }
            if now { resume.resume() }
        }
    }

    func give(_ bytes: Int) {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.free += bytes
            var ready: [CheckedContinuation<Void, Never>] = []
            while let first = s.waiting.first, first.bytes <= s.free {
                s.free -= first.bytes
                ready.append(first.resume)
                s.waiting.removeFirst()
            }
            return ready
        }
        for r in ready { r.resume() }
    }
}
