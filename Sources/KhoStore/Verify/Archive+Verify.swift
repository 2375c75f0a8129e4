// Fixity: re-hash every blob the catalog knows, on all cores, and record the outcome.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

public struct VerifyFinding: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case missing, damaged, unreadable }
    public var kind: Kind
    public var sha256: String
    public var expectedSize: Int64
    public var actualSHA256: String?
    public var actualSize: Int64?
    public var detail: String
    public var holders: [BlobHolder]
}

public struct VerifyReport: Sendable {
    public var checkedBlobs: Int
    public var checkedBytes: Int64
    public var findings: [VerifyFinding]
    /// Blob files on disk that no product refers to (left by an interrupted ingest; harmless,
    /// reused if the same bytes arrive again).
    public var unreferenced: [String]
    public var seconds: Double
    /// Blobs the catalog knows, of which `checkedBlobs` were chosen (all, unless an audit chose).
    public var knownBlobs: Int
    public var isIntact: Bool { findings.isEmpty }
}

/// Which copies a scheduled audit re-reads: those checked longest ago, so nightly runs cover
/// the whole archive in turn without reading it all each night.
public struct AuditSelection: Sendable {
    /// Only copies last checked before this instant (a never-checked one counts from when it
    /// was stored); nil: any.
    public var checkedBefore: Timestamp?
    /// At most this many copies, the longest unchecked first.
    public var limit: Int?
    /// Reading kept under a rate.
    public var throttle: Throttle?

    public init(checkedBefore: Timestamp? = nil, limit: Int? = nil, throttle: Throttle? = nil) {
        self.checkedBefore = checkedBefore
        self.limit = limit
        self.throttle = throttle
    }

    /// Every copy (the plain kho verify).
    public var choosesAll: Bool { checkedBefore == nil && limit == nil }

    /// The chosen ones of `copies` (digest, size, last check), longest unchecked first.
    func choose<T>(_ copies: [T], lastChecked: (T) -> String?) -> [T] {
        guard !choosesAll else { return copies }
        let old = copies.filter { copy in checkedBefore.map { before in lastChecked(copy).map { $0 < before.iso } ?? true } ?? true }
        let ordered = old.sorted { (lastChecked($0) ?? "") < (lastChecked($1) ?? "") }
        return limit.map { Array(ordered.prefix($0)) } ?? ordered
    }
}

