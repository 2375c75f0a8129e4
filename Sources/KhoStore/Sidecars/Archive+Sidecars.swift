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
    static let sidecarBatch = 4096

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
    /// (otherwise leave it to that process).
    public func renewSidecars(wait: Bool = false, progress: (any ProgressReporter)? = nil) throws(KhoError) {
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
        var shards = Set<String>()
        let archiveID = info.archiveID
        while true {
            // A batch at a time inside one write transaction: nothing changes the products while
            // their documents are read, written and named, and a kill before the commit leaves
            // them due (files written so far are never named: harmless).
            var stale: [String] = []
            let count: Int = try catalog.write { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT d.product_pk, s.sha256 FROM sidecar_due d LEFT JOIN sidecars s ON s.product_pk = d.product_pk
                    ORDER BY d.product_pk LIMIT \(Self.sidecarBatch)
                    """)
                if rows.isEmpty { return 0 }
                let contents = try CatalogReads.sidecarContents(db, pks: rows.map { $0[0] })
                let due: [(pk: Int64, current: String?, content: SidecarContent?)] = rows.map { ($0[0], $0[1], contents[$0[0]]) }
                let rendered: [(bytes: [UInt8], sha256: String)?] = try Parallel.map(count: due.count, jobs: Parallel.defaultJobs) { i, _ in
                    guard let content = due[i].content else { return nil }
                    let bytes = format.encode(content, archiveID: archiveID)
                    var digest = StreamingDigest()
                    bytes.withUnsafeBytes { digest.update($0) }
                    return (bytes, digest.finalizeHex())
                }
                let fresh = due.indices.filter { rendered[$0] != nil && rendered[$0]?.sha256 != due[$0].current }
                try writeSidecars(fresh.compactMap { rendered[$0] }, shards: &shards)
                let settle = try db.cachedStatement(sql: "DELETE FROM sidecar_due WHERE product_pk = ?")
                let name = try db.cachedStatement(sql: "INSERT INTO sidecars (product_pk, sha256) VALUES (?, ?) ON CONFLICT (product_pk) DO UPDATE SET sha256 = excluded.sha256")
                for (i, item) in due.enumerated() {
                    try settle.execute(arguments: [item.pk])
                    guard let made = rendered[i], made.sha256 != item.current else { continue }
                    try name.execute(arguments: [item.pk, made.sha256])
                    if let old = item.current { stale.append(old) }
                }
                return due.count
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
    private func writeSidecars(_ documents: [(bytes: [UInt8], sha256: String)], shards: inout Set<String>) throws(KhoError) {
        guard !documents.isEmpty else { return }
        let folder = root.appending(Self.sidecarFolder)
        for document in documents where shards.insert(String(document.sha256.prefix(2))).inserted {
            try FS.makeDirectory(folder.appending(String(document.sha256.prefix(2))))
        }
        // Made on every core: creating a file is most of the cost.
        let root = self.root
        _ = try Parallel.map(count: documents.count, jobs: Parallel.defaultJobs) { (i, _) throws(KhoError) in
            let path = Self.sidecarPath(documents[i].sha256, under: root)
            // A file of that name is never the current one (those are not written again): one a
            // crash tore, read-only, is replaced.
            _ = path.withCString { unlink($0) }
            try FS.writeNewFile(documents[i].bytes, to: path, doing: "writing a product sidecar")
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
        for (row, product) in zip(rows, products) {
            let pk: Int64 = row["pk"]
            out[pk] = SidecarContent(key: pk, product: product, events: events[pk] ?? [], shown: row["shown"], withdrawn: row["withdrawn"], sources: sources[pk] ?? [])
        }
        return out
    }
}
