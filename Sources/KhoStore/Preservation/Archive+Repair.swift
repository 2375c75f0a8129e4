// Repair from a good copy. The archive's blobs that the last check found missing or damaged (or
// that are missing or of the wrong size now) are re-read; each still bad one is replaced by a
// replica's copy that hashes to its digest, hashed on its way into the archive's temporary
// area, flushed, then renamed over the bad one. Then each replica's missing or damaged copies
// are written again from the archive's (hashed on the way too): copies checked and found so,
// or missing now though the blob was there at the last replication (a blob stored since is
// kho replicate's to send, not a loss). Bytes that do not hash to their name never replace
// anything; a copy that cannot be read is passed over for the next; every repair is an event.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

public struct RepairReport: Sendable, Codable {
    public struct Mended: Sendable, Codable, Equatable {
        public var sha256: String
        /// "archive", or "replica NAME".
        public var copy: String
        /// Where the good bytes came from: "replica NAME" or "archive".
        public var from: String
        /// What was wrong: missing or damaged.
        public var was: String
    }
    public struct Unmended: Sendable, Codable, Equatable {
        public var sha256: String
        public var copy: String
        public var reason: String
    }
    public var repaired: [Mended] = []
    public var unrepaired: [Unmended] = []
    /// Copies under suspicion that hashed right when re-read (nothing to do).
    public var foundIntact = 0
    /// Replicas that could not be used (a drive not mounted), with why.
    public var unreachable: [String: String] = [:]
    /// Nothing left unrepaired (unreachable replicas aside: see `unreachable`).
    public var complete: Bool { unrepaired.isEmpty }
}

/// Where a replica's copies are.
enum ReplicaCopies {
    case folder(ReplicaFolder)
    case s3(S3Replica)
}

