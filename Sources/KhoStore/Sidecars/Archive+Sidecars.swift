// Keeping each product's sidecar current: after every change (a trigger marks the product
// due), its document is written anew under the SHA-256 of its bytes in sidecars/ab/, made
// durable (one file-system flush for a batch), and only then named current in the catalog; the
// one it replaces is removed after. A kill leaves the product due and the old sidecar current,
// so the next command finishes the work. One process renews at a time (the others leave it
// to it).
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

extension Archive {
    static let sidecarFolder = "sidecars"
    static let sidecarBatch = 2048

    static func sidecarPath(_ sha256: String, under root: HostPath) -> HostPath {
        root.appending("\(sidecarFolder)/\(sha256.prefix(2))/\(sha256).json")
    }

    /// Whether products changed since their sidecars were written (false where none are kept).
    public func sidecarsDue() throws(KhoError) -> Bool {
        guard environment.sidecars != nil, !isReadOnly else { return false }
        return try catalog.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sidecar_due)") ?? false }
    }

    /// The lock on sidecars/: exclusive while renewing (one process at a time), shared while
    /// a replicate lists and copies them (a renewal meanwhile would remove a listed one).
    /// Nil when `wait` is false and another holds it; hold the descriptor to keep the lock.
    func lockSidecars(exclusive: Bool, wait: Bool) throws(KhoError) -> FileDescriptor? {
        let folder = root.appending(Self.sidecarFolder)
        try FS.makeDirectories(folder)
        let lock = try FileDescriptor.open(folder.appending(".lock"), flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o644, doing: "locking the sidecars")
        return try lock.lock(exclusive: exclusive, wait: wait) ? lock : nil
    }

    /// Writes the sidecars of the products changed since theirs was written.
    /// `wait`: when another process is renewing, wait for it and then renew what is left
    /// (otherwise leave it to that process).
    public func renewSidecars(wait: Bool = false, progress: (any ProgressReporter)? = nil) throws(KhoError) {
        guard let format = environment.sidecars, try sidecarsDue() else { return }
        guard let lock = try lockSidecars(exclusive: true, wait: wait) else { return }
        // Held to the end: Swift may otherwise free the descriptor (and drop the lock) after its last use.
        defer { withExtendedLifetime(lock) {} }
        let total = try catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due") ?? 0 }
        if total > 10 * Self.sidecarBatch {
            logger.notice("writing the sidecars of \(total) product(s) (each product's document beside the blobs; once after an upgrade or a large import)")
        }
        if total > Self.sidecarBatch { progress?.start(label: "writing product sidecars", totalBytes: 0, totalItems: total) }
        defer { if total > Self.sidecarBatch { progress?.finish() } }
        let archiveID = info.archiveID
        let writing = Background<KhoError?>()
        // The next batch, read and rendered inside the previous transaction while that one's
        // files were being written; used only if nothing was written to the catalog since.
        var ahead: (batch: SidecarBatch, stamp: CatalogStamp)?
        while true {
            // A batch at a time inside one write transaction: nothing changes the products while
            // their documents are read, written and named, and a kill before the commit leaves
            // them due (files written so far are never named: harmless).
            var stale: [String] = []
            let count: Int = try catalog.write { db in
                let batch: SidecarBatch
                if let (read, stamp) = ahead, try stamp == CatalogStamp(db) { batch = read } else {
                    batch = try SidecarBatch.read(db, format: format, archiveID: archiveID)
                }
                ahead = nil
                if batch.due.isEmpty { return 0 }
                // Its files are written on the other threads while this one names them and reads
                // the next batch; the transaction commits only once they are all flushed.
                let root = self.root
                writing.start {
                    do throws(KhoError) { try Self.writeSidecars(batch.fresh, under: root); return nil } catch { return error }
                }
                let next: Result<SidecarBatch, any Error>
                do {
                    let settle = try db.cachedStatement(sql: "DELETE FROM sidecar_due WHERE product_pk = ?")
                    let name = try db.cachedStatement(sql: "INSERT INTO sidecars (product_pk, sha256) VALUES (?, ?) ON CONFLICT (product_pk) DO UPDATE SET sha256 = excluded.sha256")
                    for (i, item) in batch.due.enumerated() {
                        try settle.execute(arguments: [item.pk])
                        guard let made = batch.rendered[i], made.sha256 != item.current else { continue }
                        try name.execute(arguments: [item.pk, made.sha256])
                        if let old = item.current { stale.append(old) }
                    }
                    next = Result { try SidecarBatch.read(db, format: format, archiveID: archiveID) }
                } catch {
                    _ = writing.wait()
                    throw error
                }
                if let failure = writing.wait() { throw failure }
                if case .success(let read) = next, !read.due.isEmpty { ahead = (read, try CatalogStamp(db)) }
                return batch.due.count
            }
            if count == 0 { break }
            for sha in stale { FS.remove(Self.sidecarPath(sha, under: root)) }
            for _ in 0..<count { progress?.itemDone() }
        }
    }

    /// Each document under its name (its digest), then one flush for the batch. No temporary
    /// name is needed: a document torn by a crash is never named current (the catalog commits
    /// after the flush), its bytes no longer hash to its name, so a rebuild passes it over for
    /// the product's previous sidecar, which is removed only after the commit.
    private static func writeSidecars(_ documents: [(bytes: [UInt8], sha256: String)], under root: HostPath) throws(KhoError) {
        guard !documents.isEmpty else { return }
        let folder = root.appending(sidecarFolder)
        // Opened before the files are written: syncfs reports the write-back errors recorded
        // since its descriptor was opened, so one opened after could miss a failed write.
        let flush = try FileDescriptor.open(folder, flags: O_RDONLY | O_DIRECTORY, doing: "flushing product sidecars")
        for shard in Set(documents.map { $0.sha256.prefix(2) }) { try FS.makeDirectory(folder.appending(String(shard))) }
        // Made on every core: creating a file is most of the cost.
        _ = try Parallel.map(count: documents.count, jobs: Parallel.defaultJobs) { (i, _) throws(KhoError) in
            let path = sidecarPath(documents[i].sha256, under: root)
            // A file of that name is never the current one (those are not written again): one a
            // crash tore, read-only, is replaced.
            do throws(KhoError) {
                try FS.writeNewFile(documents[i].bytes, to: path, doing: "writing a product sidecar")
            } catch {
                guard (error.cause as? Errno)?.code == EEXIST else { throw error }
                _ = path.withCString { unlink($0) }
                try FS.writeNewFile(documents[i].bytes, to: path, doing: "writing a product sidecar")
            }
        }
        try flush.syncFileSystem()
    }
}

