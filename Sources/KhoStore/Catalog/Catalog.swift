// The catalog: one type owns the SQLite database (WAL, migrations on open), and
// turns SQLite's errors into ones a user can act on.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

public final class Catalog: Sendable {
    let writer: any DatabaseWriter
    let path: String
    /// Opened from read-only storage: reads work, every write is refused.
    let readOnly: Bool
    /// Whether products can be withdrawn (v15); a read-only catalog of an older Kho has no
    /// withdrawn products, and its lists and exports take every product.
    let hasWithdrawals: Bool
    /// Whether exports keep their product lists in parts and count them (v22); a read-only
    /// catalog of an older Kho has each list whole in its export's row.
    let hasExportParts: Bool

    /// Opens (creating if needed) the catalog at `path`. Waits up to `lockTimeout`
    /// seconds for another process's write to finish before saying the archive is locked.
    /// `readOnly`: the catalog is on storage that cannot be written (a DVD, a backup mounted
    /// read-only); it is opened as immutable and must be of this version's schema already.
    public init(path: String, lockTimeout: Double, readOnly: Bool = false) throws(KhoError) {
        self.path = path
        self.readOnly = readOnly
        if readOnly {
            // An immutable open does not read the write-ahead log: a copy taken while Kho was
            // writing would be read without its last changes, silently. Refuse it instead.
            if let wal = FS.fileStatus(HostPath(path + "-wal")), wal.st_size > 0 {
                throw KhoError(.catalogUnwritable, "the catalog \(path) is on read-only storage with changes still in its write-ahead log (\(path)-wal); reading it here would miss them — copy the archive when no Kho is running, or open it where it can be written")
            }
            do {
                var config = Configuration()
                config.readonly = true
                let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
                let queue = try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: config)
                guard try queue.read({ db in try CatalogSchema.readableAsIs(db) }) else {
                    throw KhoError(.catalogUnwritable, "the catalog \(path) is of an older Kho and on read-only storage: open it once where it can be written, or copy it")
                }
                writer = queue
                hasWithdrawals = try queue.read { db in try db.columns(in: "products").contains { $0.name == "withdrawn" } }
                hasExportParts = try queue.read { db in try db.tableExists("export_parts") }
            } catch {
                throw Catalog.translate(error, path: path)
            }
            return
        }
        var config = Configuration()
        config.busyMode = .timeout(lockTimeout)
        config.prepareDatabase { db in
            // New catalogs use 16 KB pages (four times fewer pages per product row and index
            // entry than SQLite's default); an existing catalog keeps its page size.
            try db.execute(sql: "PRAGMA page_size = 16384")
            // A commit is on disk before Kho reports success.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // The writer: room for a whole import chunk on a small catalog, so its transaction
            // does not spill pages to the WAL before it commits (up to 28 MB, taken only as used;
            // on a catalog of a million products the index pages a chunk touches are several
            // times that, and 100,000 registrations peak at 130 MB with it). Readers (up to five
            // at once, an export's first pass uses several) 8 MB each, so their caches do not
            // add up to what a large catalog would fill.
            try db.execute(sql: "PRAGMA cache_size = -\(db.configuration.readonly ? Catalog.readerCacheKiB : Catalog.writerCacheKiB)")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            // A catalog a newer Kho changed may keep what this one does not know of (where
            // sidecars are, say): written by this one, it would be quietly wrong.
            if try pool.read({ db in try CatalogSchema.migrator.hasBeenSuperseded(db) }) {
                throw KhoError(.catalogUnwritable, "the catalog \(path) was changed by a newer Kho than this one (\(KhoVersion.current)); use that version or a later one")
            }
            try CatalogSchema.migrator.migrate(pool)
            writer = pool
            hasWithdrawals = true
            hasExportParts = true
        } catch {
            throw Catalog.translate(error, path: path)
        }
    }

    /// An in-memory catalog, for tests.
    public init(inMemory: Void = ()) throws(KhoError) {
        path = ":memory:"
        readOnly = false
        do {
            let queue = try DatabaseQueue()
            try CatalogSchema.migrator.migrate(queue)
            writer = queue
            hasWithdrawals = true
            hasExportParts = true
        } catch {
            throw Catalog.translate(error, path: path)
        }
    }

    /// Page caches (KiB): the writer's, for a whole import chunk; a reader's; the writer's for
    /// small transactions of a long run (a bundle's groups).
    static let writerCacheKiB = 28672
    static let readerCacheKiB = 8192
    static let smallWriterCacheKiB = 16384

    func read<T>(_ body: (Database) throws -> T) throws(KhoError) -> T {
        do { return try writer.read(body) } catch { throw Catalog.translate(error, path: path) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(KhoError) -> T {
        if readOnly {
            throw KhoError(.readOnly, "the archive is on read-only storage (catalog \(path)): it can be read, listed, reported on, verified and exported, not changed; nothing was changed")
        }
        do { return try writer.write(body) } catch { throw Catalog.translate(error, path: path) }
    }

    /// Runs `body` (a few transactions of a long run: an import's chunk of files, a bundle's
    /// group) with the writer's small page cache, so the run's memory is left to its copies.
    /// Set and restored outside any transaction: SQLite refuses every statement of a
    /// transaction it rolled back, which would leave the small cache set.
    func withSmallWriterCache<T>(_ body: () throws(KhoError) -> T) throws(KhoError) -> T {
        if readOnly { return try body() }
        func setCache(_ kib: Int) throws(KhoError) {
            do { try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -\(kib)") } } catch {
                throw Catalog.translate(error, path: path)
            }
        }
        try setCache(Catalog.smallWriterCacheKiB)
        defer { try? setCache(Catalog.writerCacheKiB) }
        return try body()
    }

    /// Fails fast with `archive_locked` when another process holds the write lock,
    /// so long work (copying files) does not start only to fail at the end.
    func probeWriteLock() throws(KhoError) {
        try write { _ in }
    }

    static func translate(_ error: any Error, path: String) -> KhoError {
        if let kho = error as? KhoError { return kho }
        guard let db = error as? DatabaseError else {
            return KhoError(.internal, "catalog \(path): an unexpected error (KHO_LOG_LEVEL=debug or --json shows it)", cause: Underlying(error))
        }
        switch db.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return KhoError(.archiveLocked, "the archive is locked by another Kho process (catalog \(path)); nothing was changed — try again when it has finished, or raise KHO_LOCK_TIMEOUT", cause: db)
        case .SQLITE_FULL:
            return KhoError(.diskFull, "the disk holding the catalog \(path) is full; nothing was changed — free space and try again", cause: db)
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
            return KhoError(.catalogUnwritable, "cannot open or write the catalog \(path) (\(db.message ?? "permission denied")); check the archive folder's owner and mode", cause: db)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return KhoError(.catalogDamaged, "the catalog \(path) is damaged (\(db.message ?? "corrupt")); restore it from a backup", cause: db)
        case .SQLITE_IOERR:
            return KhoError(.ioError, "input/output error on the catalog \(path); the disk may be failing", cause: db)
        default:
            return KhoError(.catalogError, "catalog \(path): \(db.message ?? "\(db.resultCode)")", cause: db)
        }
    }
}
