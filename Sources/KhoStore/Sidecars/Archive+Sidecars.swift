// Keeping each product's sidecar current: after every change (a trigger marks the product
// due), its document is written anew under the SHA-256 of its bytes in sidecars/ab/, made
// durable (one file-system flush for a batch's files, one for their names), and only then
// named current in the catalog; the one it replaces is removed after. A kill leaves the
// product due and the old sidecar current, so the next command finishes the work. One process
// renews at a time (the others leave it to it).
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

    /// Writes the sidecars of the products changed since theirs was written.
    public func renewSidecars(progress: (any ProgressReporter)? = nil) throws(KhoError) {
        guard let format = environment.sidecars, try sidecarsDue() else { return }
        let folder = root.appending(Self.sidecarFolder)
        try FS.makeDirectories(folder)
        let lock = try FileDescriptor.open(folder.appending(".lock"), flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o644, doing: "locking the sidecars")
        guard try lock.lock(exclusive: true, wait: false) else { return }
        let total = try catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sidecar_due") ?? 0 }
        if total > Self.sidecarBatch { progress?.start(label: "writing product sidecars", totalBytes: 0, totalItems: total) }
        defer { if total > Self.sidecarBatch { progress?.finish() } }
        var shards = Set<String>()
        let archiveID = info.archiveID
        while true {
            let due: [(pk: Int64, version: Int64, current: String?, content: SidecarContent?)] = try catalog.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT d.product_pk, d.version, s.sha256 FROM sidecar_due d LEFT JOIN sidecars s ON s.product_pk = d.product_pk
                    ORDER BY d.product_pk LIMIT \(Self.sidecarBatch)
                    """).map { row in (row[0], row[1], row[2], try CatalogReads.sidecarContent(db, pk: row[0])) }
            }
            if due.isEmpty { break }
            let rendered: [(bytes: [UInt8], sha256: String)?] = try Parallel.map(count: due.count, jobs: Parallel.defaultJobs) { i, _ in
                guard let content = due[i].content else { return nil }
                let bytes = format.encode(content, archiveID: archiveID)
                var digest = StreamingDigest()
                bytes.withUnsafeBytes { digest.update($0) }
                return (bytes, digest.finalizeHex())
            }
            let fresh = due.indices.filter { rendered[$0] != nil && rendered[$0]?.sha256 != due[$0].current }
            try writeSidecars(fresh.compactMap { rendered[$0] }, shards: &shards)
            // Named current only where the product did not change again meanwhile (then it is
            // still due, and its next document follows).
            var stale: [String] = []
            try catalog.write { db in
                for (i, item) in due.enumerated() {
                    try db.execute(sql: "DELETE FROM sidecar_due WHERE product_pk = ? AND version = ?", arguments: [item.pk, item.version])
                    let settled = db.changesCount == 1
                    guard let made = rendered[i], made.sha256 != item.current else { continue }
                    if settled {
                        try db.execute(sql: "INSERT INTO sidecars (product_pk, sha256) VALUES (?, ?) ON CONFLICT (product_pk) DO UPDATE SET sha256 = excluded.sha256",
                                       arguments: [item.pk, made.sha256])
                        if let old = item.current { stale.append(old) }
                    } else {
                        stale.append(made.sha256)
                    }
                }
            }
            for sha in stale { FS.remove(Self.sidecarPath(sha, under: root)) }
            for _ in due { progress?.itemDone() }
        }
    }

    /// Each document into the temporary area, flushed, then under its name, flushed.
    private func writeSidecars(_ documents: [(bytes: [UInt8], sha256: String)], shards: inout Set<String>) throws(KhoError) {
        guard !documents.isEmpty else { return }
        var temps: [(HostPath, String)] = []
        defer { for (temp, _) in temps { FS.remove(temp) } }
        for document in documents {
            let temp = try blobs.newTempPath()
            let output = try FileDescriptor.open(temp, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o444, doing: "writing a product sidecar")
            temps.append((temp, document.sha256))
            let failed = document.bytes.withUnsafeBytes { Sys.writeAll(output.fd, $0) }
            if failed != 0 { throw Sys.error(failed, "writing a product sidecar", temp) }
        }
        let folder = root.appending(Self.sidecarFolder)
        try FileDescriptor.open(folder, flags: O_RDONLY | O_DIRECTORY, doing: "flushing product sidecars").syncFileSystem()
        while let (temp, sha256) = temps.first {
            let shard = String(sha256.prefix(2))
            if shards.insert(shard).inserted { try FS.makeDirectory(folder.appending(shard)) }
            try FS.rename(temp, Self.sidecarPath(sha256, under: root))
            temps.removeFirst()
        }
        try FileDescriptor.open(folder, flags: O_RDONLY | O_DIRECTORY, doing: "flushing product sidecars").syncFileSystem()
    }
}

extension CatalogReads {
    /// Everything a product's sidecar holds; nil when there is no such product.
    static func sidecarContent(_ db: Database, pk: Int64) throws -> SidecarContent? {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(productColumns), p.shown, p.withdrawn FROM products p WHERE p.pk = ?"), arguments: [pk])
        guard let row = rows.first, let product = try products(db, rows: rows).first else { return nil }
        let events = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM events WHERE product_pk = ? ORDER BY pk"), arguments: [pk]).map(event)
        let sources = try Row.fetchAll(db.cachedStatement(sql: "SELECT unit, source_id FROM product_sources WHERE product_pk = ? ORDER BY unit, source_id"),
                                       arguments: [pk]).map { SidecarContent.SourceLink(unit: $0[0], sourceID: $0[1]) }
        return SidecarContent(key: pk, product: product, events: events, shown: row["shown"], withdrawn: row["withdrawn"], sources: sources)
    }
}
