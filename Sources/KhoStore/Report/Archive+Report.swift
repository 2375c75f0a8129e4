// Target reports: the catalog sums per-product flags over the scope (covering indexes, no
// product row visited), per day and breakdown key; ReportBuilder turns the sums into a report.
import Crypto
import Foundation
import GRDB
import GRDBSQLite
import KhoCore
import KhoPlatform

extension Archive {
    /// The report asked for, read in one consistent snapshot of the catalog.
    public func report(_ request: ReportRequest) throws(KhoError) -> Report {
        // The embedded unit and language tables are parsed once per process, on first use; the
        // compute time is the report's own work.
        let table = UnitTable.standard
        let registry = registry
        let started = clock.uptime()
        let plan = try Self.plan(request, table: table)
        let q = ReportSQL.statements(plan)
        let (days, listed, gaps, undated) = try catalog.read { db in
            let days: [DayCounts]
            do { days = try ReportSQL.days(db, q.days) } catch is ReportSQL.CountsTooLarge {
                days = try ReportSQL.days(db, ReportSQL.unpacked(q.days), packed: false)
            }
            let listed = try q.listed.map { try ReportSQL.listed(db, $0) } ?? []
            let gaps = try q.gaps.map { try ReportSQL.gaps(db, $0, showRestricted: request.showRestricted, table: table) } ?? []
            let undated = try Int.fetchOne(db, sql: q.undated.sql, arguments: StatementArguments(q.undated.arguments)) ?? 0
            return (days, listed, gaps, undated)
        }
        let input = ReportBuilder.Input(plan: plan, archiveID: info.archiveID, targets: config.targets, registry: registry, days: days,
                                        listed: listed, gaps: gaps, undated: undated, generatedAt: clock.now())
        let hash: (String) -> String = { text in Hex.lower(SHA256.hash(data: Data(text.utf8))) }
        var report = ReportBuilder.build(input, table: table, hash: hash, computeMillis: 0)
        report.computeMillis = (clock.uptime() - started) * 1000
        return report
    }

    /// The SQL a report runs, values written in, for checking it in the sqlite3 shell.
    public func reportSQL(_ request: ReportRequest) throws(KhoError) -> [String] {
        let q = ReportSQL.statements(try Self.plan(request, table: UnitTable.standard))
        return ([q.days] + [q.listed, q.gaps].compactMap { $0 } + [q.undated]).map(ReportSQL.inline)
    }

    static func plan(_ request: ReportRequest, table: UnitTable) throws(KhoError) -> ReportPlan {
        switch ReportPlan.make(request, table: table) {
        case .success(let made): return made
        case .failure(let problem): throw KhoError(problem.code, "--unit '\(problem.value)': \(problem.expected)")
        }
    }
}

/// The report's SQL. Scopes are written so SQLite seeks in the covering index
/// `products_report_province`: by today's province and then the period.
enum ReportSQL {
    struct Statement {
        var sql: String
        var arguments: [String]
    }

    struct Statements {
        var days: Statement
        var listed: Statement?
        var gaps: Statement?
        var undated: Statement
    }

    static let sums = "count(*), sum(digitized), sum(digital), sum(digital OR minority OR foreign_language)"

