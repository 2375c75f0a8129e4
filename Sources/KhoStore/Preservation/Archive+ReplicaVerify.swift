// Re-reading a replica: every copy it should hold re-hashed against its digest (a copy of the
// right size can still have rotted); missing and damaged ones named; the check is a
// fixity-check event on the replica, and each copy's check is kept (replica_copies) so a
// scheduled audit re-reads the copies checked longest ago. kho repair mends what it found.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

public struct ReplicaVerification: Sendable, Codable {
    public var replica: String
    public var checkedBlobs = 0
    public var checkedBytes: Int64 = 0
    /// Copies the replica should hold, of which `checkedBlobs` were chosen.
    public var wantedBlobs = 0
    public var missing: [String] = []
    /// Copies whose bytes do not hash to their name (or are not regular files).
    public var damaged: [String] = []
    public var intact: Bool { missing.isEmpty && damaged.isEmpty }
}

extension Archive {
    public func verifyReplica(_ replica: ReplicaRecord, selection: AuditSelection = AuditSelection(),
                              progress: (any ProgressReporter)?) throws(KhoError) -> ReplicaVerification {
        let s3 = S3Target.isS3(replica.target) ? try s3Replica(name: replica.name, target: replica.target) : nil
        let folder = replicaFolder(HostPath(replica.target))
        if let s3 {
            try Blocking.run { () async throws(KhoError) in try await self.checkS3Marker(s3, adopting: false) }
        } else {
            try checkMarker(folder.root, name: replica.name, adopting: false)
        }
        var result = ReplicaVerification(replica: replica.name)
        let checks = try replicaChecks(replica.name)
        let all = try replicaBlobs().filter { !$0.restrictedOnly || replica.includeRestricted }
        result.wantedBlobs = all.count
        // A copy never checked counts from when its blob was stored, so new ones do not crowd out old ones.
        let wanted = selection.choose(all) { checks[$0.sha256]?.at ?? $0.storedAt }
        progress?.start(label: "checking \(replica.name)", totalBytes: wanted.reduce(0) { $0 + $1.size }, totalItems: wanted.count)
        defer { progress?.finish() }
        // Largest first on every core, as the archive's own check.
        let order = wanted.sorted { $0.size > $1.size }
        let jobs = Parallel.defaultJobs
        let buffers = WorkerBuffers(count: jobs, size: BlobStore.chunkSize)
        let throttle = selection.throttle
        let found: [(outcome: String, bytes: Int64)]
        if let s3 {
            found = try checkS3Copies(s3, order, throttle: throttle, progress: progress)
        } else {
            found = try Parallel.map(count: order.count, jobs: jobs) { index, worker in
                defer { progress?.itemDone() }
                let blob = order[index]
                return Self.checkCopy(folder.blobPath(blob.sha256), sha256: blob.sha256, size: blob.size, buffer: buffers[worker], throttle: throttle, progress: progress)
            }
        }
        var outcomes: [(sha256: String, outcome: String)] = []
        for (blob, check) in zip(order, found) {
            outcomes.append((blob.sha256, check.outcome))
            switch check.outcome {
            case "missing": result.missing.append(blob.sha256)
            case "ok":
                result.checkedBlobs += 1
                result.checkedBytes += check.bytes
            default:
                if check.bytes > 0 { result.checkedBlobs += 1 }
                result.checkedBytes += check.bytes
                result.damaged.append(blob.sha256)
            }
        }
        result.missing.sort()
        result.damaged.sort()
        let now = clock.now()
        let audit = selection.choosesAll ? "" : " (an audit: those of \(all.count) checked longest ago)"
        let detail = "replica \(replica.name): \(result.checkedBlobs) copies re-hashed (\(result.checkedBytes) bytes)\(audit), "
            + "\(result.missing.count) missing, \(result.damaged.count) damaged" + (result.damaged.isEmpty ? "" : ": \(result.damaged.joined(separator: ", "))")
        try catalog.write { db in
            try recordReplicaChecks(db, replica: replica.name, outcomes, at: now)
            if result.checkedBlobs + result.missing.count > 0 || selection.choosesAll {
                try db.execute(sql: "UPDATE replicas SET last_checked_at = ? WHERE name = ?", arguments: [now.iso, replica.name])
            }
            try CatalogWrites.append(db, event(.fixityCheck, object: "replica:\(replica.name)", product: nil,
                                               outcome: result.intact ? .success : .failure, detail: detail, at: now))
        }
        return result
    }
}

extension Archive {
    /// The last check of each copy in replica `name`: when, and what it found (`failedOnly`:
    /// only the copies found missing or damaged).
    func replicaChecks(_ name: String, failedOnly: Bool = false) throws(KhoError) -> [String: (at: String, outcome: String)] {
        try catalog.read { db in
            var checks: [String: (at: String, outcome: String)] = [:]
            let failed = failedOnly ? " AND last_check_outcome IN ('missing', 'damaged')" : ""
            for row in try Row.fetchAll(db, sql: "SELECT sha256, last_checked_at, last_check_outcome FROM replica_copies WHERE replica = ?\(failed)", arguments: [name]) {
                checks[row[0]] = (row[1], row[2])
            }
            return checks
        }
    }

    func recordReplicaChecks(_ db: Database, replica: String, _ outcomes: [(sha256: String, outcome: String)], at now: Timestamp) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO replica_copies (replica, sha256, last_checked_at, last_check_outcome) VALUES (?, ?, ?, ?)
            ON CONFLICT (replica, sha256) DO UPDATE SET last_checked_at = excluded.last_checked_at, last_check_outcome = excluded.last_check_outcome
            """)
        for (sha256, outcome) in outcomes { try statement.execute(arguments: [replica, sha256, now.iso, outcome]) }
    }
}

extension Archive {
    /// One copy re-read: "ok", "missing" or "damaged", and the bytes read. Opened as
    /// `openCopy` does (no link, a regular file of the right size), then read no further than
    /// one byte past its size: a file that keeps growing cannot hold the check up; one that
    /// cannot be read (a bad sector) is damaged, and the check goes on.
    static func checkCopy(_ path: HostPath, sha256: String, size expected: Int64, buffer: UnsafeMutableRawBufferPointer,
                          throttle: Throttle?, progress: (any ProgressReporter)?) -> (outcome: String, bytes: Int64) {
        guard FS.fileStatus(path) != nil else { return ("missing", 0) }
        guard let input = openCopy(path, size: expected) else { return ("damaged", 0) }
        var digest = StreamingDigest()
        var size: Int64 = 0
        while size <= expected {
            guard let n = try? input.readFull(into: buffer) else { return ("damaged", size) }
            if n == 0 { break }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            size += Int64(n)
            throttle?.pace(Int64(n))
            progress?.advance(bytes: Int64(n))
        }
        return (size == expected && digest.finalizeHex() == sha256 ? "ok" : "damaged", size)
    }
}