extension Archive {
    /// Repairs the archive from `replicas` and those replicas from the archive.
    public func repair(replicas: [ReplicaRecord], progress: (any ProgressReporter)?) throws(KhoError) -> RepairReport {
        guard !isReadOnly else { throw KhoError(.readOnly, "the archive is on read-only storage: nothing can be repaired here") }
        var report = RepairReport()
        // Reachable replicas, each held against a kho replicate at the same time.
        var usable: [(record: ReplicaRecord, copies: ReplicaCopies, lock: FileDescriptor)] = []
        for replica in replicas {
            do throws(KhoError) {
                if S3Target.isS3(replica.target) {
                    let s3 = try s3Replica(name: replica.name, target: replica.target)
                    let lock = try lockS3Replica(replica.name)
                    try Blocking.run { () async throws(KhoError) in try await self.checkS3Marker(s3, adopting: false) }
                    usable.append((replica, .s3(s3), lock))
                } else {
                    let folder = replicaFolder(HostPath(replica.target))
                    try checkMarker(folder.root, name: replica.name, adopting: false)
                    let lock = try folder.lock()
                    try folder.prepare()
                    usable.append((replica, .folder(folder), lock))
                }
            } catch {
                report.unreachable[replica.name] = error.message
            }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        try repairArchive(from: usable.map { ($0.record, $0.copies) }, buffer: buffer, report: &report, progress: progress)
        for (record, copies, _) in usable {
            switch copies {
            case .folder(let folder): try repairReplica(record, folder: folder, buffer: buffer, report: &report, progress: progress)
            case .s3(let s3): try repairS3Replica(record, s3, report: &report, progress: progress)
            }
        }
        return report
    }

    private func repairArchive(from replicas: [(record: ReplicaRecord, copies: ReplicaCopies)], buffer: UnsafeMutableRawBufferPointer,
                               report: inout RepairReport, progress: (any ProgressReporter)?) throws(KhoError) {
        // Row by row (a cursor): only the suspects are kept, whatever the archive's size.
        let suspects: [(sha256: String, size: Int64)] = try catalog.read { db in
            var found: [(sha256: String, size: Int64)] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT sha256, size, last_check_outcome FROM blobs ORDER BY sha256")
            while let row = try rows.next() {
                let (sha256, size, outcome): (String, Int64, String?) = (row[0], row[1], row[2])
                let st = FS.fileStatus(blobs.path(for: sha256))
                let looksRight = st.map { ($0.st_mode & S_IFMT) == S_IFREG && Int64($0.st_size) == size } ?? false
                if !looksRight || outcome == "missing" || outcome == "damaged" { found.append((sha256, size)) }
            }
            return found
        }
        guard !suspects.isEmpty else { return }
        progress?.start(label: "repairing the archive", totalBytes: suspects.reduce(0) { $0 + $1.size }, totalItems: suspects.count)
        defer { progress?.finish() }
        for blob in suspects {
            defer { progress?.itemDone() }
            let was: String
            do throws(KhoError) {
                let read = try blobs.read(blob.sha256, buffer: buffer) { _ throws(KhoError) in }
                if read.sha256 == blob.sha256 && read.size == blob.size {
                    report.foundIntact += 1
                    try catalog.write { db in try CatalogWrites.recordFixity(db, sha256: blob.sha256, outcome: "ok", at: self.clock.now()) }
                    continue
                }
                was = "damaged"
            } catch where error.code == .missingFile {
                was = "missing"
            } catch {
                was = "damaged"
            }
            var source: String?
            for (record, copies) in replicas {
                let outcome: String
                do throws(KhoError) {
                    switch copies {
                    case .folder(let folder): outcome = try Self.copyIn(blob, from: folder.blobPath(blob.sha256), into: blobs, buffer: buffer, progress: progress)
                    case .s3(let s3):
                        let store = blobs
                        outcome = try Blocking.run { () async throws(KhoError) -> String in try await s3.fetch(blob, into: store, progress: progress) }
                    }
                } catch where error.code == .diskFull || error.code == .readOnly {
                    throw error   // the archive's side: no other replica would do better
                } catch {
                    outcome = "damaged"   // unreadable (a bad sector, a file swapped for a pipe): the next replica
                }
                if outcome == "restored" {
                    source = "replica \(record.name)"
                    break
                }
                if outcome == "unreachable" {
                    report.unreachable[record.name] = "the S3 server stopped answering while the copy of sha256:\(blob.sha256) was read"
                    continue
                }
                // A bad copy found on the way: the replica's own repair below mends it (a missing
                // one it sees for itself).
                if outcome == "damaged" {
                    try catalog.write { db in try recordReplicaChecks(db, replica: record.name, [(blob.sha256, outcome)], at: self.clock.now()) }
                }
            }
            guard let source else {
                report.unrepaired.append(.init(sha256: blob.sha256, copy: "archive", reason: replicas.isEmpty
                    ? "\(was), and no replica could be reached" : "\(was), and no replica holds a copy that hashes right"))
                continue
            }
            report.repaired.append(.init(sha256: blob.sha256, copy: "archive", from: source, was: was))
            let now = clock.now()
            try catalog.write { db in
                try CatalogWrites.recordFixity(db, sha256: blob.sha256, outcome: "repaired", at: now)
                let holders = try CatalogReads.holders(db, sha256: blob.sha256)
                let detail = "sha256:\(blob.sha256) was \(was); restored from \(source) (its copy re-hashed on the way)"
                for holder in holders {
                    try CatalogWrites.append(db, event(.repair, object: "file:\(holder.productID)/\(holder.n)", product: holder.productID,
                                                       outcome: .success, detail: detail, at: now))
                }
                if holders.isEmpty {
                    try CatalogWrites.append(db, event(.repair, object: "blob:sha256:\(blob.sha256)", product: nil, outcome: .success, detail: detail, at: now))
                }
            }
        }
    }

    /// A copy of a blob from elsewhere (a replica) into `store`, if it hashes to its digest:
    /// hashed on its way into the store's temporary area, flushed, renamed over any copy
    /// there. "restored"; else what the copy is, "missing" or "damaged".
    static func copyIn(_ blob: (sha256: String, size: Int64), from path: HostPath, into store: BlobStore, buffer: UnsafeMutableRawBufferPointer,
                       progress: (any ProgressReporter)?) throws(KhoError) -> String {
        guard FS.fileStatus(path) != nil else { return "missing" }
        guard let input = openCopy(path, size: blob.size) else { return "damaged" }
        let temp = try store.newTempPath()
        let output = try FileDescriptor.open(temp, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o444, doing: "writing a restored blob")
        var digest = StreamingDigest()
        var size: Int64 = 0
        do throws(KhoError) {
            while true {
                let n = try input.readFull(into: buffer)
                if n == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                digest.update(chunk)
                size += Int64(n)
                guard size <= blob.size else { break }
                try output.writeAll(chunk, doing: "writing a restored blob")
                progress?.advance(bytes: Int64(n))
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

    private func repairReplica(_ replica: ReplicaRecord, folder: ReplicaFolder, buffer: UnsafeMutableRawBufferPointer,
                               report: inout RepairReport, progress: (any ProgressReporter)?) throws(KhoError) {
        let checks = try replicaChecks(replica.name, failedOnly: true)
        let replicated = replica.lastReplicatedAt ?? ""
        let suspects: [(sha256: String, size: Int64, was: String)] = try replicaBlobs().compactMap { blob in
            guard !blob.restrictedOnly || replica.includeRestricted else { return nil }
            let recorded = checks[blob.sha256]?.outcome
            // Stored since the last replication: not a loss unless a check says so.
            guard recorded != nil || blob.storedAt < replicated else { return nil }
            guard let st = FS.fileStatus(folder.blobPath(blob.sha256)) else { return (blob.sha256, blob.size, "missing") }
            let looksRight = (st.st_mode & S_IFMT) == S_IFREG && Int64(st.st_size) == blob.size
            return looksRight && recorded == nil ? nil : (blob.sha256, blob.size, "damaged")
        }
        guard !suspects.isEmpty else { return }
        try folder.clearTemp()
        progress?.start(label: "repairing \(replica.name)", totalBytes: suspects.reduce(0) { $0 + $1.size }, totalItems: suspects.count)
        defer { progress?.finish() }
        let copy = "replica \(replica.name)"
        for blob in suspects {
            defer { progress?.itemDone() }
            // A copy of the right size may be good after all (a check's damage was mended by hand).
            if blob.was == "damaged", replicaCopyIsGood((blob.sha256, blob.size), folder.blobPath(blob.sha256), buffer: buffer) {
                report.foundIntact += 1
                try catalog.write { db in try recordReplicaChecks(db, replica: replica.name, [(blob.sha256, "ok")], at: self.clock.now()) }
                continue
            }
            let written: Bool
            do throws(KhoError) {
                written = try copyBlob((blob.sha256, blob.size), to: folder, buffer: buffer, replica: replica.name, progress: progress)
            } catch where error.code == .usage {
                // The replica's own folders are not what they should be (a link planted): stop using it.
                report.unreachable[replica.name] = error.message
                return
            } catch {
                report.unrepaired.append(.init(sha256: blob.sha256, copy: copy, reason: "\(blob.was), and writing it again failed: \(error.message)"))
                continue
            }
            guard written else {
                report.unrepaired.append(.init(sha256: blob.sha256, copy: copy, reason: "\(blob.was), and the archive's own copy is missing or damaged (kho repair mends it first when another replica holds a good one)"))
                continue
            }
            report.repaired.append(.init(sha256: blob.sha256, copy: copy, from: "archive", was: blob.was))
            let now = clock.now()
            try catalog.write { db in
                try recordReplicaChecks(db, replica: replica.name, [(blob.sha256, "repaired")], at: now)
                try CatalogWrites.append(db, event(.repair, object: "replica:\(replica.name)", product: nil, outcome: .success,
                                                   detail: "replica \(replica.name): sha256:\(blob.sha256) was \(blob.was); written again from the archive (hashed on the way)", at: now))
            }
        }
    }

    /// Whether the replica's copy reads whole and hashes to its digest (an unreadable one does not).
    private func replicaCopyIsGood(_ blob: (sha256: String, size: Int64), _ path: HostPath, buffer: UnsafeMutableRawBufferPointer) -> Bool {
        Self.checkCopy(path, sha256: blob.sha256, size: blob.size, buffer: buffer, throttle: nil, progress: nil).outcome == "ok"
    }

    /// A replica's copy opened for reading: a regular file of the expected size, checked on the
    /// open file (not a link, a pipe or a device put there); nil otherwise.
    static func openCopy(_ path: HostPath, size: Int64) -> FileDescriptor? {
        guard let input = try? FileDescriptor.open(path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK, doing: "reading a replica's copy"),
              let st = try? input.status(), (st.st_mode & S_IFMT) == S_IFREG, Int64(st.st_size) == size else { return nil }
        return input
    }
}
