// What an export takes: the products of a unit (and the units under it or merged into it)
// whose reference date is in a period, as a report counts them; restricted ones never.
import GRDB
import KhoCore
import KhoPlatform

/// What an export starts from: everything, the last export of the same scope, or a date.
public enum ExportSince: Sendable, Equatable {
    case everything
    case lastExport
    /// Products changed on or after this day (Vietnam time).
    case date(CalendarDate)
}

public struct ExportRecord: Sendable, Equatable {
    public var exportID: String
    public var scopeKey: String
    public var scope: String
    public var period: String
    /// The export this one follows (an incremental export).
    public var follows: String?
    public var createdAt: Timestamp
    public var file: String
    public var format: String
    public var bundleSHA256: String
    public var payloadBytes: Int64
    /// The latest product change the export took in: the next --since-last starts after it.
    public var cursor: String
    /// How many products it took in.
    public var productCount: Int
    /// Which, in ID order, when it is being recorded; nil when read from the catalog, which
    /// counts them only (an export of a whole archive lists a million): `productIDs(of:)`.
    public var productIDs: [ProductID]?
    /// Its row in the catalog (0 until recorded).
    var rowKey: Int64 = 0

    public init(exportID: String, scopeKey: String, scope: String, period: String, follows: String?, createdAt: Timestamp, file: String,
                format: String, bundleSHA256: String, payloadBytes: Int64, cursor: String, productIDs: [ProductID]) {
        self.init(exportID: exportID, scopeKey: scopeKey, scope: scope, period: period, follows: follows, createdAt: createdAt, file: file,
                  format: format, bundleSHA256: bundleSHA256, payloadBytes: payloadBytes, cursor: cursor,
                  productCount: productIDs.count, productIDs: productIDs)
    }

    init(exportID: String, scopeKey: String, scope: String, period: String, follows: String?, createdAt: Timestamp, file: String,
         format: String, bundleSHA256: String, payloadBytes: Int64, cursor: String, productCount: Int, productIDs: [ProductID]?, rowKey: Int64 = 0) {
        self.rowKey = rowKey
        self.exportID = exportID
        self.scopeKey = scopeKey
        self.scope = scope
        self.period = period
        self.follows = follows
        self.createdAt = createdAt
        self.file = file
        self.format = format
        self.bundleSHA256 = bundleSHA256
        self.payloadBytes = payloadBytes
        self.cursor = cursor
        self.productCount = productCount
        self.productIDs = productIDs
    }
}

public struct ExportSelection: Sendable {
    public var plan: ReportPlan
    /// Identifies the scope (unit and period) across exports, for --since-last.
    public var scopeKey: String
    /// The export this one follows (--since-last), if there was one.
    public var follows: ExportRecord?
    /// The latest change among all products of the scope now: the cursor the record keeps.
    public var cursor: String
    /// Product IDs to export, in the order the catalog stores them (the order they came in):
    /// reading them in that order, an export reads each page of the catalog once, where ID order
    /// (random by design) read a page per product.
    public var ids: [ProductID]
    /// Restricted products of the scope, left out.
    public var restrictedLeftOut: Int
    /// The latest change among the exported products (their updated_at), nil when none.
    public var lastChange: Timestamp?
}

