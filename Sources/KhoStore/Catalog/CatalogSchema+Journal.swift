// Migrations v19 and v20: the triggers that mark a product's sidecar due, rewritten (or dropped)
// so that the one-row writes of products, events, files and source links need no statement journal.
// v21: where a sidecar that is a member of a pack is. v22: export product lists in parts.
import GRDB

extension CatalogSchema {
    /// v19 to v22, registered in this order after v18.
    static func registerSidecarRewrites(_ migrator: inout DatabaseMigrator) {
        // Triggers only: no foreign key can break, so no check of every row after it (seconds on
        // a large catalog).
        migrator.registerMigration("v19: sidecar triggers without a statement journal", foreignKeyChecks: .immediate) { db in
            try CatalogSchema.sidecarTriggersWithoutJournal(db)
        }
        migrator.registerMigration("v20: file rows without a statement journal", foreignKeyChecks: .immediate) { db in
            try CatalogSchema.fileTriggerDropped(db)
        }
        migrator.registerMigration("v21: sidecar packs", foreignKeyChecks: .immediate) { db in
            try CatalogSchema.sidecarPacks(db)
        }
        migrator.registerMigration("v22: export product lists in parts", foreignKeyChecks: .immediate) { db in
            try CatalogSchema.exportParts(db)
        }
    }

    /// SQLite gives a statement a journal of its own (a copy of every page it touches that the
    /// transaction had already changed: 16 KB per index entry, about 300 KB a row on a large
    /// catalog) when it writes through a trigger and may abort. CatalogWrites' inserts are OR FAIL,
    /// which does not abort; but a trigger's INSERT OR IGNORE takes the conflict rule of the
    /// statement that fired it, and under OR FAIL a product already due would fail it. An upsert's
    /// DO NOTHING is the trigger's own. A source link's insert may abort whatever its rule (its
    /// foreign key): its trigger goes, and the import marks the product due itself (linkSource).
    static func sidecarTriggersWithoutJournal(_ db: Database) throws {
        try db.execute(sql: "DROP TRIGGER sidecar_due_sources_insert")
        for (name, event, key) in [("products_insert", "INSERT ON products", "new.pk"), ("products_update", "UPDATE ON products", "new.pk"),
                                   ("files_insert", "INSERT ON files", "new.product_pk"),
                                   ("events_insert", "INSERT ON events FOR EACH ROW WHEN new.product_pk IS NOT NULL", "new.product_pk")] {
            try db.execute(sql: """
                DROP TRIGGER sidecar_due_\(name);
                CREATE TRIGGER sidecar_due_\(name) AFTER \(event) BEGIN
                    INSERT INTO sidecar_due (product_pk) VALUES (\(key)) ON CONFLICT DO NOTHING;
                END
                """)
        }
    }

    /// v20: the same holds for a file row (its foreign keys, to its product and its blob): 70 KB
    /// of statement journal a file on a catalog of 15,000 products, a third of an import's catalog
    /// time. CatalogWrites.insertFile marks the product due itself. (One-row UPDATEs of products
    /// are OR FAIL for the same reason: their CHECK constraints would abort.)
    static func fileTriggerDropped(_ db: Database) throws {
        try db.execute(sql: "DROP TRIGGER sidecar_due_files_insert")
    }
}

extension CatalogSchema {
    /// v21: a sidecar may be a member of a pack (sidecars/packs/NNNNNNNNNN.tar) rather than a
    /// file of its own: `pack` names it (NULL: its own file), `pack_offset` and `pack_length`
    /// where its bytes are. `sidecar_packs` lists the packs the catalog knows (a pack file it
    /// does not list is a kill's leftover), how many members each was written with, and whether
    /// it is condemned (few of them still current: those are written again into a new pack).
    static func sidecarPacks(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE sidecars ADD COLUMN pack INTEGER;
            ALTER TABLE sidecars ADD COLUMN pack_offset INTEGER;
            ALTER TABLE sidecars ADD COLUMN pack_length INTEGER;
            CREATE INDEX sidecars_pack ON sidecars(pack) WHERE pack IS NOT NULL;
            CREATE TABLE sidecar_packs (
                pk INTEGER PRIMARY KEY AUTOINCREMENT,
                members INTEGER NOT NULL CHECK (members > 0),
                condemned INTEGER NOT NULL DEFAULT 0
            );
            """)
    }
}

extension CatalogSchema {
    /// v22: an export's product IDs (a million for a whole archive's export) in parts of a few
    /// thousand, `export_parts`, rather than one text of 20 MB in its row, which SQLite copied
    /// three times over to write (an export's memory peaked at its record); and their number in
    /// the row, so a listing reads none of them. Earlier exports keep their list in the row
    /// (`product_ids`, '[]' in later ones): an export's IDs are that list, then its parts in order.
    static func exportParts(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE exports ADD COLUMN product_count INTEGER;
            UPDATE exports SET product_count = json_array_length(product_ids);
            CREATE TABLE export_parts (
                export_pk INTEGER NOT NULL REFERENCES exports(pk),
                part INTEGER NOT NULL,
                product_ids TEXT NOT NULL,
                PRIMARY KEY (export_pk, part)
            ) WITHOUT ROWID;
            """)
    }
}