extension Archive {
    /// Re-hashes every blob the catalog knows, and every blob file no product refers to (a
    /// damaged one of those would otherwise be found only when some product needs its bytes).
    /// With an audit `selection`, only the copies it chooses (and no unreferenced files).
    public func verify(jobs: Int = Parallel.defaultJobs, selection: AuditSelection = AuditSelection(),
                       progress: (any ProgressReporter)? = nil) throws(KhoError) -> VerifyReport {
        let started = clock.uptime()
        // A blob never checked counts from when it was stored, so new ones do not crowd out old ones.
        let all: [(sha256: String, size: Int64, lastChecked: String?)] = try catalog.read { db in
            try Row.fetchAll(db, sql: "SELECT sha256, size, coalesce(last_checked_at, stored_at) FROM blobs ORDER BY size DESC").map { ($0[0], $0[1], $0[2]) }
        }
        // Largest first, so the workers finish together.
        let known = selection.choose(all, lastChecked: \.lastChecked).sorted { $0.size > $1.size }.map { (sha256: $0.sha256, size: $0.size) }
        let knownNames = Set(all.map(\.sha256))
        let unreferenced = selection.choosesAll ? blobs.allStoredNames().filter { !knownNames.contains($0) }.sorted() : []
        let loose = unreferenced.map { ($0, FS.fileStatus(blobs.path(for: $0)).map { Int64($0.st_size) } ?? 0) }
        let total = known.reduce(0) { $0 + $1.size }
        progress?.start(label: "verifying", totalBytes: total + loose.reduce(0) { $0 + $1.1 }, totalItems: known.count + loose.count)
        let outcomes = try check(known + loose, jobs: jobs, throttle: selection.throttle, progress: progress)
        progress?.finish()
        let now = clock.now()
        var findings: [VerifyFinding] = []
        let seconds = clock.uptime() - started
        // On read-only storage the check is made and reported, but cannot be recorded.
        let record: (((Database) throws -> Void)) throws(KhoError) -> Void = { body throws(KhoError) in
            if self.isReadOnly { try self.catalog.read { db in try body(db) } } else { try self.catalog.write { db in try body(db) } }
        }
        try record { db in
            let writable = !self.isReadOnly
            var failed: [String: VerifyFinding] = [:]
            for finding in outcomes.compactMap({ $0 }) { failed[finding.sha256] = finding }
            for (sha, _) in known where writable {
                let outcome = failed[sha].map { $0.kind == .missing ? "missing" : "damaged" } ?? "ok"
                try CatalogWrites.recordFixity(db, sha256: sha, outcome: outcome, at: now)
            }
            for var finding in failed.values.sorted(by: { $0.sha256 < $1.sha256 }) {
                finding.holders = try CatalogReads.holders(db, sha256: finding.sha256)
                if finding.holders.isEmpty { finding.detail += " (a blob file no product refers to)" }
                for holder in finding.holders where writable {
                    try CatalogWrites.append(db, event(.fixityCheck, object: "file:\(holder.productID)/\(holder.n)", product: holder.productID,
                                                       outcome: .failure, detail: "sha256:\(finding.sha256) \(finding.kind.rawValue): \(finding.detail)", at: now))
                }
                findings.append(finding)
            }
            let audit = selection.choosesAll ? "" : " (an audit: those of \(all.count) checked longest ago"
                + (selection.checkedBefore.map { ", not since \($0.iso)" } ?? "") + (selection.limit.map { ", at most \($0)" } ?? "") + ")"
            let summary = "\(known.count) blob(s), \(Formatting.bytes(total)) checked\(audit): \(findings.isEmpty ? "all intact" : "\(findings.count) damaged or missing")"
                + (unreferenced.isEmpty ? "" : "; \(unreferenced.count) unreferenced blob file(s), checked too")
            if writable {
                try CatalogWrites.append(db, event(.fixityCheck, object: "archive", product: nil, outcome: findings.isEmpty ? .success : .failure,
                                                   detail: summary, at: now))
            }
        }
        return VerifyReport(checkedBlobs: known.count, checkedBytes: total, findings: findings, unreferenced: unreferenced, seconds: seconds,
                            knownBlobs: all.count)
    }

    /// Hashes each blob on `jobs` threads; nil for an intact one.
    private func check(_ list: [(sha256: String, size: Int64)], jobs: Int, throttle: Throttle?, progress: (any ProgressReporter)?) throws(KhoError) -> [VerifyFinding?] {
        let buffers = WorkerBuffers(count: jobs, size: BlobStore.chunkSize)
        let store = blobs
        return try Parallel.map(count: list.count, jobs: jobs) { index, worker throws(KhoError) -> VerifyFinding? in
            let (sha, size) = list[index]
            defer { progress?.itemDone() }
            do throws(KhoError) {
                let read = try store.read(sha, buffer: buffers[worker]) { chunk throws(KhoError) in
                    throttle?.pace(Int64(chunk.count))
                    progress?.advance(bytes: Int64(chunk.count))
                }
                if read.sha256 == sha && read.size == size { return nil }
                return VerifyFinding(kind: .damaged, sha256: sha, expectedSize: size, actualSHA256: read.sha256, actualSize: read.size,
                                     detail: "content changed: sha256 is now \(read.sha256), \(read.size) bytes (expected \(size))", holders: [])
            } catch where error.code == .missingFile {
                return VerifyFinding(kind: .missing, sha256: sha, expectedSize: size, detail: "the blob file is missing", holders: [])
            } catch {
                return VerifyFinding(kind: .unreadable, sha256: sha, expectedSize: size, detail: error.message, holders: [])
            }
        }
    }
}
