// The catalog a replica gets: a consistent copy (SQLite's online backup, taken while others may
// write) without the web app's secrets (sessions, API tokens, password hashes), and, for a
// replica that does not take restricted products, without any trace of them: their rows, files,
// events, source links, sidecar names, their words in the search index and the blobs only they
// hold. Its sidecars are named as the replica holds them (each a file of its own). Freed pages
// are dropped (VACUUM), so nothing deleted can be read back from the file.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

extension Archive {
    /// The copy written at `partial` (a new or empty file), flushed.
    func backupCatalog(to partial: HostPath, replica: ReplicaRecord) throws(KhoError) {
        do {
            var config = Configuration()
            config.journalMode = .default
            // No rollback journal: it would leave the pages it saved (titles among them) in the
            // replica disk's free space. A copy a kill interrupts is thrown away anyway.
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_mode = OFF") }
            let copy = try DatabaseQueue(path: partial.description, configuration: config)
            try catalog.writer.backup(to: copy)
            try copy.inDatabase { db in
                try db.execute(sql: "DELETE FROM sessions; DELETE FROM api_tokens; UPDATE users SET password_hash = ''")
                // A replica holds every sidecar as a file of its own, whether or not the archive packed it.
                try db.execute(sql: "UPDATE sidecars SET pack = NULL, pack_offset = NULL, pack_length = NULL WHERE pack IS NOT NULL; DELETE FROM sidecar_packs")
                if !replica.includeRestricted { try Self.leaveOutRestricted(db) }
            }
            // The archive's own free pages came with the backup: VACUUM writes only live pages.
            try copy.inDatabase { db in try db.execute(sql: "VACUUM") }
            try copy.close()
        } catch {
            FS.remove(partial)
            throw KhoError(.ioError, "copying the catalog to replica \(replica.name) failed: \(error)")
        }
        try FileDescriptor.open(partial, flags: O_RDONLY | O_NOFOLLOW, doing: "flushing the catalog copy").sync()
    }

    /// Every restricted product removed from a catalog copy (never from the archive's own).
    static func leaveOutRestricted(_ db: Database) throws {
        let restricted = try Row.fetchAll(db, sql: "SELECT pk, id FROM products WHERE access = 'restricted'")
        guard !restricted.isEmpty else { return }
        let ids = try restricted.map { (row: Row) throws -> ProductID in
            guard case .success(let id) = ProductID.parse(row[1]) else {
                throw KhoError(.catalogDamaged, "a product ID in the catalog is malformed: \(String(describing: row[1]))")
            }
            return id
        }
        // The contentless search index forgets a row only by the words it was given.
        for product in try CatalogReads.products(db, ids: ids).values {
            guard let pk = try CatalogReads.productPK(db, id: product.id) else { continue }
            let m = product.metadata
            try db.execute(sql: "INSERT INTO products_search (products_search, rowid, title, description, keywords) VALUES ('delete', ?, ?, ?, ?)",
                           arguments: [pk, SearchQuery.indexText(m.title), SearchQuery.indexText(m.description), SearchQuery.indexText(m.searchKeywords)])
        }
        // A copy, not the archive: the event log's append-only guard does not hold here.
        try db.execute(sql: """
            DROP TRIGGER IF EXISTS events_append_only_delete;
            CREATE TEMP TABLE gone AS SELECT pk, id FROM products WHERE access = 'restricted';
            DELETE FROM events WHERE product_pk IN (SELECT pk FROM gone) OR product_id IN (SELECT id FROM gone);
            DELETE FROM product_sources WHERE product_pk IN (SELECT pk FROM gone);
            DELETE FROM files WHERE product_pk IN (SELECT pk FROM gone);
            DELETE FROM sidecars WHERE product_pk IN (SELECT pk FROM gone);
            DELETE FROM sidecar_due WHERE product_pk IN (SELECT pk FROM gone);
            DELETE FROM products WHERE pk IN (SELECT pk FROM gone);
            DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = blobs.sha256);
            DELETE FROM replica_copies WHERE sha256 NOT IN (SELECT sha256 FROM blobs);
            DROP TABLE gone;
            -- A deleted row's words stay in the index's older segments until they are merged.
            INSERT INTO products_search (products_search) VALUES ('optimize');
            """)
    }
}
