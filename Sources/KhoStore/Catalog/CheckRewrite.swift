// Migration v10: the CHECK constraints that list allowed values with IN become the same test
// written with OR. SQLite checks `x IN ('a', 'b', 'c')` by building a temporary table for
// every row written: a third of an import's catalog time into an empty archive. The rule is
// unchanged, so SQLite's documented shortcut for changing a CHECK applies: the table's text
// in sqlite_schema is edited (writable_schema) and the schema version raised; no row moves.
import GRDB

enum CheckRewrite {
    /// (table, the constraint as v1 wrote it, the same rule with OR).
    static let rewrites: [(table: String, old: String, new: String)] = [
        ("products", "CHECK (access IN ('public', 'internal', 'restricted'))",
         "CHECK (access = 'public' OR access = 'internal' OR access = 'restricted')"),
        ("files", "CHECK (role IN ('master', 'access', 'supplement'))",
         "CHECK (role = 'master' OR role = 'access' OR role = 'supplement')"),
        ("events", "CHECK (outcome IN ('success', 'failure', 'warning'))",
         "CHECK (outcome = 'success' OR outcome = 'failure' OR outcome = 'warning')"),
    ]

    /// Rewrites the constraints of a catalog that has them in the v1 form. Where SQLite refuses
    /// schema edits (a build in defensive mode) the catalog keeps the IN form: same rule, slower.
    static func apply(_ db: Database) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        var changed = 0
        try db.execute(sql: "PRAGMA writable_schema = ON")
        do {
            for r in rewrites {
                try db.execute(sql: "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ? AND instr(sql, ?) > 0",
                               arguments: [r.old, r.new, r.table, r.old])
                changed += db.changesCount
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR || error.resultCode == .SQLITE_READONLY {
            // Refused: the tables not yet edited keep their IN form.
        }
        try db.execute(sql: "PRAGMA writable_schema = OFF")
        if changed > 0 { try db.execute(sql: "PRAGMA schema_version = \(version + 1)") }
    }
}
