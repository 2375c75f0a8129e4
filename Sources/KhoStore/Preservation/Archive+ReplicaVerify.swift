// Re-reading a replica: every copy it should hold re-hashed against its digest (a copy of the
// right size can still have rotted); missing and damaged ones named; the check is a
// fixity-check event on the replica. Repairing from a good copy is not built yet.
import Foundation
import Glibc
import KhoCore
import KhoPlatform

public struct ReplicaVerification: Sendable, Codable {
    public var replica: String
    public var checkedBlobs = 0
    public var checkedBytes: Int64 = 0
    public var missing: [String] = []
    /// Copies whose bytes do not hash to their name (or are not regular files).
    public var damaged: [String] = []
    public var intact: Bool { missing.isEmpty && damaged.isEmpty }
}

extension Archive {
    public func verifyReplica(_ replica: ReplicaRecord, progress: (any ProgressReporter)?) throws(KhoError) -> ReplicaVerification {
        let folder = replicaFolder(HostPath(replica.target))
        try checkMarker(folder.root, name: replica.name, adopting: false)
        var result = ReplicaVerification(replica: replica.name)
        let wanted = try replicaBlobs().filter { !$0.restrictedOnly || replica.includeRestricted }
        progress?.start(label: "checking \(replica.name)", totalBytes: wanted.reduce(0) { $0 + $1.size }, totalItems: wanted.count)
        defer { progress?.finish() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        for blob in wanted {
            defer { progress?.itemDone() }
            let path = folder.blobPath(blob.sha256)
            guard let st = FS.fileStatus(path) else { result.missing.append(blob.sha256); continue }
            guard (st.st_mode & S_IFMT) == S_IFREG else { result.damaged.append(blob.sha256); continue }
            let input = try FileDescriptor.open(path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK, doing: "re-reading a copy in replica \(replica.name)")
            var digest = StreamingDigest()
            var size: Int64 = 0
            while true {
                let n = try input.readFull(into: buffer)
                if n == 0 { break }
                digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                size += Int64(n)
                progress?.advance(bytes: Int64(n))
            }
            result.checkedBlobs += 1
            result.checkedBytes += size
            if size != blob.size || digest.finalizeHex() != blob.sha256 { result.damaged.append(blob.sha256) }
        }
        let now = clock.now()
        let detail = "replica \(replica.name): \(result.checkedBlobs) copies re-hashed (\(result.checkedBytes) bytes), "
            + "\(result.missing.count) missing, \(result.damaged.count) damaged" + (result.damaged.isEmpty ? "" : ": \(result.damaged.joined(separator: ", "))")
        try catalog.write { db in
            try CatalogWrites.append(db, event(.fixityCheck, object: "replica:\(replica.name)", product: nil,
                                               outcome: result.intact ? .success : .failure, detail: detail, at: now))
        }
        return result
    }
}
