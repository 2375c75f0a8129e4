// An S3 replica looked at: what it holds against what it should (from one listing: names and
// sizes), and its copies re-read and re-hashed (several at once, under an audit's rate).
import Foundation
import KhoCore
import KhoPlatform
import KhoS3

extension Archive {
    func replicaStatusS3(_ replica: ReplicaRecord) throws(KhoError) -> ReplicaStatus {
        let s3 = try s3Replica(name: replica.name, target: replica.target)
        let (held, strays, hasCatalog) = try Blocking.run { () async throws(KhoError) -> ([String: Int64], [String], Bool) in
            try await self.checkS3Marker(s3, adopting: false)
            let (held, strays) = try await s3.listBlobs()
            let catalog = try await s3.s3 { () async throws(S3Error) in try await s3.client.head(s3.target.key("catalog.sqlite")) }
            return (held, strays, catalog != nil)
        }
        var status = ReplicaStatus(replica: replica)
        status.extra = strays.count
        var wanted = 0
        var known = Set<String>()
        for blob in try replicaBlobs() {
            known.insert(blob.sha256)
            guard let size = held[blob.sha256] else {
                if !blob.restrictedOnly || replica.includeRestricted { wanted += 1 }
                continue
            }
            if blob.restrictedOnly && !replica.includeRestricted {
                status.restrictedPresent += 1
                continue
            }
            wanted += 1
            if size == blob.size {
                status.present += 1
                status.bytesPresent += size
            } else {
                status.damaged += 1
            }
        }
        status.extra += held.keys.filter { !known.contains($0) }.count
        status.missing = wanted - status.present - status.damaged
        status.hasCatalog = hasCatalog
        return status
    }

    /// Each copy in `order` re-read from the replica: "ok", "missing" or "damaged" and the bytes
    /// read. A server that stops answering is an error (the checks so far are not recorded).
    func checkS3Copies(_ s3: S3Replica, _ order: [(sha256: String, size: Int64, restrictedOnly: Bool, storedAt: String)],
                       throttle: Throttle?, progress: (any ProgressReporter)?) throws(KhoError) -> [(outcome: String, bytes: Int64)] {
        let found = Blocking.run { () async -> [(outcome: String, bytes: Int64, error: KhoError?)] in
            await S3Replica.each(order.map { ($0.sha256, $0.size) }) { blob in
                defer { progress?.itemDone() }
                return await s3.check(blob, throttle: throttle, progress: progress)
            }
        }
        if let error = found.lazy.compactMap(\.error).first { throw error }
        return found.map { ($0.outcome, $0.bytes) }
    }
}
