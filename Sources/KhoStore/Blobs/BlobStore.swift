// The content-addressed blob store: `blobs/sha256/ab/<64 hex>`, read-only once stored.
// A source is read once in fixed-size chunks, hashed while it is copied into this
// process's temporary folder, flushed, then renamed into place: a reader never sees
// a half-written blob, and the same bytes are stored once.
import Glibc
import Foundation
import KhoCore
import KhoPlatform
import Synchronization

/// The outcome of storing one source file.
public struct StoredBlob: Sendable, Equatable {
    public var sha256: String
    public var size: Int64
    /// Sniffed from the first bytes while they passed through, with the source's name as a hint.
    public var mediaType: String
    /// False when the same bytes were already in the store.
    public var wasNew: Bool
    /// True when a blob known to be damaged or missing was replaced by these good bytes.
    public var repaired: Bool
}

public final class BlobStore: Sendable {
    public static let chunkSize = 1 << 20
    /// Writeback is started every this many bytes, so the disk is busy while we hash.
    static let writebackStride: Int64 = 8 << 20
    /// Files at least this large are copied on two threads (one hashes, one writes).
    static let pipelineThreshold: Int64 = 16 << 20
    /// Up to this many files are flushed one by one; more share one file-system flush.
    static let perFileSyncLimit = 4

    let root: HostPath
    private let tempRoot: HostPath
    private let session = SessionHolder()
    /// Shard folders known to exist, so each is made (or found) once per process.
    private let knownShards = Mutex<Set<HostPath>>([])

    init(root: HostPath, tempRoot: HostPath) {
        self.root = root
        self.tempRoot = tempRoot
    }

    public func path(for sha256: String) -> HostPath {
        let hex = Array(sha256.utf8)
        return HostPath(bytes: root.bytes + Array("/\(String(decoding: hex[0..<2], as: UTF8.self))/".utf8) + hex)
    }

    /// Removes this process's temporary folder.
    func closeSession() { session.close() }

    /// A new, empty folder in this process's temporary area (removed with the area).
    func temporaryFolder(_ name: String) throws(KhoError) -> HostPath {
        let area = try session.area(root: tempRoot)
        let folder = try area.newPath(worker: 0)
        try FS.makeDirectory(HostPath(bytes: folder.bytes + Array("-\(name)".utf8)))
        return HostPath(bytes: folder.bytes + Array("-\(name)".utf8))
    }

    /// A restored copy (written to `temp` through `output` and checked against its digest)
    /// flushed, then renamed over any copy there, its folder flushed.
    func publishRestored(_ temp: HostPath, _ output: FileDescriptor, sha256: String) throws(KhoError) {
        try output.sync(doing: "flushing a restored blob")
        let final = path(for: sha256)
        try FS.makeDirectory(final.parentFolder)
        try FS.rename(temp, final)
        try FS.syncDirectory(final.parentFolder)
    }

    public func contains(_ sha256: String, size: Int64) -> Bool {
        guard let st = FS.fileStatus(path(for: sha256)) else { return false }
        return Int64(st.st_size) == size && st.st_mode & S_IFMT == S_IFREG
    }

    /// Checks that every source is a readable regular file; reports all that are not.
    public static func checkSources(_ sources: [HostPath]) -> (sizes: [Int64], problems: [KhoError]) {
        var sizes: [Int64] = []
        var problems: [KhoError] = []
        for source in sources {
            do throws(KhoError) {
                let fd = try FileDescriptor.openForReading(source)
                let st = try fd.status()
                guard st.st_mode & S_IFMT == S_IFREG else {
                    throw KhoError(st.st_mode & S_IFMT == S_IFDIR ? .notAFile : .notARegularFile,
                                   "\(source) is \(st.st_mode & S_IFMT == S_IFDIR ? "a folder" : "not a regular file"); expected a file to store")
                }
                sizes.append(Int64(st.st_size))
            } catch {
                problems.append(error)
                sizes.append(0)
            }
        }
        return (sizes, problems)
    }