extension CatalogReads {
    /// A product's rows as read for its sidecar, decoded (on any thread) by `sidecarContent`.
    struct SidecarRows: Sendable {
        var product: RowValues
        var files: [RowValues] = []
        var events: [RowValues] = []
        var sources: [SidecarContent.SourceLink] = []
    }

    /// Where the columns are in each kind of row of a batch.
    struct SidecarColumns: Sendable {
        var product: ColumnPositions
        var file: ColumnPositions
        var event: ColumnPositions
    }

    /// The rows the sidecars of these products are made of (a product that does not exist is
    /// left out), read in a few queries for the whole batch. Only the reading happens here, on
    /// the connection's thread; the decoding is left to `sidecarContent`, so the renderers on
    /// every core share it.
    static func sidecarRows(_ db: Database, pks: [Int64]) throws -> (rows: [Int64: SidecarRows], columns: SidecarColumns) {
        let keys: StatementArguments = ["[" + pks.map(String.init).joined(separator: ",") + "]"]
        let (productRows, product) = try RowValues.fetchAll(db.cachedStatement(sql: """
            SELECT \(productColumns), p.shown, p.withdrawn FROM products p WHERE p.pk IN (SELECT value FROM json_each(?)) ORDER BY p.pk
            """), arguments: keys)
        var out: [Int64: SidecarRows] = Dictionary(minimumCapacity: productRows.count)
        let pkAt = product["pk"]
        for row in productRows { out[row[pkAt]] = SidecarRows(product: row) }
        // Each product's rows of a table, in the query's order; where its columns are.
        func grouped(_ table: String, orderedBy order: String, into list: WritableKeyPath<SidecarRows, [RowValues]>) throws -> ColumnPositions {
            let (rows, c) = try RowValues.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM \(table) WHERE product_pk IN (SELECT value FROM json_each(?)) ORDER BY product_pk, \(order)
                """), arguments: keys)
            if rows.isEmpty { return c }
            let at = c["product_pk"]
            for row in rows { out[row[at]]?[keyPath: list].append(row) }
            return c
        }
        let files = try grouped("files", orderedBy: "seq", into: \.files)
        let events = try grouped("events", orderedBy: "pk", into: \.events)
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT product_pk, unit, source_id FROM product_sources WHERE product_pk IN (SELECT value FROM json_each(?)) ORDER BY product_pk, unit, source_id
            """), arguments: keys) {
            out[row[0]]?.sources.append(SidecarContent.SourceLink(unit: row[1], sourceID: row[2]))
        }
        return (out, SidecarColumns(product: product, file: files, event: events))
    }

    /// A product's sidecar content from its rows. `tags`: language tags parsed so far, added to.
    static func sidecarContent(_ rows: SidecarRows, _ c: SidecarColumns, tags: inout [String: LanguageTag]) throws -> SidecarContent {
        let row = rows.product
        let product = try product(row, c.product, files: rows.files.map { storedFile($0, c.file) }, tags: &tags)
        return SidecarContent(key: row[c.product["pk"]], product: product, events: rows.events.map { event($0, c.event) },
                              shown: row[c.product["shown"]], withdrawn: row[c.product["withdrawn"]], sources: rows.sources)
    }
}
