// Keeping each product's sidecar current: after every change (a trigger marks the product
// due and counts the marks), its document is written anew under the SHA-256 of its bytes in
// sidecars/ab/, made durable (one file-system flush for a batch), and only then named current
// in the catalog; the one it replaces is removed after. A kill leaves the product due and the
// old sidecar current, so the next command finishes the work. One process renews at a time
// (the others leave it to it); a long write (an import) has it done beside its own work.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

extension Archive {
    static let sidecarFolder = "sidecars"
    public static let sidecarBatch = 2048
    static let backgroundBatch = 512

    static func sidecarPath(_ sha256: String, under root: HostPath) -> HostPath {
        root.appending("\(sidecarFolder)/\(sha256.prefix(2))/\(sha256).json")
    }

    /// Whether products changed since their sidecars were written (false where none are kept).
    public func sidecarsDue() throws(KhoError) -> Bool {
        guard environment.sidecars != nil, !isReadOnly else { return false }
        return try catalog.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sidecar_due)") ?? false }
    }

    /// Writes the sidecars of the products changed since theirs was written.
    /// `wait`: when another process is renewing, wait for it and then renew what is left
    /// (otherwise leave it to that process). `batch`: products read, written and named at a time.
    public func renewSidecars(wait: Bool = false, progress: (any ProgressReporter)? = nil, batch size: Int = sidecarBatch) throws(KhoError) {
        guard let format = environment.sidecars, try sidecarsDue() else { return }
        let folder = root.appending(Self.sidecarFolder)
        try FS.makeDirectories(folder)
        let lock = try FileDescriptor.open(folder.appending(".lock"), flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o644, doing: "locking the sidecars")
        guard try lock.lock(exclusive: true, wait: wait) else { return }
        let total = try catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due") ?? 0 }
        if total > 10 * Self.sidecarBatch {
            logger.notice("writing the sidecars of \(total) product(s) (each product's document beside the blobs; once after an upgrade or a large import)")
        }
        if total > Self.sidecarBatch { progress?.start(label: "writing product sidecars", totalBytes: 0, totalItems: total) }
        defer { if total > Self.sidecarBatch { progress?.finish() } }
        let archiveID = info.archiveID, root = self.root
        func read(after cursor: Int64) throws(KhoError) -> SidecarBatch {
            try catalog.read { db in try SidecarBatch.read(db, after: cursor, limit: size, format: format, archiveID: archiveID) }
        }
        let writing = Background<KhoError?>()
        // Documents are read, rendered and written without the catalog's write lock (other
        // writers go on); only naming them takes it, briefly. Keys in order, then one more pass
        // from the start for products marked again meanwhile, until none is due.
        var cursor: Int64 = 0
        var batch = try read(after: 0)
        while true {
            guard let last = batch.due.last else {
                if cursor == 0 { break }
                cursor = 0
                batch = try read(after: 0)
                continue
            }
            // Its files are written and flushed on other threads while this one reads the next batch.
            let written = batch
            writing.start {
                do throws(KhoError) { try Self.writeSidecars(written.fresh, under: root); return nil } catch { return error }
            }
            cursor = last.pk
            let next = Result { () throws(KhoError) in try read(after: cursor) }
            if let failure = writing.wait() { throw failure }
            // Named once durable. A product marked again since it was read gets its document
            // named (it was true then) but stays due, for its newer one.
            var stale: [String] = []
            try catalog.write { db in
                let settle = try db.cachedStatement(sql: "DELETE FROM sidecar_due WHERE product_pk = ? AND gen = ?")
                let name = try db.cachedStatement(sql: "INSERT INTO sidecars (product_pk, sha256) VALUES (?, ?) ON CONFLICT (product_pk) DO UPDATE SET sha256 = excluded.sha256")
                for (i, item) in batch.due.enumerated() {
                    try settle.execute(arguments: [item.pk, item.gen])
                    guard let made = batch.rendered[i], made.sha256 != item.current else { continue }
                    try name.execute(arguments: [item.pk, made.sha256])
                    if let old = item.current { stale.append(old) }
                }
            }
            for sha in stale { FS.remove(Self.sidecarPath(sha, under: root)) }
            for _ in batch.due { progress?.itemDone() }
            batch = try next.get()
        }
    }

    /// Renews sidecars on another thread now, beside the caller's next writes (after a commit
    /// of a long write: an import's chunk, a bundle's group). Small batches: the import's own
    /// memory is in use too.
    func renewInBackground() {
        guard environment.sidecars != nil, !isReadOnly else { return }
        background.kick { [self] in
            do throws(KhoError) { try renewSidecars(batch: Self.backgroundBatch) } catch {
                logger.warning("product sidecars not renewed now (the command does it as it ends): \(error.message)")
            }
        }
    }

    /// Each document under its name (its digest), then one flush for the batch. No temporary
    /// name is needed: a document torn by a crash is never named current (the catalog commits
    /// after the flush), its bytes no longer hash to its name, so a rebuild passes it over for
    /// the product's previous sidecar, which is removed only after the commit.
    private static func writeSidecars(_ documents: [(bytes: [UInt8], sha256: String)], under root: HostPath) throws(KhoError) {
        guard !documents.isEmpty else { return }
        let folder = root.appending(sidecarFolder)
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
        try FileDescriptor.open(folder, flags: O_RDONLY | O_DIRECTORY, doing: "flushing product sidecars").syncFileSystem()
    }
}

extension CatalogReads {
    /// Everything the sidecars of these products hold (a product that does not exist is left
    /// out), read in a few queries for the whole batch.
    static func sidecarContents(_ db: Database, pks: [Int64]) throws -> [Int64: SidecarContent] {
        guard !pks.isEmpty else { return [:] }
        let keys = "[" + pks.map(String.init).joined(separator: ",") + "]"
        let rows = try Row.fetchAll(db, sql: "SELECT \(productColumns), p.shown, p.withdrawn FROM products p WHERE p.pk IN (SELECT value FROM json_each(?)) ORDER BY p.pk",
                                    arguments: [keys])
        let products = try products(db, rows: rows)
        var events: [Int64: [PreservationEvent]] = [:]
        let eventRows = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE product_pk IN (SELECT value FROM json_each(?)) ORDER BY product_pk, pk", arguments: [keys])
        if let first = eventRows.first {
            let c = ColumnPositions(first)
            for row in eventRows { events[row[c["product_pk"]], default: []].append(event(row, c)) }
        }
        var sources: [Int64: [SidecarContent.SourceLink]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT product_pk, unit, source_id FROM product_sources WHERE product_pk IN (SELECT value FROM json_each(?)) ORDER BY product_pk, unit, source_id
            """, arguments: [keys]) {
            sources[row[0], default: []].append(SidecarContent.SourceLink(unit: row[1], sourceID: row[2]))
        }
        var out: [Int64: SidecarContent] = [:]
        let c = ColumnPositions(rows.first)
        let (pkAt, shownAt, withdrawnAt) = rows.isEmpty ? (0, 0, 0) : (c["pk"], c["shown"], c["withdrawn"])
        for (row, product) in zip(rows, products) {
            let pk: Int64 = row[pkAt]
            out[pk] = SidecarContent(key: pk, product: product, events: events[pk] ?? [], shown: row[shownAt], withdrawn: row[withdrawnAt], sources: sources[pk] ?? [])
        }
        return out
    }
}
