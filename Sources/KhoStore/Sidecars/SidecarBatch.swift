// A batch of products whose sidecars are due: who they are, how often each was marked (to
// settle only the ones nobody changed since), the sidecar each has now, and their documents
// rendered (on every core) with the digests that name them.
import GRDB
import KhoCore
import KhoPlatform

struct SidecarBatch: Sendable {
    struct Due: Sendable {
        var pk: Int64
        var gen: Int64
        var current: String?
    }

    var due: [Due]
    /// Each product's document and its digest (nil for a product that no longer exists).
    var rendered: [(bytes: [UInt8], sha256: String)?]

    /// The documents that differ from the product's current sidecar: the files to write.
    var fresh: [(bytes: [UInt8], sha256: String)] {
        due.indices.compactMap { i in rendered[i].flatMap { $0.sha256 != due[i].current ? $0 : nil } }
    }

    /// The due products with keys above `after` (lowest first, at most `limit`), read and rendered.
    static func read(_ db: Database, after: Int64, limit: Int, format: any SidecarFormat, archiveID: String) throws -> SidecarBatch {
        let due = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT d.product_pk, d.gen, s.sha256 FROM sidecar_due d LEFT JOIN sidecars s ON s.product_pk = d.product_pk
            WHERE d.product_pk > ? ORDER BY d.product_pk LIMIT ?
            """), arguments: [after, limit]).map { Due(pk: $0[0], gen: $0[1], current: $0[2]) }
        if due.isEmpty { return SidecarBatch(due: [], rendered: []) }
        let contents = try CatalogReads.sidecarContents(db, pks: due.map(\.pk))
        let items = due.map { contents[$0.pk] }
        let rendered = try Parallel.map(count: items.count, jobs: Parallel.defaultJobs) { i, _ -> (bytes: [UInt8], sha256: String)? in
            guard let content = items[i] else { return nil }
            let bytes = format.encode(content, archiveID: archiveID)
            var digest = StreamingDigest()
            bytes.withUnsafeBytes { digest.update($0) }
            return (bytes, digest.finalizeHex())
        }
        return SidecarBatch(due: due, rendered: rendered)
    }
}