    /// Stores every source; returns one result per source, in order. All or nothing:
    /// if one source fails, none is published.
    public func put(_ sources: [HostPath], jobs: Int, damaged: Set<String> = [],
                    progress: (any ProgressReporter)? = nil) throws(KhoError) -> [StoredBlob] {
        if sources.isEmpty { return [] }
        let staged = try stage(sources, jobs: jobs, flush: true, progress: progress)
        if let failure = staged.first(where: { if case .failure = $0 { true } else { false } }), case .failure(let error) = failure {
            for case .success(let item) in staged { FS.remove(item.tempPath) }
            throw error
        }
        let items = staged.map { try! $0.get() }
        let found = foresee(items, damaged: damaged)
        try publish(items, batch: sources.count > Self.perFileSyncLimit)
        return found
    }

    /// Takes files already written (and hashed) in this store's temporary area, on the same
    /// disk, and already made durable by the caller (each fsynced as it was finished, or one
    /// flush opened before they were written), into the store by renaming them.
    func adopt(_ items: [(path: HostPath, sha256: String, size: Int64, mediaType: String)], damaged: Set<String>) throws(KhoError) -> [StoredBlob] {
        if items.isEmpty { return [] }
        let staged = items.map { Staged(tempPath: $0.path, sha256: $0.sha256, size: $0.size, mediaType: $0.mediaType) }
        let found = foresee(staged, damaged: damaged)
        try publish(staged, batch: items.count > Self.perFileSyncLimit)
        return found
    }

    /// Stores what it can: a source that cannot be read fails alone. A full disk stops everything.
    func putEach(_ sources: [HostPath], jobs: Int, damaged: Set<String> = [],
                 progress: (any ProgressReporter)? = nil) throws(KhoError) -> [Result<StoredBlob, KhoError>] {
        try publishEach(try stageEach(sources, jobs: jobs, progress: progress), damaged: damaged)
    }

    /// The first half of `putEach`: every source copied and hashed into the temporary area,
    /// neither flushed nor published yet (so the next batch can be copied while the previous
    /// one is flushed and committed). A full disk stops everything, leaving nothing behind.
    func stageEach(_ sources: [HostPath], jobs: Int, progress: (any ProgressReporter)? = nil) throws(KhoError) -> StagedBatch {
        let handle = sources.count > Self.perFileSyncLimit ? try flushHandle() : nil
        return StagedBatch(results: try stage(sources, jobs: jobs, flush: false, progress: progress), fileSystem: handle)
    }

    /// A descriptor for one flush of the file system, opened before the files it is to make
    /// durable are written: syncfs reports the write-back errors recorded since its descriptor
    /// was opened (and older ones only if no one has seen them yet: another process's syncfs,
    /// the web app's, may have).
    private func flushHandle() throws(KhoError) -> FileDescriptor {
        try FileDescriptor.open(tempRoot, flags: O_RDONLY | O_DIRECTORY, doing: "flushing new blobs")
    }

    /// The second half: the staged files flushed (one file-system flush for a batch) and
    /// published, in order; a source that failed stays a failure.
    /// `foreseen`: what `outcomes` found beforehand, when the caller already has it.
    @discardableResult
    func publishEach(_ batch: StagedBatch, damaged: Set<String>, foreseen: [Result<StoredBlob, KhoError>]? = nil) throws(KhoError) -> [Result<StoredBlob, KhoError>] {
        let good = batch.results.compactMap { try? $0.get() }
        if good.isEmpty {  // every source failed
            return batch.results.compactMap { if case .failure(let error) = $0 { .failure(error) } else { nil } }
        }
        do throws(KhoError) {
            if let handle = batch.fileSystem {
                try handle.syncFileSystem()
            } else {
                for item in good { try FileDescriptor.open(item.tempPath, flags: O_RDONLY, doing: "flushing a new blob").sync() }
            }
        } catch {
            discard(batch)
            throw error
        }
        let found = foreseen ?? outcomes(batch, damaged: damaged)
        try publish(good, batch: batch.fileSystem != nil)
        return found
    }

