// Bringing a folder replica up to date: only what it lacks is copied (blobs by digest, so it
// is incremental by nature), each blob hashed on the way (a damaged archive copy is never
// spread) and flushed before it takes its name, so a kill leaves whole blobs or none and a
// second run goes on where the first stopped; then a consistent copy of the catalog (SQLite's
// online backup, while others may write), swapped in whole. One `replication` event a run.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

public struct ReplicationSummary: Sendable, Codable {
    public var replica: String
    public var target: String
    public var blobsCopied = 0
    public var bytesCopied: Int64 = 0
    public var blobsAlreadyThere = 0
    /// Blobs held only by restricted products (or by none), not sent to a replica that does
    /// not take them.
    public var restrictedLeftOut = 0
    /// Copies of restricted products' bytes removed from a replica that does not take them (the
    /// product became restricted after it was copied).
    public var restrictedRemoved = 0
    public var catalogBytes: Int64 = 0
}

public struct ReplicaStatus: Sendable, Codable {
    public var replica: ReplicaRecord
    public var present = 0
    public var missing = 0
    public var extra = 0
    public var bytesPresent: Int64 = 0
    public var hasCatalog = false
}

extension Archive {
    public func replicate(_ replica: ReplicaRecord, progress: (any ProgressReporter)?) throws(KhoError) -> ReplicationSummary {
        let folder = HostPath(replica.target)
        try checkMarker(folder, adopting: false)
        var summary = ReplicationSummary(replica: replica.name, target: replica.target)
        let wanted = try replicaBlobs()
        var toCopy: [(sha256: String, size: Int64)] = []
        for blob in wanted {
            if blob.restrictedOnly && !replica.includeRestricted {
                summary.restrictedLeftOut += 1
                let copy = Self.replicaPath(folder, blob.sha256)
                if FS.exists(copy) {
                    FS.remove(copy)
                    try FS.syncDirectory(copy.parentFolder)
                    summary.restrictedRemoved += 1
                }
                continue
            }
            if let st = FS.fileStatus(Self.replicaPath(folder, blob.sha256)), Int64(st.st_size) == blob.size {
                summary.blobsAlreadyThere += 1
            } else {
                toCopy.append((blob.sha256, blob.size))
            }
        }
        let temp = folder.appending("tmp")
        try FS.makeDirectories(temp)
        progress?.start(label: "replicating to \(replica.name)", totalBytes: toCopy.reduce(0) { $0 + $1.size }, totalItems: toCopy.count)
        defer { progress?.finish() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        for blob in toCopy {
            let partial = temp.appending("\(blob.sha256).partial")
            let output = try FileDescriptor.open(partial, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o444, doing: "copying a blob to replica \(replica.name)")
            let read: (sha256: String, size: Int64)
            do {
                read = try blobs.read(blob.sha256, buffer: buffer, sink: { (chunk) throws(KhoError) in
                    try output.writeAll(chunk, doing: "copying a blob to replica \(replica.name)")
                    progress?.advance(bytes: Int64(chunk.count))
                })
            } catch {
                FS.remove(partial)
                throw error.code == .missingFile
                    ? KhoError(.blobMissing, "blob \(blob.sha256) is missing from the archive; run kho verify (nothing of it was sent to \(replica.name))")
                    : error
            }
            guard read.sha256 == blob.sha256, read.size == blob.size else {
                FS.remove(partial)
                throw KhoError(.blobDamaged, "blob \(blob.sha256) is damaged in the archive (it hashes to \(read.sha256)); it was not sent to \(replica.name) — run kho verify")
            }
            try output.sync(doing: "flushing a blob in replica \(replica.name)")
            let destination = Self.replicaPath(folder, blob.sha256)
            try FS.makeDirectories(destination.parentFolder)
            try FS.rename(partial, destination)
            try FS.syncDirectory(destination.parentFolder)
            summary.blobsCopied += 1
            summary.bytesCopied += blob.size
            progress?.itemDone()
        }
        summary.catalogBytes = try backUpCatalog(to: folder, replica: replica.name)
        let now = clock.now()
        let detail = "\(replica.name): \(summary.blobsCopied) blob(s) copied (\(summary.bytesCopied) bytes), \(summary.blobsAlreadyThere) already there, "
            + "\(summary.restrictedLeftOut) restricted left out (\(summary.restrictedRemoved) removed), catalog \(summary.catalogBytes) bytes"
        try catalog.write { db in
            try db.execute(sql: "UPDATE replicas SET last_replicated_at = ? WHERE name = ?", arguments: [now.iso, replica.name])
            try CatalogWrites.append(db, event(.replication, object: "replica:\(replica.name)", product: nil, detail: detail, at: now))
        }
        return summary
    }

    /// A consistent copy of the catalog into the replica (written beside, flushed, renamed).
    func backUpCatalog(to folder: HostPath, replica: String) throws(KhoError) -> Int64 {
        let partial = folder.appending("tmp/catalog.sqlite.partial")
        let final = folder.appending("catalog.sqlite")
        FS.remove(partial)
        do {
            let copy = try DatabaseQueue(path: partial.description)
            try catalog.writer.backup(to: copy)
            try copy.close()
        } catch {
            FS.remove(partial)
            throw KhoError(.ioError, "copying the catalog to replica \(replica) failed: \(error)")
        }
        try FileDescriptor.open(partial, flags: O_RDONLY | O_CLOEXEC, doing: "flushing the catalog copy").sync()
        try FS.rename(partial, final)
        try FS.syncDirectory(folder)
        return Int64(FS.fileStatus(final)?.st_size ?? 0)
    }

    /// What a replica holds against what it should: blobs present (right size), missing,
    /// extra (not wanted there, or unknown here), and whether it has a catalog copy.
    public func replicaStatus(_ replica: ReplicaRecord) throws(KhoError) -> ReplicaStatus {
        let folder = HostPath(replica.target)
        try checkMarker(folder, adopting: false)
        var status = ReplicaStatus(replica: replica)
        var wanted: [String: Int64] = [:]
        for blob in try replicaBlobs() where !blob.restrictedOnly || replica.includeRestricted { wanted[blob.sha256] = blob.size }
        var seen = Set<String>()
        let blobsRoot = folder.appending("blobs/sha256")
        for prefix in (try? FS.list(blobsRoot)) ?? [] {
            for name in (try? FS.list(blobsRoot.appending(prefix))) ?? [] {
                let size = Int64(FS.fileStatus(blobsRoot.appending("\(prefix)/\(name)"))?.st_size ?? -1)
                if let expected = wanted[name], expected == size {
                    status.present += 1
                    status.bytesPresent += size
                    seen.insert(name)
                } else {
                    status.extra += 1
                }
            }
        }
        status.missing = wanted.count - seen.count
        status.hasCatalog = FS.exists(folder.appending("catalog.sqlite"))
        return status
    }
}
