// Keeping each product's sidecar current: after every change (a trigger marks the product
// due), its document is written anew under the SHA-256 of its bytes in sidecars/ab/ (or, for a
// large batch, as a member of one new pack in sidecars/packs/), made durable (one flush for a
// batch), and only then named current in the catalog; the one it replaces is removed after (a
// pack once none of its members is current). A kill leaves the product due and the old sidecar current,
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
        try renewSidecars(wait: wait, progress: progress, batches: .max)
    }

    /// In passing (an import waiting for a chunk's files): one whole batch, only when at least a
    /// batch is due (so it is always written as a pack), with the writer's small page cache (the
    /// import's memory budget holds its chunk and this batch at once).
    func renewSidecarBatchInPassing() throws(KhoError) -> Int {
        try catalog.withSmallWriterCache { () throws(KhoError) in try renewSidecars(wait: false, progress: nil, batches: 1, ifAtLeast: Self.sidecarBatch) }
    }

    /// `batches`: stop after this many (work done in passing: quietly, the rest left to the next
    /// call); `minimum`: renew nothing unless this many are due. Returns how many products'
    /// sidecars were renewed.
    @discardableResult
    func renewSidecars(wait: Bool, progress: (any ProgressReporter)?, batches: Int, ifAtLeast minimum: Int = 0) throws(KhoError) -> Int {
        guard let format = environment.sidecars, try sidecarsDue() else { return 0 }
        guard let lock = try lockSidecars(exclusive: true, wait: wait) else { return 0 }
        // Held to the end: Swift may otherwise free the descriptor (and drop the lock) after its last use.
        defer { withExtendedLifetime(lock) {} }
        let inPassing = batches != .max
        let progress = inPassing ? nil : progress
        let total = try catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due") ?? 0 }
        if total < minimum { return 0 }
        if total > 10 * Self.sidecarBatch, !inPassing {
            logger.notice("writing the sidecars of \(total) product(s) (each product's document beside the blobs; once after an upgrade or a large import)")
        }
        if total > Self.sidecarBatch { progress?.start(label: "writing product sidecars", totalBytes: 0, totalItems: total) }
        defer { if total > Self.sidecarBatch { progress?.finish() } }
        let archiveID = info.archiveID
        let packMinimum = max(1, environment.sidecarPackMinimum)
        let writing = Background<KhoError?>()
        // The next batch, read and rendered inside the previous transaction while that one's
        // files were being written; used only if nothing was written to the catalog since.
        var ahead: (batch: SidecarBatch, stamp: CatalogStamp)?
        var renewed = 0
        var batchesLeft = batches
        while batchesLeft > 0 {
            batchesLeft -= 1
            // A batch at a time inside one write transaction: nothing changes the products while
            // their documents are read, written and named, and a kill before the commit leaves
            // them due (files written so far are never named: harmless).
            var stale: [String] = []
            var packsGone: [Int64] = []
            let count: Int = try catalog.write { db in
                let batch: SidecarBatch
                if let (read, stamp) = ahead, try stamp == CatalogStamp(db) { batch = read } else {
                    batch = try SidecarBatch.read(db, format: format, archiveID: archiveID)
                }
                ahead = nil
                if batch.due.isEmpty { return 0 }
                let fresh = batch.freshIndices
                let documents = fresh.map { batch.rendered[$0]! }
                // Many documents go into one new pack (its number taken here, rolled back with
                // the rest if the batch fails); a few into files of their own.
                var members: [Int: SidecarPack.Member] = [:]
                let pack: Int64?
                if fresh.count >= packMinimum {
                    try db.execute(sql: "INSERT INTO sidecar_packs (members) VALUES (?)", arguments: [fresh.count])
                    pack = db.lastInsertedRowID
                    for (i, member) in zip(fresh, SidecarPack.layout(documents.map { ($0.sha256, $0.bytes.count) })) { members[i] = member }
                } else {
                    pack = nil
                }
                // Its files are written on the other threads while this one names them and reads
                // the next batch; the transaction commits only once they are all flushed.
                let root = self.root
                writing.start {
                    do throws(KhoError) {
                        if let pack { try Self.writePack(pack, documents, under: root) } else { try Self.writeSidecars(documents, under: root) }
                        return nil
                    } catch { return error }
                }
                let next: Result<SidecarBatch, any Error>
                do {
                    let name = try RawStatement(db, """
                        INSERT INTO sidecars (product_pk, sha256, pack, pack_offset, pack_length) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (product_pk) DO UPDATE SET sha256 = excluded.sha256, pack = excluded.pack,
                            pack_offset = excluded.pack_offset, pack_length = excluded.pack_length
                        """)
                    var touched = Set<Int64>()
                    for i in fresh {
                        let item = batch.due[i], made = batch.rendered[i]!, member = members[i]
                        name.bind(1, item.pk)
                        name.bind(2, made.sha256)
                        name.bind(3, pack)
                        name.bind(4, member?.offset)
                        name.bind(5, member?.length)
                        try name.execute()
                        if let old = item.pack { touched.insert(old) } else if let old = item.current, old != made.sha256 { stale.append(old) }
                    }
                    // The batch is the first due products by key, read in this state of the
                    // catalog (or in one the stamp shows unchanged), and naming marks none due:
                    // every due product up to its last key is the batch's, and none other.
                    let lastKey = batch.due[batch.due.count - 1].pk
                    try db.execute(sql: "DELETE FROM sidecar_due WHERE product_pk <= ?", arguments: [lastKey])
                    guard db.changesCount == batch.due.count else {
                        throw KhoError(.internal, "renewing product sidecars: \(db.changesCount) products were due up to key \(lastKey), the batch read \(batch.due.count)")
                    }
                    packsGone = try Self.settlePacks(db, touched: touched)
                    next = batchesLeft > 0 ? Result { try SidecarBatch.read(db, format: format, archiveID: archiveID) } : .success(SidecarBatch(due: [], rendered: []))
                } catch {
                    _ = writing.wait()
                    throw error
                }
                if let failure = writing.wait() { throw failure }
                if case .success(let read) = next, !read.due.isEmpty { ahead = (read, try CatalogStamp(db)) }
                return batch.due.count
            }
            if count == 0 { break }
            renewed += count
            for sha in stale { FS.remove(Self.sidecarPath(sha, under: root)) }
            for number in packsGone { FS.remove(Self.packPath(number, under: root)) }
            for _ in 0..<count { progress?.itemDone() }
        }
        if renewed > 0 { try sweepPacks() }
        return renewed
    }

    /// After a batch moved sidecars out of these packs: a pack none of whose members is current
    /// any more is forgotten (its file is removed after the commit: returned); one of whose
    /// members fewer than a quarter are still current is condemned, and their products made
    /// due, so the next batches write them again elsewhere and the pack empties.
    private static func settlePacks(_ db: Database, touched: Set<Int64>) throws -> [Int64] {
        var gone: [Int64] = []
        for pack in touched.sorted() {
            let live = try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecars WHERE pack = ?", arguments: [pack]) ?? 0
            if live == 0 {
                try db.execute(sql: "DELETE FROM sidecar_packs WHERE pk = ?", arguments: [pack])
                gone.append(pack)
            } else if try Bool.fetchOne(db, sql: "SELECT condemned = 0 AND ? * 4 < members FROM sidecar_packs WHERE pk = ?", arguments: [live, pack]) == true {
                try db.execute(sql: """
                    UPDATE sidecar_packs SET condemned = 1 WHERE pk = ?;
                    INSERT INTO sidecar_due (product_pk) SELECT product_pk FROM sidecars WHERE pack = ? ON CONFLICT DO NOTHING;
                    """, arguments: [pack, pack])
            }
        }
        return gone
    }

    /// Removes pack files the catalog does not list: a kill's leftovers (numbered past the last
    /// number the catalog handed out: taken in a transaction that never committed) and packs
    /// emptied by a batch whose removal a kill cut short. A rebuilt catalog lists every pack
    /// that was there, named or not, so no other pack is ever taken for one of these.
    private func sweepPacks() throws(KhoError) {
        let files = Self.packFiles(under: root)
        guard !files.isEmpty else { return }
        let known = try catalog.read { db in Set(try Int64.fetchAll(db, sql: "SELECT pk FROM sidecar_packs")) }
        for (number, path) in files where !known.contains(number) { FS.remove(path) }
    }

    /// Many documents in one new pack (see SidecarPack), flushed with its folder. No temporary
    /// name is needed, as for a sidecar of its own: a pack is named in the catalog only after
    /// the flush, and one that a crash left unnamed is removed by the next renewal. A file of
    /// that number (a kill's leftover, never named) is replaced. Its whole blocks go straight to
    /// the disk (BlockWriter): the last 100,000 of 1,000,000 registrations spent about 1.4 s of
    /// system time copying their 200 MB of packs into new page-cache pages.
    private static func writePack(_ number: Int64, _ documents: [(bytes: [UInt8], sha256: String)], under root: HostPath) throws(KhoError) {
        let folder = root.appending(packFolder)
        if !FS.isDirectory(folder) {
            try FS.makeDirectories(folder)
            try FS.syncDirectory(folder.parentFolder)
        }
        let path = packPath(number, under: root)
        let doing = "writing a pack of product sidecars"
        let output: FileDescriptor
        do throws(KhoError) {
            output = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o444, doing: doing)
        } catch {
            guard (error.cause as? Errno)?.code == EEXIST else { throw error }
            _ = path.withCString { unlink($0) }
            output = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o444, doing: doing)
        }
        let modified = Int(Glibc.time(nil))
        let writer = BlockWriter(fd: output.fd, doing: doing, path: path)
        for document in documents {
            try writer.append(SidecarPack.header(sha256: document.sha256, length: document.bytes.count, modified: modified))
            try writer.append(document.bytes)
            try writer.appendZeros(SidecarPack.span(document.bytes.count) - SidecarPack.blockSize - document.bytes.count)
        }
        try writer.appendZeros(2 * SidecarPack.blockSize)
        try writer.finish()
        try output.sync(doing: "flushing a pack of product sidecars")
        try FS.syncDirectory(folder)
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
