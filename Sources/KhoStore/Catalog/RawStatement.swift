// The import's inner loop binds values straight through SQLite's C API on GRDB's cached
// statements: GRDB's per-call argument handling costs more than SQLite's own work when a
// manifest holds 100,000 rows. Each use binds every parameter, steps once and resets.
import GRDB
import GRDBSQLite

private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

struct RawStatement {
    let handle: OpaquePointer
    let db: Database

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        handle = try db.cachedStatement(sql: sql).sqliteStatement
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        var copy = value
        copy.withUTF8 { buffer in
            _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buffer.count), transient)
        }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    /// An empty array binds an empty blob, not NULL.
    func bind(_ index: Int32, _ bytes: [UInt8]) {
        if bytes.isEmpty { sqlite3_bind_zeroblob(handle, index, 0); return }
        bytes.withUnsafeBytes { _ = sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
    }

    /// Steps once and resets. Returns the result code of the step (SQLITE_DONE, SQLITE_ROW,
    /// SQLITE_CONSTRAINT…) so the caller can react to a unique-key collision.
    @discardableResult
    func run() throws -> Int32 {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        if code != SQLITE_DONE && code != SQLITE_ROW && (code & 0xFF) != SQLITE_CONSTRAINT {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return code
    }

    /// Steps once and resets; any failure, a broken constraint included, is thrown.
    func execute() throws {
        let code = try run()
        if Self.isConstraint(code) {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    static func isConstraint(_ code: Int32) -> Bool { (code & 0xFF) == SQLITE_CONSTRAINT }
}
