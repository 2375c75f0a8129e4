// A batch of products whose sidecars are due: who they are, the sidecar each has now, and
// their documents rendered (on every core) with the digests that name them. And the stamp
// that tells a batch read in one transaction is still true in the next.
import GRDB
import GRDBSQLite
import KhoCore
import KhoPlatform

struct SidecarBatch: Sendable {
    struct Due: Sendable {
        var pk: Int64
        var current: String?
        /// The pack that holds the current sidecar (nil: a file of its own, or none).
        var pack: Int64?
        /// That pack is condemned: the sidecar is written again even where it has not changed.
        var condemned = false
    }

    var due: [Due]
    /// Each product's document and its digest (nil for a product that no longer exists).
    var rendered: [(bytes: [UInt8], sha256: String)?]

    /// Which documents are to be written: those that differ from the product's current sidecar,
    /// and those whose current one is in a condemned pack.
    var freshIndices: [Int] {
        due.indices.filter { i in rendered[i].map { $0.sha256 != due[i].current || due[i].condemned } ?? false }
    }

    /// The next due products (lowest keys first), read and rendered.
    static func read(_ db: Database, format: any SidecarFormat, archiveID: String) throws -> SidecarBatch {
        let due = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT d.product_pk, s.sha256, s.pack, coalesce(k.condemned, 0) FROM sidecar_due d
            LEFT JOIN sidecars s ON s.product_pk = d.product_pk LEFT JOIN sidecar_packs k ON k.pk = s.pack
            ORDER BY d.product_pk LIMIT \(Archive.sidecarBatch)
            """)).map { Due(pk: $0[0], current: $0[1], pack: $0[2], condemned: $0[3]) }
        if due.isEmpty { return SidecarBatch(due: [], rendered: []) }
        // Read here, decoded and rendered on every core (the decoding is as costly as the reading).
        let (rows, columns) = try CatalogReads.sidecarRows(db, pks: due.map(\.pk))
        let items = due.map { rows[$0.pk] }
        let tags = WorkerTags(count: Parallel.defaultJobs)
        let rendered = try Parallel.map(count: items.count, jobs: Parallel.defaultJobs) { i, worker throws(KhoError) -> (bytes: [UInt8], sha256: String)? in
            guard let item = items[i] else { return nil }
            let content: SidecarContent
            do { content = try tags.with(worker) { tags in try CatalogReads.sidecarContent(item, columns, tags: &tags) } } catch {
                throw error as? KhoError ?? KhoError(.catalogDamaged, "reading product \(due[i].pk) for its sidecar: \(error)")
            }
            let bytes = format.encode(content, archiveID: archiveID)
            var digest = StreamingDigest()
            bytes.withUnsafeBytes { digest.update($0) }
            return (bytes, digest.finalizeHex())
        }
        return SidecarBatch(due: due, rendered: rendered)
    }
}

/// Language tags parsed so far, one cache per worker thread of a `Parallel.map`: each cache is
/// its own object, changed only by the one thread that holds that worker's index.
private final class WorkerTags: @unchecked Sendable {
    private final class Cache { var tags: [String: LanguageTag] = [:] }
    private let caches: [Cache]

    init(count: Int) { caches = (0..<max(1, count)).map { _ in Cache() } }

    func with<T>(_ worker: Int, _ body: (inout [String: LanguageTag]) throws -> T) rethrows -> T {
        try body(&caches[worker].tags)
    }
}

/// Whether anything was written to the catalog between two moments, seen from the writer
/// connection: other connections' commits move `data_version`, this connection's own
/// statements its count of changes.
struct CatalogStamp: Equatable {
    var dataVersion: Int64
    var ownChanges: Int64

    init(_ db: Database) throws {
        dataVersion = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        ownChanges = sqlite3_total_changes64(db.sqliteConnection)
    }
}