    /// What `publishEach` will make of a staged batch, found without touching the store (a look
    /// at each blob's name): so the catalog's rows can be written while the batch is flushed
    /// and named. The same bytes twice in a batch are new only the first time, as publishing
    /// them in order finds.
    func outcomes(_ batch: StagedBatch, damaged: Set<String>) -> [Result<StoredBlob, KhoError>] {
        var found = foresee(batch.results.compactMap { try? $0.get() }, damaged: damaged)[...]
        return batch.results.map { result in result.map { _ in found.removeFirst() } }
    }

    /// What naming `items` in order will find: new, already there (the same bytes earlier in
    /// `items` too), or there but damaged or of another size (a repair).
    private func foresee(_ items: [Staged], damaged: Set<String>) -> [StoredBlob] {
        var seen: Set<String> = []
        return items.map { item in
            let repaired = damaged.contains(item.sha256)
            guard seen.insert(item.sha256).inserted else {
                return StoredBlob(sha256: item.sha256, size: item.size, mediaType: item.mediaType, wasNew: false, repaired: repaired)
            }
            let existing = FS.fileStatus(path(for: item.sha256))
            let wrongSize = existing.map { Int64($0.st_size) != item.size || $0.st_mode & S_IFMT != S_IFREG } ?? false
            return StoredBlob(sha256: item.sha256, size: item.size, mediaType: item.mediaType,
                              wasNew: existing == nil, repaired: repaired || wrongSize)
        }
    }

    /// Removes a staged batch's files (its rows will not be stored).
    func discard(_ batch: StagedBatch) {
        for case .success(let item) in batch.results { FS.remove(item.tempPath) }
    }

