// The catalog's schema, as migrations run on every open. Never edit a shipped
// migration: add a new one.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

enum CatalogSchema {
    /// Migrations that change only speed: a catalog without them is read as it is where it
    /// cannot be written (read-only storage opens without migrating).
    /// (The web app's users and sessions are not needed to read the archive either.)
    /// (Events of a catalog without v12 are read by product ID, as before; one without v15 has
    /// no withdrawn products, and is not harvested; one without v16 or v17 has no replicas; one
    /// without v18 keeps no sidecars; v19 and v20 only spare writes a statement journal; one without v21
    /// has every sidecar in a file of its own; one without v22 keeps each export's product list
    /// whole in its row.)
    static let speedOnly: Set<String> = ["v10: CHECK constraints without IN lists", "v11: users and sessions",
                                         "v12: one report index, events by product key", "v13: API tokens", "v14: browse order",
                                         "v15: harvesting", "v16: replicas", "v17: checks of replica copies",
                                         "v18: product sidecars", "v19: sidecar triggers without a statement journal",
                                         "v20: file rows without a statement journal", "v21: sidecar packs",
                                         "v22: export product lists in parts"]

    /// Whether a catalog that cannot be migrated here can be read as it is.
    static func readableAsIs(_ db: Database) throws -> Bool {
        let missing = Set(migrator.migrations).subtracting(try migrator.appliedIdentifiers(db))
        return missing.isSubset(of: speedOnly)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: products, files, blobs, events, search") { db in
            try db.execute(sql: """
                CREATE TABLE products (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    title TEXT NOT NULL,
                    title_sort BLOB NOT NULL,
                    kind TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    produced TEXT,
                    published TEXT,
                    reference_date TEXT,
                    campaign TEXT,
                    description TEXT,
                    creator TEXT,
                    access TEXT NOT NULL CHECK (access IN ('public', 'internal', 'restricted')),
                    origin TEXT NOT NULL CHECK (origin IN ('born_digital', 'physical')),
                    carrier TEXT,
                    digitized_on TEXT,
                    digitization_method TEXT,
                    digitized INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX products_reference ON products(reference_date);
                CREATE INDEX products_unit ON products(unit, reference_date);
                CREATE INDEX products_kind ON products(kind);
                CREATE INDEX products_updated ON products(updated_at);

                CREATE TABLE product_languages (
                    product_pk INTEGER NOT NULL REFERENCES products(pk) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    tag TEXT NOT NULL,
                    PRIMARY KEY (product_pk, position)
                ) WITHOUT ROWID;
                CREATE INDEX product_languages_tag ON product_languages(tag);

                CREATE TABLE product_channels (
                    product_pk INTEGER NOT NULL REFERENCES products(pk) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    channel TEXT NOT NULL,
                    PRIMARY KEY (product_pk, position)
                ) WITHOUT ROWID;
                CREATE INDEX product_channels_channel ON product_channels(channel);

                CREATE TABLE product_topics (
                    product_pk INTEGER NOT NULL REFERENCES products(pk) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    topic TEXT NOT NULL,
                    PRIMARY KEY (product_pk, position)
                ) WITHOUT ROWID;

                CREATE TABLE blobs (
                    sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
                    size INTEGER NOT NULL CHECK (size >= 0),
                    stored_at TEXT NOT NULL,
                    last_checked_at TEXT,
                    last_check_outcome TEXT
                ) WITHOUT ROWID;

                CREATE TABLE files (
                    pk INTEGER PRIMARY KEY,
                    product_pk INTEGER NOT NULL REFERENCES products(pk),
                    seq INTEGER NOT NULL,
                    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                    role TEXT NOT NULL CHECK (role IN ('master', 'access', 'supplement')),
                    name TEXT NOT NULL,
                    name_bytes BLOB NOT NULL,
                    name_encoding TEXT NOT NULL,
                    media_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    added_at TEXT NOT NULL,
                    UNIQUE (product_pk, seq)
                );
                CREATE INDEX files_sha256 ON files(sha256);

                CREATE TABLE events (
                    pk INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    type TEXT NOT NULL,
                    object TEXT NOT NULL,
                    product_id TEXT,
                    agent TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'warning')),
                    detail TEXT
                );
                CREATE INDEX events_product ON events(product_id);
                CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

                CREATE VIRTUAL TABLE products_search USING fts5(
                    title, description, keywords,
                    tokenize = 'unicode61 remove_diacritics 0'
                );
                """)
        }
        migrator.registerMigration("v2: import sources, title index") { db in
            try db.execute(sql: """
                CREATE TABLE product_sources (
                    unit TEXT NOT NULL,
                    source_id TEXT NOT NULL,
                    product_pk INTEGER NOT NULL REFERENCES products(pk),
                    PRIMARY KEY (unit, source_id)
                ) WITHOUT ROWID;
                CREATE INDEX products_title ON products(title);
                """)
        }
        migrator.registerMigration("v3: lists in the product row, digital flag") { db in
            // Languages, channels and topics move into the product row as JSON arrays: one row per
            // product instead of four tables' worth of index entries, and a digital-platform flag
            // the reports can sum directly.
            let digital = Channel.allCases.filter(\.isDigital).map { "'\($0.rawValue)'" }.joined(separator: ", ")
            try db.execute(sql: """
                ALTER TABLE products ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE products ADD COLUMN channels TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE products ADD COLUMN topics TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE products ADD COLUMN digital INTEGER NOT NULL DEFAULT 0;
                UPDATE products SET
                    languages = coalesce((SELECT json_group_array(tag) FROM (SELECT tag FROM product_languages WHERE product_pk = products.pk ORDER BY position)), '[]'),
                    channels = coalesce((SELECT json_group_array(channel) FROM (SELECT channel FROM product_channels WHERE product_pk = products.pk ORDER BY position)), '[]'),
                    topics = coalesce((SELECT json_group_array(topic) FROM (SELECT topic FROM product_topics WHERE product_pk = products.pk ORDER BY position)), '[]'),
                    digital = EXISTS (SELECT 1 FROM product_channels WHERE product_pk = products.pk AND channel IN (\(digital)));
                DROP TABLE product_languages;
                DROP TABLE product_channels;
                DROP TABLE product_topics;
                DROP INDEX products_kind;
                """)
        }
        migrator.registerMigration("v4: title key index") { db in
            // Same-title lookups go through an 8-byte hash of the title instead of the title.
            try db.execute(sql: "ALTER TABLE products ADD COLUMN title_key INTEGER NOT NULL DEFAULT 0")
            let update = try db.makeStatement(sql: "UPDATE products SET title_key = ? WHERE pk = ?")
            for row in try Row.fetchAll(db, sql: "SELECT pk, title FROM products") {
                try update.execute(arguments: [TitleKey.of(row["title"]), row["pk"] as Int64])
            }
            try db.execute(sql: """
                DROP INDEX products_title;
                CREATE INDEX products_title_key ON products(title_key);
                """)
        }
        migrator.registerMigration("v5: compact sort keys") { db in
            // The Vietnamese sort key became one byte per letter; keys of the old form would
            // sort wrongly beside new ones, so every key is made again.
            let update = try db.makeStatement(sql: "UPDATE products SET title_sort = ? WHERE pk = ?")
            for row in try Row.fetchAll(db, sql: "SELECT pk, title FROM products") {
                try update.execute(arguments: [Data(VietnameseText.collationKey(row["title"])), row["pk"] as Int64])
            }
        }
        migrator.registerMigration("v6: contentless search index, no updated_at index") { db in
            // The search index keeps only what search needs (the index and sizes for ranking), not a
            // second copy of every title; nothing queries products by updated_at.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE products_search_v6 USING fts5(
                    title, description, keywords, content = '',
                    tokenize = 'unicode61 remove_diacritics 0'
                );
                INSERT INTO products_search_v6 (rowid, title, description, keywords)
                    SELECT rowid, title, description, keywords FROM products_search;
                DROP TABLE products_search;
                ALTER TABLE products_search_v6 RENAME TO products_search;
                DROP INDEX products_updated;
                """)
        }
        migrator.registerMigration("v7: report flags and covering indexes") { db in
            // Reports sum per-product flags over a unit's or the whole country's products in a
            // period; the indexes hold everything those sums read, so no product row is visited.
            // The flags depend on the archive's configuration and on the unit tables: they are
            // computed when the archive is opened and what they were computed with has changed
            // ('flags' in archive_settings; empty here, so the first open computes them).
            try db.execute(sql: """
                ALTER TABLE products ADD COLUMN minority INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE products ADD COLUMN foreign_language INTEGER NOT NULL DEFAULT 0;
                -- Which table the unit code belongs to: 0 before 1 July 2025, 1 from then.
                ALTER TABLE products ADD COLUMN unit_era INTEGER NOT NULL DEFAULT 1;
                -- Today's province the unit is part of (the old unit's successor), '' if none.
                ALTER TABLE products ADD COLUMN province_now TEXT NOT NULL DEFAULT '';
                -- The three indicators packed in one number, so one sum() gives all three counts
                -- (each sum stays exact below 2^21 products per group; the reader checks).
                ALTER TABLE products ADD COLUMN report_bits INTEGER GENERATED ALWAYS AS
                    (digitized + (digital << 21) + ((digital OR minority OR foreign_language) << 42)) VIRTUAL;
                CREATE TABLE archive_settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO archive_settings (key, value) VALUES ('flags', '');
                DROP INDEX products_reference;
                DROP INDEX products_unit;
                CREATE INDEX products_report_unit ON products(unit, unit_era, reference_date, report_bits, kind);
                CREATE INDEX products_report_province ON products(province_now, reference_date, report_bits, unit, unit_era, kind);
                """)
        }
        migrator.registerMigration("v8: exports") { db in
            // One row per export that completed: written only after its bundle was flushed and
            // renamed into place, so an export killed half-way leaves no record and no cursor.
            try db.execute(sql: """
                CREATE TABLE exports (
                    pk INTEGER PRIMARY KEY,
                    export_id TEXT NOT NULL,
                    scope_key TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    period TEXT NOT NULL,
                    follows TEXT,
                    created_at TEXT NOT NULL,
                    file TEXT NOT NULL,
                    format TEXT NOT NULL,
                    bundle_sha256 TEXT NOT NULL,
                    payload_bytes INTEGER NOT NULL,
                    cursor TEXT NOT NULL,
                    product_ids TEXT NOT NULL
                );
                CREATE INDEX exports_scope ON exports(scope_key, pk);
                """)
        }
        migrator.registerMigration("v9: home archives, imported events") { db in
            // A product's home: the archive that created it (NULL: this one). Only its home may
            // change it through a bundle. An event copied from a bundle names the archive it came
            // from (NULL: written here).
            try db.execute(sql: """
                ALTER TABLE products ADD COLUMN home_archive TEXT;
                ALTER TABLE events ADD COLUMN imported_from TEXT;
                """)
            // Products that arrived in bundles before homes were recorded: their home is the
            // archive named by the event of their arrival ("from bundle … of archive ID, …").
            let arrivals = try Row.fetchAll(db, sql: """
                SELECT product_id, detail FROM events WHERE type = 'bundle_import' AND object = 'product:' || product_id ORDER BY pk
                """)
            for row in arrivals {
                guard let detail: String = row["detail"], let range = detail.range(of: " of archive ") else { continue }
                let home = detail[range.upperBound...].prefix { $0 != "," && $0 != " " }
                guard !home.isEmpty else { continue }
                try db.execute(sql: "UPDATE products SET home_archive = ? WHERE id = ? AND home_archive IS NULL",
                               arguments: [String(home), row["product_id"] as String?])
            }
        }
        // No row changes: the foreign keys need no check of every row after it (seconds on a large catalog).
        migrator.registerMigration("v10: CHECK constraints without IN lists", foreignKeyChecks: .immediate) { db in
            try CheckRewrite.apply(db)
        }
        migrator.registerMigration("v11: users and sessions") { db in
            // Sessions are found by the SHA-256 of their token: a copy of the catalog does not
            // let anyone log in as its users. A user is never deleted, only disabled, so the
            // events that name them keep meaning something.
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY NOT NULL,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role = 'admin' OR role = 'staff' OR role = 'auditor' OR role = 'exporter'),
                    unit TEXT,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    password_changed_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE sessions (
                    token_sha256 TEXT PRIMARY KEY NOT NULL,
                    user_name TEXT NOT NULL REFERENCES users(name),
                    csrf TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    last_seen_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX sessions_user ON sessions(user_name);
                """)
        }
        migrator.registerMigration("v12: one report index, events by product key") { db in
            // In a large catalog every product's insert dirties a page of each index with
            // random keys; with two report indexes and events indexed by the random product ID,
            // a transaction's dirty pages outgrew the page cache (Scripts/bench, section
            // catalog). Unit scopes now also name their provinces today, so the province index
            // serves them; events are found by the product's row key, which grows with every
            // new product, so their index is appended to.
            try db.execute(sql: """
                DROP INDEX products_report_unit;
                DROP INDEX events_product;
                ALTER TABLE events ADD COLUMN product_pk INTEGER;
                DROP TRIGGER events_append_only_update;
                UPDATE events SET product_pk = (SELECT pk FROM products WHERE products.id = events.product_id) WHERE product_id IS NOT NULL;
                CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE INDEX events_product_pk ON events(product_pk);
                """)
        }
        migrator.registerMigration("v13: API tokens") { db in
            // Machines (exporters, scripts) call the API with a token an admin made: kept by its
            // SHA-256 like sessions, named in listings by the first 12 hex digits of that.
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                    token_sha256 TEXT PRIMARY KEY NOT NULL,
                    id TEXT NOT NULL UNIQUE,
                    user_name TEXT NOT NULL REFERENCES users(name),
                    label TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v14: browse order") { db in
            // The web app's lists, newest reference date first: a page reads its own rows from
            // this index instead of sorting the whole scope (1.3 s for 1,000,000 products).
            try db.execute(sql: "CREATE INDEX products_browse ON products(reference_date)")
        }
        migrator.registerMigration("v15: harvesting") { db in
            // OAI-PMH lists products in the order of their last change (updated_at is this
            // archive's own time of it). `shown` remembers who was ever allowed to read a product
            // (1: anyone, public; 2: exporters, public or internal), so a product that becomes
            // restricted or is withdrawn is a deleted record to them forever, while one that never
            // left is never named. Before this version nothing was recorded: today's access counts.
            try db.execute(sql: """
                CREATE INDEX products_changed ON products(updated_at);
                ALTER TABLE products ADD COLUMN shown INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE products ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;
                UPDATE products SET shown = \(CatalogWrites.shownSQL("access"));
                """)
        }
        migrator.registerMigration("v16: replicas") { db in
            // Other copies of the archive (a folder on another disk, a NAS, a USB drive) and when
            // each was last brought up to date.
            try db.execute(sql: """
                CREATE TABLE replicas (
                    name TEXT PRIMARY KEY NOT NULL,
                    target TEXT NOT NULL,
                    include_restricted INTEGER NOT NULL,
                    added_at TEXT NOT NULL,
                    last_replicated_at TEXT
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v17: checks of replica copies") { db in
            // The last check of each copy in each replica (the archive's own copies keep theirs
            // in blobs), so a nightly audit re-reads the copies checked longest ago; and when
            // each replica was last re-read.
            try db.execute(sql: """
                CREATE TABLE replica_copies (
                    replica TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    last_checked_at TEXT NOT NULL,
                    last_check_outcome TEXT NOT NULL,
                    PRIMARY KEY (replica, sha256)
                ) WITHOUT ROWID;
                ALTER TABLE replicas ADD COLUMN last_checked_at TEXT;
                """)
        }
        migrator.registerMigration("v18: product sidecars") { db in
            // Each product's document is kept beside the blobs (sidecars/); `sidecars` names the
            // current one, and `sidecar_due` the products changed since it was written: a
            // trigger on every write that changes a document marks it. Every product is due at first.
            try db.execute(sql: """
                CREATE TABLE sidecars (product_pk INTEGER PRIMARY KEY, sha256 TEXT NOT NULL);
                CREATE TABLE sidecar_due (product_pk INTEGER PRIMARY KEY);
                INSERT INTO sidecar_due (product_pk) SELECT pk FROM products;
                CREATE INDEX product_sources_product ON product_sources(product_pk);
                """)
            for (name, event, key) in [("products_insert", "INSERT ON products", "new.pk"), ("products_update", "UPDATE ON products", "new.pk"),
                                       ("files_insert", "INSERT ON files", "new.product_pk"), ("sources_insert", "INSERT ON product_sources", "new.product_pk"),
                                       ("events_insert", "INSERT ON events FOR EACH ROW WHEN new.product_pk IS NOT NULL", "new.product_pk")] {
                try db.execute(sql: """
                    CREATE TRIGGER sidecar_due_\(name) AFTER \(event) BEGIN
                        INSERT OR IGNORE INTO sidecar_due (product_pk) VALUES (\(key));
                    END
                    """)
            }
        }
        registerSidecarRewrites(&migrator)
        return migrator
    }
}