    static func scope(_ selection: ScopeSelection) -> Statement {
        switch selection {
        case .country:
            // Every province of today, and '' for codes in neither table: a seek per province.
            let codes = ([""] + UnitTable.standard.provinces(era: .from2025).map(\.code)).map { "'\($0)'" }.joined(separator: ", ")
            return Statement(sql: "province_now IN (\(codes))", arguments: [])
        case .provinceToday(let code):
            return Statement(sql: "province_now = ?", arguments: [code])
        case .units(let old, let new):
            // The provinces today of those units (each product row holds its own): the seek into
            // the province index, the unit codes a filter on what it reads there.
            func json(_ codes: [String]) -> String { "[" + codes.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
            let table = UnitTable.standard
            func province(_ code: String, _ era: AdminUnit.Era) -> String { table.provinceToday(EraCode(code, era))?.code ?? "" }
            let provinces = Set(old.map { province($0, .before2025) } + new.map { province($0, .from2025) })
            // One province (nearly always): an equality, so a list can read that province's
            // index entries in date order and stop at its page instead of sorting them all.
            if provinces.count == 1 {
                return Statement(sql: """
                    province_now = ? AND unit IN (SELECT value FROM json_each(?)) \
                    AND CASE unit_era WHEN 0 THEN unit IN (SELECT value FROM json_each(?)) ELSE unit IN (SELECT value FROM json_each(?)) END
                    """, arguments: [provinces.first!, json(Array(Set(old + new)).sorted()), json(old), json(new)])
            }
            return Statement(sql: """
                province_now IN (SELECT value FROM json_each(?)) AND unit IN (SELECT value FROM json_each(?)) \
                AND CASE unit_era WHEN 0 THEN unit IN (SELECT value FROM json_each(?)) ELSE unit IN (SELECT value FROM json_each(?)) END
                """, arguments: [json(provinces.sorted()), json(Array(Set(old + new)).sorted()), json(old), json(new)])
        }
    }

    static func statements(_ plan: ReportPlan) -> Statements {
        let scope = scope(plan.selection)
        let period = [plan.request.period.from.description, plan.request.period.to.description]
        // Sums per day (and breakdown key) over the trend's span.
        let key: String
        switch plan.request.breakdown {
        case .unit?: key = plan.selection == .country ? "province_now" : "unit || ':' || unit_era"
        case .kind?: key = "kind"
        default: key = "''"
        }
        let groupBy = key == "''" ? "reference_date" : key == "province_now" ? "province_now, reference_date" : "k, reference_date"
        let days = Statement(sql: """
            SELECT reference_date, \(key) AS k, count(*), sum(report_bits), sum(pk) FROM products \
            WHERE \(scope.sql) AND reference_date BETWEEN ? AND ? GROUP BY \(groupBy)
            """, arguments: scope.arguments + [plan.span.from.description, plan.span.to.description])
        // Per language or channel over the period; products with none in one row keyed ''.
        var listed: Statement?
        if let kind = plan.request.breakdown, kind == .language || kind == .channel {
            let column = kind == .language ? "languages" : "channels"
            listed = Statement(sql: """
                SELECT j.value, \(sums) FROM products, json_each(products.\(column)) AS j \
                WHERE \(scope.sql) AND reference_date BETWEEN ? AND ? GROUP BY j.value \
                UNION ALL SELECT '', \(sums) FROM products WHERE \(scope.sql) AND reference_date BETWEEN ? AND ? AND \(column) = '[]'
                """, arguments: scope.arguments + period + scope.arguments + period)
        }
        // Products of the period not digitized, by today's province and oldest first: the
        // indexes give them in that order, and the digitized bit is read from the index.
        var gaps: Statement?
        if plan.request.gapLimit != 0 {
            gaps = Statement(sql: """
                SELECT id, title, unit, unit_era, carrier, access, reference_date FROM products \
                WHERE \(scope.sql) AND (report_bits & 1) = 0 AND reference_date BETWEEN ? AND ? \
                ORDER BY province_now, reference_date, id\(plan.request.gapLimit.map { " LIMIT \($0)" } ?? "")
                """, arguments: scope.arguments + period)
        }
        let undated = Statement(sql: "SELECT count(*) FROM products WHERE \(scope.sql) AND reference_date IS NULL", arguments: scope.arguments)
        return Statements(days: days, listed: listed, gaps: gaps, undated: undated)
    }

    /// The statement with its values written in as SQL string literals.
    static func inline(_ s: Statement) -> String {
        var out = ""
        var arguments = s.arguments[...]
        for c in s.sql {
            if c == "?", let value = arguments.popFirst() {
                out += "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
            } else {
                out.append(c)
            }
        }
        return out + ";"
    }

    /// Reads the sums per day straight from SQLite's C API: a country-wide report returns
    /// tens of thousands of rows, and per-value conversions would cost more than the query.
    static func days(_ db: Database, _ s: Statement, packed: Bool = true) throws -> [DayCounts] {
        let statement = try db.makeStatement(sql: s.sql)
        try statement.setArguments(StatementArguments(s.arguments))
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var dates: [Int: CalendarDate] = [:]
        var lastKey: (bytes: [UInt8], text: String) = ([], "")
        var out: [DayCounts] = []
        let mask: Int64 = (1 << 21) - 1
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            guard let datePointer = sqlite3_column_text(handle, 0), sqlite3_column_bytes(handle, 0) == 10 else { continue }
            func digit(_ i: Int) -> Int { Int(datePointer[i]) - 48 }
            let ymd = ((digit(0) * 10 + digit(1)) * 10 + digit(2)) * 10 + digit(3)
            let dateKey = ymd * 10_000 + (digit(5) * 10 + digit(6)) * 100 + digit(8) * 10 + digit(9)
            let date: CalendarDate
            if let known = dates[dateKey] {
                date = known
            } else {
                guard let made = CalendarDate(year: dateKey / 10_000, month: dateKey / 100 % 100, day: dateKey % 100) else { continue }
                dates[dateKey] = made
                date = made
            }
            let keyBytes = sqlite3_column_bytes(handle, 1)
            if let keyPointer = sqlite3_column_text(handle, 1) {
                let bytes = UnsafeBufferPointer(start: keyPointer, count: Int(keyBytes))
                if !bytes.elementsEqual(lastKey.bytes) { lastKey = (Array(bytes), String(decoding: bytes, as: UTF8.self)) }
            } else {
                lastKey = ([], "")
            }
            let total = sqlite3_column_int64(handle, 2)
            let counts: Counts
            if packed {
                // Each packed field holds a count below 2^21: a group that large cannot be unpacked.
                guard total <= mask else { throw CountsTooLarge() }
                let bits = sqlite3_column_int64(handle, 3)
                counts = Counts(total: Int(total), digitized: Int(bits & mask), digitalPlatform: Int((bits >> 21) & mask), diversified: Int(bits >> 42))
            } else {
                counts = Counts(total: Int(total), digitized: Int(sqlite3_column_int64(handle, 3)), digitalPlatform: Int(sqlite3_column_int64(handle, 4)),
                                diversified: Int(sqlite3_column_int64(handle, 5)))
            }
            out.append(DayCounts(date: date, key: lastKey.text, counts: counts, keySum: sqlite3_column_int64(handle, packed ? 4 : 6)))
        }
        return out
    }