extension Archive {
    /// `period` nil: every date, undated products included.
    public func exportSelection(unitCode: String?, unitEra: AdminUnit.Era?, period: Period?,
                                since: ExportSince = .everything) throws(KhoError) -> ExportSelection {
        let request = ReportRequest(unitCode: unitCode, unitEra: unitEra, period: period ?? Period(kind: .range, from: CalendarDate(year: 1900, month: 1, day: 1)!,
                                                                                                        to: CalendarDate(year: 2200, month: 12, day: 31)!, label: "all"),
                                    trendCount: 1, gapLimit: 0)
        let plan = try Self.plan(request, table: .standard)
        let scopeKey = "unit=" + (plan.scope.unit.map { "\($0.era.rawValue):\($0.code)" } ?? "all")
            + ";period=" + (period.map { "\($0.from)..\($0.to)" } ?? "all")
        let scope = ReportSQL.scope(plan.selection)
        // Withdrawn products are never exported.
        var sql = "SELECT id, access, updated_at FROM products WHERE \(catalog.hasWithdrawals ? "withdrawn = 0 AND " : "")\(scope.sql)"
        var arguments = scope.arguments
        if let period {
            sql += " AND reference_date BETWEEN ? AND ?"
            arguments += [period.from.description, period.to.description]
        }
        sql += " ORDER BY pk"
        var ids: [ProductID] = []
        var restricted = 0
        var last: String?
        var cursor = ""
        // One read: the previous export and the products seen at the same moment. Rows are read
        // one by one (a cursor, not every row at once): only the IDs are kept.
        let follows = try catalog.read { db -> ExportRecord? in
            let follows = since == .lastExport ? try self.lastExport(db, scopeKey: scopeKey) : nil
            if since == .lastExport && follows == nil { return nil }
            // Changed after the cursor: new products, new files and new metadata all move updated_at.
            let after: String?
            switch since {
            case .everything: after = nil
            case .lastExport: after = follows?.cursor
            case .date(let day):
                // The day starts at 00:00 in Vietnam, 17:00 UTC the day before.
                let previous = CalendarDate.fromDaysSince1970(day.daysSince1970 - 1)
                after = "\(previous)T16:59:59.999Z"
            }
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                let updated: String = row[2]
                if (row[1] as String) == AccessLevel.restricted.rawValue {
                    if after.map({ updated > $0 }) ?? true { restricted += 1 }
                    continue
                }
                if updated > cursor { cursor = updated }
                if let after, updated <= after { continue }
                guard case .success(let id) = ProductID.parse(row[0]) else { continue }
                ids.append(id)
                if last.map({ updated > $0 }) ?? true { last = updated }
            }
            return follows
        }
        if since == .lastExport && follows == nil {
            throw KhoError(.noPreviousExport, "no export of this scope (\(scopeKey)) has been made yet; make a full one first (without --since-last)")
        }
        return ExportSelection(plan: plan, scopeKey: scopeKey, follows: follows, cursor: max(cursor, follows?.cursor ?? ""),
                               ids: ids, restrictedLeftOut: restricted, lastChange: last.map(Timestamp.init(iso:)))
    }

    /// Records a completed export: call only once its bundle is flushed and in place.
    public func recordExport(_ record: ExportRecord) throws(KhoError) {
        if isReadOnly {
            logger.notice("the export is not recorded: the archive is on read-only storage (a later --since-last will not start after it)")
            return
        }
        // A writable catalog is migrated: its exports keep their lists in parts.
        try catalog.write { db in
            let ids = record.productIDs ?? []
            try db.execute(sql: """
                INSERT INTO exports (export_id, scope_key, scope, period, follows, created_at, file, format, bundle_sha256,
                                     payload_bytes, cursor, product_ids, product_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?)
                """, arguments: [record.exportID, record.scopeKey, record.scope, record.period, record.follows, record.createdAt.iso,
                                 record.file, record.format, record.bundleSHA256, record.payloadBytes, record.cursor, ids.count])
            let pk = db.lastInsertedRowID
            for (part, start) in stride(from: 0, to: ids.count, by: Self.exportPartSize).enumerated() {
                try db.execute(sql: "INSERT INTO export_parts (export_pk, part, product_ids) VALUES (?, ?, ?)",
                               arguments: [pk, part, ProductID.jsonList(Array(ids[start..<min(start + Self.exportPartSize, ids.count)]))])
            }
        }
    }

    /// Product IDs in one part of an export's list: 180 KB of text.
    static let exportPartSize = 8192

    /// Every completed export, oldest first, without its product IDs (`productIDs(of:)`).
    public func exports() throws(KhoError) -> [ExportRecord] {
        try catalog.read { db in try Row.fetchAll(db, sql: "SELECT \(recordColumns) FROM exports ORDER BY pk").map(Self.record) }
    }

    /// The export `id`, if there is one, without its product IDs.
    public func export(id: String) throws(KhoError) -> ExportRecord? {
        try catalog.read { db in
            try Row.fetchOne(db, sql: "SELECT \(recordColumns) FROM exports WHERE export_id = ? ORDER BY pk DESC LIMIT 1", arguments: [id]).map(Self.record)
        }
    }

    func lastExport(_ db: Database, scopeKey: String) throws -> ExportRecord? {
        try Row.fetchOne(db, sql: "SELECT \(recordColumns) FROM exports WHERE scope_key = ? ORDER BY pk DESC LIMIT 1",
                         arguments: [scopeKey]).map(Self.record)
    }

    /// The columns `record` reads: everything but the product list, and how many it holds.
    var recordColumns: String {
        "pk, export_id, scope_key, scope, period, follows, created_at, file, format, bundle_sha256, payload_bytes, cursor, "
            + (catalog.hasExportParts ? "product_count" : "json_array_length(product_ids) AS product_count")
    }

    /// The product IDs of an export read from the catalog, in ID order.
    public func productIDs(of record: ExportRecord) throws(KhoError) -> [ProductID] {
        guard record.rowKey > 0 else { throw KhoError(.internal, "export \(record.exportID) was not read from the catalog") }
        return try catalog.read { db in try productIDs(db, rowKey: record.rowKey) }
    }

    /// An export's row as a record, without its product IDs.
    static func record(_ row: Row) -> ExportRecord {
        ExportRecord(exportID: row["export_id"], scopeKey: row["scope_key"], scope: row["scope"], period: row["period"], follows: row["follows"],
                     createdAt: Timestamp(iso: row["created_at"]), file: row["file"], format: row["format"], bundleSHA256: row["bundle_sha256"],
                     payloadBytes: row["payload_bytes"], cursor: row["cursor"], productCount: row["product_count"] ?? 0, productIDs: nil,
                     rowKey: row["pk"])
    }

    /// An export's IDs: the list in its row (an export before v22), then its parts in order.
    /// A list that does not read is damage, said, not an empty list.
    func productIDs(_ db: Database, rowKey: Int64) throws -> [ProductID] {
        func read(_ text: String, _ part: String) throws -> [ProductID] {
            guard let ids = ProductID.list(json: text) else {
                throw KhoError(.catalogDamaged, "the catalog's list of the products of export row \(rowKey) (\(part)) is not a list of product IDs")
            }
            return ids
        }
        var all = try read(try String.fetchOne(db, sql: "SELECT product_ids FROM exports WHERE pk = ?", arguments: [rowKey]) ?? "[]", "in its row")
        if catalog.hasExportParts {
            let parts = try Row.fetchCursor(db, sql: "SELECT part, product_ids FROM export_parts WHERE export_pk = ? ORDER BY part", arguments: [rowKey])
            while let part = try parts.next() { all += try read(part[1], "part \(part[0] as Int64)") }
        }
        return all
    }
}
