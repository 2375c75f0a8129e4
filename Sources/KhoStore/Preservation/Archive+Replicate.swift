// Bringing a folder replica up to date. One run at a time (a lock in the replica). First a
// consistent copy of the catalog (SQLite's online backup, while others may write; sessions,
// API tokens and password hashes left out of it), then the blobs the replica lacks (blobs by
// digest: incremental by nature), each hashed on the way (a damaged or missing archive copy is
// never spread: it is named and the run goes on) and flushed before it takes its name (a batch
// of up to 2 GB or 16,384 blobs at a time, copied and named on every core: one flush of the
// replica's file system for the data, one for the names), so a kill leaves whole blobs or none
// and the next run goes on (a kill loses at most the batch under way); a blob of 4 MB or more is
// written with direct I/O (from the buffer it was hashed in to the disk, not through the page
// cache: that copy cost as much as the hashing); then the catalog copy takes its
// name. Restricted products' bytes go only to a replica that takes them, and leave the others.
// One `replication` event a run.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform
import Synchronization

public struct ReplicationSummary: Sendable, Codable {
    public var replica: String
    public var target: String
    public var blobsCopied = 0
    public var bytesCopied: Int64 = 0
    public var blobsAlreadyThere = 0
    /// Blobs held only by restricted products (or by none), not sent to a replica that does
    /// not take them.
    public var restrictedLeftOut = 0
    /// Copies of those removed from the replica (the product became restricted after it was copied).
    public var restrictedRemoved = 0
    /// Archive blobs missing or damaged: not sent (run kho verify).
    public var notSent: [String] = []
    public var catalogBytes: Int64 = 0
    /// Product sidecars copied, and superseded (or no longer allowed) ones removed.
    public var sidecarsCopied = 0
    public var sidecarsRemoved = 0
}

public struct ReplicaStatus: Sendable, Codable {
    public var replica: ReplicaRecord
    /// Blobs there under their name, regular files of the right size (not re-hashed).
    public var present = 0
    public var missing = 0
    /// Under a blob's name but of the wrong size or not a regular file.
    public var damaged = 0
    /// Files the replica should not hold (unknown, or misplaced).
    public var extra = 0
    /// Restricted products' bytes in a replica that does not take them.
    public var restrictedPresent = 0
    public var bytesPresent: Int64 = 0
    public var hasCatalog = false
}

extension Archive {
    public func replicate(_ replica: ReplicaRecord, progress: (any ProgressReporter)?) throws(KhoError) -> ReplicationSummary {
        if S3Target.isS3(replica.target) { return try replicateS3(replica, progress: progress) }
        let folder = replicaFolder(HostPath(replica.target))
        try checkMarker(folder.root, name: replica.name, adopting: false)
        let lock = try folder.lock()
        defer { withExtendedLifetime(lock) {} }
        try folder.prepare()
        try folder.clearTemp()
        var summary = ReplicationSummary(replica: replica.name, target: replica.target)
        // The catalog first: every blob it names is in the store already, so the blobs listed
        // after it and copied below are all the copy needs.
        // Every product's sidecar current first, so the replica gets the latest.
        try renewSidecars(wait: true, progress: progress)
        // The replica holds every blob stored before this instant once the run is done.
        let started = clock.now()
        let catalogCopy = try copyCatalog(into: folder, replica: replica)
        var toCopy: [(sha256: String, size: Int64)] = []
        for blob in try replicaBlobs() {
            let there = FS.fileStatus(folder.blobPath(blob.sha256))
            if blob.restrictedOnly && !replica.includeRestricted {
                summary.restrictedLeftOut += 1
                if there != nil {
                    try folder.ensureFolder(folder.blobPath(blob.sha256).parentFolder)
                    guard folder.blobPath(blob.sha256).withCString({ unlink($0) }) == 0 else {
                        throw Sys.error(errno, "removing a restricted product's copy from replica \(replica.name)", folder.blobPath(blob.sha256))
                    }
                    try FS.syncDirectory(folder.blobPath(blob.sha256).parentFolder)
                    summary.restrictedRemoved += 1
                }
                continue
            }
            if let there, (there.st_mode & S_IFMT) == S_IFREG, Int64(there.st_size) == blob.size {
                summary.blobsAlreadyThere += 1
            } else {
                toCopy.append((blob.sha256, blob.size))
            }
        }
        progress?.start(label: "replicating to \(replica.name)", totalBytes: toCopy.reduce(0) { $0 + $1.size }, totalItems: toCopy.count)
        defer { progress?.finish() }
        // In batches: each blob copied (hashed on the way) under a temporary name, one flush of
        // the replica's file system for the batch, then the names, then one more flush.
        var batch: [(sha256: String, size: Int64)] = []
        var batchBytes: Int64 = 0
        func flush() throws(KhoError) {
            let sent = try copyBlobs(batch, to: folder, replica: replica.name, progress: progress)
            for blob in batch {
                if sent.contains(blob.sha256) {
                    summary.blobsCopied += 1
                    summary.bytesCopied += blob.size
                } else {
                    summary.notSent.append(blob.sha256)
                }
            }
            batch = []
            batchBytes = 0
        }
        for blob in toCopy {
            batch.append(blob)
            batchBytes += blob.size
            if batch.count >= 16384 || batchBytes >= 2 << 30 { try flush() }
        }
        if !batch.isEmpty { try flush() }
        (summary.sidecarsCopied, summary.sidecarsRemoved) = try replicateSidecars(to: folder, replica: replica)
        try FS.rename(catalogCopy, folder.root.appending("catalog.sqlite"))
        // The archive's identity and settings too: a copy restored from the replica is this
        // archive, with its report settings.
        for name in [Self.markerName, ArchiveConfig.fileName] {
            guard let read = FileManager.default.contents(atPath: root.appending(name).description) else { continue }
            // The S3 keys in kho-config.json stay here.
            guard let bytes = name == ArchiveConfig.fileName ? S3Settings.withoutKeys(Array(read)) : Array(read) else { continue }
            let (partial, output) = try folder.newTempFile("\(name).partial")
            let content = bytes
            let failed = content.withUnsafeBytes { Sys.writeAll(output.fd, $0) }
            if failed != 0 { throw Sys.error(failed, "copying \(name) to replica \(replica.name)", partial) }
            try output.sync(doing: "flushing \(name) in replica \(replica.name)")
            try FS.rename(partial, folder.root.appending(name))
        }
        try FS.syncDirectory(folder.root)
        summary.catalogBytes = Int64(FS.fileStatus(folder.root.appending("catalog.sqlite"))?.st_size ?? 0)
        try recordReplication(replica, summary, started: started)
        return summary
    }