    struct CountsTooLarge: Error {}

    /// The same sums one by one, for a group of 2^21 products or more (one day of one unit).
    static func unpacked(_ s: Statement) -> Statement {
        Statement(sql: s.sql.replacingOccurrences(of: "count(*), sum(report_bits), sum(pk)", with: "\(sums), sum(pk)"), arguments: s.arguments)
    }

    static func listed(_ db: Database, _ s: Statement) throws -> [KeyCounts] {
        try Row.fetchAll(db, sql: s.sql, arguments: StatementArguments(s.arguments)).compactMap { row in
            let total: Int = row[1]
            guard total > 0 else { return nil }
            return KeyCounts(key: row[0], counts: Counts(total: total, digitized: row[2] ?? 0, digitalPlatform: row[3] ?? 0, diversified: row[4] ?? 0))
        }
    }

    static func gaps(_ db: Database, _ s: Statement, showRestricted: Bool, table: UnitTable) throws -> [GapEntry] {
        try Row.fetchAll(db, sql: s.sql, arguments: StatementArguments(s.arguments)).compactMap { row in
            guard case .success(let id) = ProductID.parse(row[0]) else { return nil }
            let restricted = (row[5] as String) == AccessLevel.restricted.rawValue
            // A restricted product the reader may not see leaves neither its title nor its ID.
            let hidden = restricted && !showRestricted
            let code: String = row[2]
            let era: AdminUnit.Era = (row[3] as Int) == 0 ? .before2025 : .from2025
            let date = (row[6] as String?).flatMap { try? CalendarDate.parse($0).get() }
            return GapEntry(id: hidden ? nil : id, title: hidden ? nil : row[1], unit: code,
                            unitName: table.unit(code, era: era)?.fullName ?? "", carrier: (row[4] as String?).flatMap(Carrier.init(rawValue:)),
                            referenceDate: date, restricted: restricted)
        }
    }
}

extension Archive {
    /// A number that changes whenever a product changes: the last event's key (every change of
    /// a product, by any process, writes an event; the log is append-only).
    public func changeMarker() throws(KhoError) -> Int64 {
        try catalog.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(pk), 0) FROM events") ?? 0 }
    }
}