    /// Copies and hashes every source into the temporary area; with `flush`, makes them
    /// durable (each file alone when there are few, else one file-system flush).
    private func stage(_ sources: [HostPath], jobs: Int, flush: Bool, progress: (any ProgressReporter)?) throws(KhoError) -> [Result<Staged, KhoError>] {
        let temp = try session.area(root: tempRoot)
        let batch = sources.count > Self.perFileSyncLimit
        let handle = flush && batch ? try flushHandle() : nil
        let buffers = WorkerBuffers(count: jobs, size: Self.chunkSize)
        // The files this batch wrote, so a failure removes them and nothing else of the temporary
        // area (an upload or a bundle import may be using it at the same time).
        let written = Mutex<[HostPath]>([])
        let staged: [Result<Staged, KhoError>]
        do throws(KhoError) {
            staged = try Parallel.map(count: sources.count, jobs: jobs) { index, worker throws(KhoError) -> Result<Staged, KhoError> in
                do throws(KhoError) {
                    let path = try temp.newPath(worker: worker)
                    written.withLock { $0.append(path) }
                    return .success(try Self.copyAndHash(sources[index], into: path, buffer: buffers[worker], syncNow: flush && !batch, progress: progress))
                } catch where error.code == .diskFull {
                    throw error
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            for path in written.withLock({ $0 }) { FS.remove(path) }
            throw error
        }
        if let handle, staged.contains(where: { (try? $0.get()) != nil }) {
            do throws(KhoError) { try handle.syncFileSystem() } catch {
                for case .success(let item) in staged { FS.remove(item.tempPath) }
                throw error
            }
        }
        return staged
    }

    /// Renames staged files into place, over any copy already there (what each finds there:
    /// `foresee`, before), and makes the names durable.
    private func publish(_ staged: [Staged], batch: Bool) throws(KhoError) {
        var touchedShards: Set<HostPath> = []
        var remaining = staged[...]
        defer { for item in remaining { FS.remove(item.tempPath) } }
        while let item = remaining.first {
            let final = path(for: item.sha256)
            let shard = HostPath(bytes: Array(final.bytes.dropLast(65)))
            // The new copy always takes the name, by an atomic rename: a copy already there may
            // be damaged without anyone knowing yet (same size, other bytes), and identical good
            // bytes must leave a good copy. Readers of the old copy keep their open file.
            if !knownShards.withLock({ $0.contains(shard) }) {
                try FS.makeDirectory(shard)
                knownShards.withLock { _ = $0.insert(shard) }
            }
            try FS.rename(item.tempPath, final)
            remaining.removeFirst()
            touchedShards.insert(shard)
        }
        if batch && !touchedShards.isEmpty {
            try FileDescriptor.open(root, flags: O_RDONLY | O_DIRECTORY, doing: "flushing new blobs").syncFileSystem()
        } else {
            for shard in touchedShards { try FS.syncDirectory(shard) }
        }
    }

    /// A new stream into this process's temporary area.
    /// A fresh path in this process's temporary area.
    func newTempPath() throws(KhoError) -> HostPath {
        try session.area(root: tempRoot).newPath(worker: 0)
    }

    func newWriter(name: FileName, maxBytes: Int64?) throws(KhoError) -> BlobWriter {
        let temp = try session.area(root: tempRoot)
        return try BlobWriter(path: try temp.newPath(worker: 0), name: name, maxBytes: maxBytes)
    }

    /// Files copied into the temporary area, not yet published; one result per source.
    struct StagedBatch: Sendable {
        var results: [Result<Staged, KhoError>]
        /// For many files, one flush of the file system (see `flushHandle`); nil for a few,
        /// each flushed alone.
        var fileSystem: FileDescriptor?
    }

    struct Staged: Sendable {
        var tempPath: HostPath
        var sha256: String
        var size: Int64
        var mediaType: String
    }

    // MARK: Reading

    /// Streams a blob to `sink` in chunks; returns the SHA-256 of what was read.
    func read(_ sha256: String, buffer: UnsafeMutableRawBufferPointer,
              sink: (UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) -> (sha256: String, size: Int64) {
        let input = try FileDescriptor.openForReading(path(for: sha256))
        input.adviseSequential()
        nonisolated(unsafe) var digest = StreamingDigest()
        var size: Int64 = 0
        // Large chunks are hashed on a second thread while the sink writes them (the two cost
        // about the same); the next chunk is read only when both are done with this one.
        nonisolated(unsafe) let send = sink
        while true {
            let n = try input.readFull(into: buffer)
            if n == 0 { break }
            nonisolated(unsafe) let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            if n >= 256 << 10 {
                nonisolated(unsafe) var failure: KhoError?
                DispatchQueue.concurrentPerform(iterations: 2) { lane in
                    if lane == 0 {
                        digest.update(chunk)
                    } else {
                        do throws(KhoError) { try send(chunk) } catch { failure = error }
                    }
                }
                if let failure { throw failure }
            } else {
                digest.update(chunk)
                try sink(chunk)
            }
            size += Int64(n)
        }
        return (digest.finalizeHex(), size)
    }

    /// Streams a blob whose digest is already known, without hashing it again; returns the
    /// number of bytes sent.
    func readRaw(_ sha256: String, buffer: UnsafeMutableRawBufferPointer,
                 sink: (UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) -> Int64 {
        let input = try FileDescriptor.openForReading(path(for: sha256))
        input.adviseSequential()
        var size: Int64 = 0
        while true {
            let n = try input.readFull(into: buffer)
            if n == 0 { break }
            try sink(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            size += Int64(n)
        }
        return size
    }

    /// Every blob file present on disk, by name (for finding blobs the catalog does not know).
    func allStoredNames() -> [String] {
        var names: [String] = []
        for shard in (try? FS.list(root)) ?? [] where shard.utf8.count == 2 {
            for name in (try? FS.list(root.appending(shard))) ?? [] where SHA256Hex.isValid(name) { names.append(name) }
        }
        return names
    }
}

/// This process's temporary area, made on first use.
final class SessionHolder: Sendable {
    private let state = Mutex<TempArea?>(nil)

    func area(root: HostPath) throws(KhoError) -> TempArea {
        try state.withLock { (area: inout TempArea?) throws(KhoError) -> TempArea in
            if let area { return area }
            let made = try TempArea(root: root)
            area = made
            return made
        }
    }

    /// Removes the temporary folder now (it is also removed by the next process if we die).
    func close() { state.withLock { $0 = nil } }
}
