// An S3 replica's missing or damaged copies written again from the archive: copies a check
// found so, or missing (or of the wrong size) in a listing now though stored before the last
// replication. A copy recorded damaged is re-read first (it may have been mended by hand); the
// archive's copy is hashed on its way up and never sent if it does not match; every repair is
// an event.
import Foundation
import KhoCore
import KhoPlatform
import KhoS3

extension Archive {
    func repairS3Replica(_ replica: ReplicaRecord, _ s3: S3Replica, report: inout RepairReport, progress: (any ProgressReporter)?) throws(KhoError) {
        let checks = try replicaChecks(replica.name, failedOnly: true)
        let replicated = replica.lastReplicatedAt ?? ""
        let held = try Blocking.run { () async throws(KhoError) -> [String: Int64] in try await s3.listBlobs().sizes }
        let suspects: [(sha256: String, size: Int64, was: String)] = try replicaBlobs().compactMap { blob in
            guard !blob.restrictedOnly || replica.includeRestricted else { return nil }
            let recorded = checks[blob.sha256]?.outcome
            // Stored since the last replication: not a loss unless a check says so.
            guard recorded != nil || blob.storedAt < replicated else { return nil }
            guard let size = held[blob.sha256] else { return (blob.sha256, blob.size, "missing") }
            return size == blob.size && recorded == nil ? nil : (blob.sha256, blob.size, "damaged")
        }
        guard !suspects.isEmpty else { return }
        progress?.start(label: "repairing \(replica.name)", totalBytes: suspects.reduce(0) { $0 + $1.size }, totalItems: suspects.count)
        defer { progress?.finish() }
        enum Outcome: Sendable { case intact, written, archiveBad, failed(KhoError) }
        let store = blobs
        let outcomes = Blocking.run { () async -> [Outcome] in
            await S3Replica.each(suspects) { blob in
                defer { progress?.itemDone() }
                if blob.was == "damaged", await s3.check((blob.sha256, blob.size), throttle: nil, progress: nil).outcome == "ok" { return .intact }
                do throws(KhoError) {
                    let sent = try await s3.upload(store.path(for: blob.sha256), as: s3.target.blobKey(blob.sha256), size: blob.size, sha256: blob.sha256, progress: progress)
                    return sent ? .written : .archiveBad
                } catch {
                    return .failed(error)
                }
            }
        }
        let copy = "replica \(replica.name)"
        for (blob, outcome) in zip(suspects, outcomes) {
            let now = clock.now()
            switch outcome {
            case .intact:
                report.foundIntact += 1
                try catalog.write { db in try recordReplicaChecks(db, replica: replica.name, [(blob.sha256, "ok")], at: now) }
            case .archiveBad:
                report.unrepaired.append(.init(sha256: blob.sha256, copy: copy, reason: "\(blob.was), and the archive's own copy is missing or damaged (kho repair mends it first when another replica holds a good one)"))
            case .failed(let error):
                report.unrepaired.append(.init(sha256: blob.sha256, copy: copy, reason: "\(blob.was), and writing it again failed: \(error.message)"))
            case .written:
                report.repaired.append(.init(sha256: blob.sha256, copy: copy, from: "archive", was: blob.was))
                try catalog.write { db in
                    try recordReplicaChecks(db, replica: replica.name, [(blob.sha256, "repaired")], at: now)
                    try CatalogWrites.append(db, event(.repair, object: "replica:\(replica.name)", product: nil, outcome: .success,
                                                       detail: "replica \(replica.name): sha256:\(blob.sha256) was \(blob.was); written again from the archive (hashed on the way)", at: now))
                }
            }
        }
    }
}
