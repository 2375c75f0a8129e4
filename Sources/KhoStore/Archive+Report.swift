// Target reports: the catalog sums per-product flags over the scope (covering indexes, no
// product row visited), per day and breakdown key; ReportBuilder turns the sums into a report.
import Crypto
import Foundation
import GRDB
import KhoCore

extension Archive {
    /// The report asked for, read in one consistent snapshot of the catalog.
    public func report(_ request: ReportRequest) throws(KhoError) -> Report {
        let started = DispatchTime.now().uptimeNanoseconds
        let table = UnitTable.standard
        let plan: ReportPlan
        switch ReportPlan.make(request, table: table) {
        case .success(let made): plan = made
        case .failure(let problem): throw KhoError(problem.code, problem.description)
        }
        let targets = config.targets
        let registry = registry
        let (days, listed, gaps, undated) = try catalog.read { db in
            let scope = ReportSQL.scope(plan.selection)
            let days = try ReportSQL.days(db, plan: plan, scope: scope)
            var listed: [KeyCounts] = []
            if let kind = plan.request.breakdown, kind == .language || kind == .channel {
                listed = try ReportSQL.listed(db, column: kind == .language ? "languages" : "channels", plan: plan, scope: scope)
            }
            let gaps = try ReportSQL.gaps(db, plan: plan, scope: scope, table: table)
            let undated = try Int.fetchOne(db, sql: "SELECT count(*) FROM products WHERE \(scope.sql) AND reference_date IS NULL",
                                           arguments: scope.arguments) ?? 0
            return (days, listed, gaps, undated)
        }
        let input = ReportBuilder.Input(plan: plan, archiveID: info.archiveID, targets: targets, registry: registry, days: days,
                                        listed: listed, gaps: gaps, undated: undated, generatedAt: clock())
        let hash: (String) -> String = { text in SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }
        var report = ReportBuilder.build(input, table: table, hash: hash, computeMillis: 0)
        report.computeMillis = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        return report
    }
}

/// The report's SQL. Scopes are written so SQLite seeks in a covering index:
/// `products_report_province` for the country and today's provinces, `products_report_unit`
/// for lists of unit codes.
enum ReportSQL {
    struct Scope {
        var sql: String
        var arguments: StatementArguments
    }

    static func scope(_ selection: ScopeSelection) -> Scope {
        switch selection {
        case .country:
            // Every province of today, and '' for codes in neither table: a seek per province.
            let codes = ([""] + UnitTable.standard.provinces(era: .from2025).map(\.code)).map { "'\($0)'" }.joined(separator: ", ")
            return Scope(sql: "province_now IN (\(codes))", arguments: [])
        case .provinceToday(let code):
            return Scope(sql: "province_now = ?", arguments: [code])
        case .units(let old, let new):
            func json(_ codes: [String]) -> String { "[" + codes.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
            return Scope(sql: """
                unit IN (SELECT value FROM json_each(?)) AND CASE unit_era WHEN 0 THEN unit IN (SELECT value FROM json_each(?))
                    ELSE unit IN (SELECT value FROM json_each(?)) END
                """, arguments: [json(Array(Set(old + new)).sorted()), json(old), json(new)])
        }
    }

    static let sums = "count(*), sum(digitized), sum(digital), sum(digital OR minority OR foreign_language)"

    /// Sums per day (and breakdown key) over the trend's span.
    static func days(_ db: Database, plan: ReportPlan, scope: Scope) throws -> [DayCounts] {
        let key: String
        switch plan.request.breakdown {
        case .unit?: key = plan.selection == .country ? "province_now" : "unit || ':' || unit_era"
        case .kind?: key = "kind"
        default: key = "''"
        }
        let groupBy = key == "''" ? "reference_date" : plan.selection == .country && key == "province_now" ? "province_now, reference_date" : "k, reference_date"
        let sql = """
            SELECT reference_date, \(key) AS k, \(sums), sum(pk) FROM products
            WHERE \(scope.sql) AND reference_date BETWEEN ? AND ? GROUP BY \(groupBy)
            """
        var arguments = scope.arguments
        arguments += [plan.span.from.description, plan.span.to.description]
        var dates: [String: CalendarDate] = [:]
        var out: [DayCounts] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let text: String = row[0]
            let date: CalendarDate
            if let known = dates[text] {
                date = known
            } else {
                guard case .success(let parsed) = CalendarDate.parse(text) else { continue }
                dates[text] = parsed
                date = parsed
            }
            out.append(DayCounts(date: date, key: row[1], counts: Counts(total: row[2], digitized: row[3], digitalPlatform: row[4], diversified: row[5]),
                                 keySum: row[6]))
        }
        return out
    }

    /// Sums per language or channel over the period; products with none in one row keyed "".
    static func listed(_ db: Database, column: String, plan: ReportPlan, scope: Scope) throws -> [KeyCounts] {
        var arguments = scope.arguments
        arguments += [plan.request.period.from.description, plan.request.period.to.description]
        let sql = """
            SELECT j.value, \(sums) FROM products, json_each(products.\(column)) AS j
            WHERE \(scope.sql) AND reference_date BETWEEN ? AND ? GROUP BY j.value
            UNION ALL
            SELECT '', \(sums) FROM products WHERE \(scope.sql) AND reference_date BETWEEN ? AND ? AND \(column) = '[]'
            """
        return try Row.fetchAll(db, sql: sql, arguments: arguments + arguments).compactMap { row in
            let total: Int = row[1]
            guard total > 0 else { return nil }
            return KeyCounts(key: row[0], counts: Counts(total: total, digitized: row[2] ?? 0, digitalPlatform: row[3] ?? 0, diversified: row[4] ?? 0))
        }
    }

    /// Products of the period not digitized, oldest first.
    static func gaps(_ db: Database, plan: ReportPlan, scope: Scope, table: UnitTable) throws -> [GapEntry] {
        if plan.request.gapLimit == 0 { return [] }
        var arguments = scope.arguments
        arguments += [plan.request.period.from.description, plan.request.period.to.description]
        // For the whole country the small index of undigitized products gives them in date order.
        let index = plan.selection == .country ? "INDEXED BY products_gaps" : ""
        var sql = """
            SELECT id, title, unit, unit_era, carrier, access, reference_date FROM products \(index)
            WHERE \(scope.sql) AND digitized = 0 AND reference_date BETWEEN ? AND ? ORDER BY reference_date, id
            """
        if let limit = plan.request.gapLimit { sql += " LIMIT \(limit)" }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            guard case .success(let id) = ProductID.parse(row[0]) else { return nil }
            let restricted = (row[5] as String) == AccessLevel.restricted.rawValue
            let code: String = row[2]
            let era: AdminUnit.Era = (row[3] as Int) == 0 ? .before2025 : .from2025
            let date = (row[6] as String?).flatMap { try? CalendarDate.parse($0).get() }
            return GapEntry(id: id, title: restricted && !plan.request.showRestricted ? nil : row[1], unit: code,
                            unitName: table.unit(code, era: era)?.fullName ?? "", carrier: (row[4] as String?).flatMap(Carrier.init(rawValue:)),
                            referenceDate: date, restricted: restricted)
        }
    }
}