    /// The run's `replication` event; the replica holds every blob stored before `started`.
    func recordReplication(_ replica: ReplicaRecord, _ summary: ReplicationSummary, started: Timestamp) throws(KhoError) {
        let now = clock.now()
        let detail = "\(replica.name): \(summary.blobsCopied) blob(s) copied (\(summary.bytesCopied) bytes), \(summary.blobsAlreadyThere) already there, "
            + "\(summary.restrictedLeftOut) restricted left out (\(summary.restrictedRemoved) removed), catalog \(summary.catalogBytes) bytes, "
            + "\(summary.sidecarsCopied) sidecar(s) copied (\(summary.sidecarsRemoved) removed)"
            + (summary.notSent.isEmpty ? "" : "; not sent, missing or damaged here: \(summary.notSent.joined(separator: ", "))")
        try catalog.write { db in
            try db.execute(sql: "UPDATE replicas SET last_replicated_at = ? WHERE name = ?", arguments: [started.iso, replica.name])
            try CatalogWrites.append(db, event(.replication, object: "replica:\(replica.name)", product: nil,
                                               outcome: summary.notSent.isEmpty ? .success : .warning, detail: detail, at: now))
        }
    }

    /// Blobs into the replica as one batch (see replicate); returns those sent (an archive copy
    /// missing or damaged is not).
    private func copyBlobs(_ batch: [(sha256: String, size: Int64)], to folder: ReplicaFolder,
                           replica: String, progress: (any ProgressReporter)?) throws(KhoError) -> Set<String> {
        // Copied on every core: most blobs are small, and each is hashed as it goes.
        let jobs = Parallel.defaultJobs
        let buffers = WorkerBuffers(count: jobs, size: BlobStore.chunkSize, alignment: 4096)
        let copies: [Result<HostPath?, KhoError>] = try Parallel.map(count: batch.count, jobs: jobs) { index, worker in
            defer { progress?.itemDone() }
            do throws(KhoError) {
                return .success(try stageBlob(batch[index], in: folder, buffer: buffers[worker], replica: replica, progress: progress))
            } catch {
                return .failure(error)
            }
        }
        var staged: [(partial: HostPath, sha256: String)] = []
        // What did not take its name (a failure half-way) does not stay in tmp/.
        let renamed = Mutex<Set<String>>([])
        defer { for item in staged where !renamed.withLock({ $0.contains(item.sha256) }) { FS.remove(item.partial) } }
        var failure: KhoError?
        for (blob, copy) in zip(batch, copies) {
            switch copy {
            case .success(let partial?): staged.append((partial, blob.sha256))
            case .success(nil): break
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure { throw failure }
        guard !staged.isEmpty else { return [] }
        try FileDescriptor.open(folder.temp, flags: O_RDONLY | O_DIRECTORY, doing: "flushing copies in replica \(replica)").syncFileSystem()
        // The batch's second flush makes a new shard folder durable with the names in it.
        for shard in Set(staged.map { String($0.sha256.prefix(2)) }) {
            try folder.ensureFolder(folder.blobs.appending(shard), flushed: false)
        }
        let names = staged
        _ = try Parallel.map(count: names.count, jobs: Parallel.defaultJobs) { (i, _) throws(KhoError) in
            try FS.rename(names[i].partial, folder.blobPath(names[i].sha256))
            renamed.withLock { _ = $0.insert(names[i].sha256) }
        }
        try FileDescriptor.open(folder.temp, flags: O_RDONLY | O_DIRECTORY, doing: "flushing copies in replica \(replica)").syncFileSystem()
        return renamed.withLock { $0 }
    }

    /// One blob copied into the replica's tmp/, hashed on the way, not yet flushed: its
    /// temporary path, or nil when the archive's copy is missing or damaged (nothing kept).
    private func stageBlob(_ blob: (sha256: String, size: Int64), in folder: ReplicaFolder, buffer: UnsafeMutableRawBufferPointer,
                           replica: String, progress: (any ProgressReporter)?) throws(KhoError) -> HostPath? {
        let (partial, output) = try folder.newTempFile("\(blob.sha256).partial")
        let read: (sha256: String, size: Int64)
        // A large blob is written straight from the buffer to the disk (the page cache's copy
        // costs about as much as hashing); its tail, shorter than a block, the usual way.
        let writer = DirectWrites(fd: output.fd, wanted: blob.size >= 4 << 20)
        do {
            read = try blobs.read(blob.sha256, buffer: buffer, sink: { (chunk) throws(KhoError) in
                let failed = writer.write(chunk)
                if failed != 0 { throw Sys.error(failed, "copying a blob to replica \(replica)", partial) }
                progress?.advance(bytes: Int64(chunk.count))
            })
        } catch where error.code == .missingFile {
            FS.remove(partial)
            return nil
        } catch {
            FS.remove(partial)
            throw error
        }
        guard read.sha256 == blob.sha256, read.size == blob.size else {
            FS.remove(partial)
            return nil
        }
        // The disk starts writing it now, while the next ones are copied: the batch's flush
        // then has little left to wait for.
        Sys.startWriteback(output.fd, offset: 0, length: 0)
        return partial
    }

    /// One blob into the replica, flushed; false when the archive's copy is missing or damaged (nothing sent).
    func copyBlob(_ blob: (sha256: String, size: Int64), to folder: ReplicaFolder, buffer: UnsafeMutableRawBufferPointer,
                          replica: String, progress: (any ProgressReporter)?) throws(KhoError) -> Bool {
        guard let partial = try stageBlob(blob, in: folder, buffer: buffer, replica: replica, progress: progress) else { return false }
        do { try FileDescriptor.open(partial, flags: O_RDONLY | O_NOFOLLOW, doing: "flushing a blob in replica \(replica)").sync() } catch {
            FS.remove(partial)
            throw error
        }
        let destination = folder.blobPath(blob.sha256)
        try folder.ensureFolder(destination.parentFolder)
        try FS.rename(partial, destination)
        try FS.syncDirectory(destination.parentFolder)
        return true
    }

    /// The catalog copy in the replica's tmp/ (see backupCatalog).
    func copyCatalog(into folder: ReplicaFolder, replica: ReplicaRecord) throws(KhoError) -> HostPath {
        let (partial, placeholder) = try folder.newTempFile("catalog.sqlite.partial")
        _ = placeholder
        try backupCatalog(to: partial, replica: replica)
        return partial
    }

    /// What a replica holds against what it should.
    public func replicaStatus(_ replica: ReplicaRecord) throws(KhoError) -> ReplicaStatus {
        if S3Target.isS3(replica.target) { return try replicaStatusS3(replica) }
        let folder = replicaFolder(HostPath(replica.target))
        try checkMarker(folder.root, name: replica.name, adopting: false)
        var status = ReplicaStatus(replica: replica)
        var wanted: [String: Int64] = [:]
        var restricted = Set<String>()
        for blob in try replicaBlobs() {
            if !blob.restrictedOnly || replica.includeRestricted { wanted[blob.sha256] = blob.size } else { restricted.insert(blob.sha256) }
        }
        var present = Set<String>()
        for prefix in (try? FS.list(folder.blobs)) ?? [] {
            let shard = folder.blobs.appending(prefix)
            guard let st = FS.fileStatus(shard), (st.st_mode & S_IFMT) == S_IFDIR else { status.extra += 1; continue }
            for name in (try? FS.list(shard)) ?? [] {
                let file = FS.fileStatus(shard.appending(name))
                let regular = file.map { ($0.st_mode & S_IFMT) == S_IFREG } ?? false
                if restricted.contains(name) { status.restrictedPresent += 1; continue }
                guard let size = wanted[name], name.hasPrefix(prefix) else { status.extra += 1; continue }
                if regular, let file, Int64(file.st_size) == size {
                    status.present += 1
                    status.bytesPresent += size
                    present.insert(name)
                } else {
                    status.damaged += 1
                }
            }
        }
        status.missing = wanted.count - present.count
        status.hasCatalog = FS.fileStatus(folder.root.appending("catalog.sqlite")).map { ($0.st_mode & S_IFMT) == S_IFREG } ?? false
        return status
    }
}
