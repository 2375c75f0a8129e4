// v19: each mark of a product whose sidecar is due counts the changes since (`gen`), so a
// renewal can read and write documents without holding the catalog's write lock and then
// settle only the products nobody changed meanwhile.
import GRDB

extension CatalogSchema {
    static let sidecarMarks = "v19: sidecar marks counted"

    static func registerSidecarMarks(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(sidecarMarks) { db in
            try db.execute(sql: "ALTER TABLE sidecar_due ADD COLUMN gen INTEGER NOT NULL DEFAULT 0")
            for (name, event, key) in sidecarTriggers {
                try db.execute(sql: """
                    DROP TRIGGER sidecar_due_\(name);
                    CREATE TRIGGER sidecar_due_\(name) AFTER \(event) BEGIN
                        INSERT INTO sidecar_due (product_pk) VALUES (\(key)) ON CONFLICT (product_pk) DO UPDATE SET gen = gen + 1;
                    END
                    """)
            }
        }
    }

    /// The writes that change a product's document: trigger name, event, the product's key.
    static let sidecarTriggers = [
        ("products_insert", "INSERT ON products", "new.pk"), ("products_update", "UPDATE ON products", "new.pk"),
        ("files_insert", "INSERT ON files", "new.product_pk"), ("sources_insert", "INSERT ON product_sources", "new.product_pk"),
        ("events_insert", "INSERT ON events FOR EACH ROW WHEN new.product_pk IS NOT NULL", "new.product_pk"),
    ]
}
