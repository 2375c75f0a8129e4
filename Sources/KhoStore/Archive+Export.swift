// What an export takes: the products of a unit (and the units under it or merged into it)
// whose reference date is in a period, as a report counts them; restricted ones never.
import GRDB
import KhoCore

public struct ExportSelection: Sendable {
    public var plan: ReportPlan
    /// Product IDs to export, in ID order.
    public var ids: [ProductID]
    /// Restricted products of the scope, left out.
    public var restrictedLeftOut: Int
    /// The latest change among the exported products (their updated_at), nil when none.
    public var lastChange: Timestamp?
}

extension Archive {
    /// `period` nil: every date, undated products included.
    public func exportSelection(unitCode: String?, unitEra: AdminUnit.Era?, period: Period?) throws(KhoError) -> ExportSelection {
        let request = ReportRequest(unitCode: unitCode, unitEra: unitEra, period: period ?? Period(kind: .range, from: CalendarDate(year: 1900, month: 1, day: 1)!,
                                                                                                        to: CalendarDate(year: 2200, month: 12, day: 31)!, label: "all"),
                                    trendCount: 1, gapLimit: 0)
        let plan = try Self.plan(request, table: .standard)
        let scope = ReportSQL.scope(plan.selection)
        var sql = "SELECT id, access, updated_at FROM products WHERE \(scope.sql)"
        var arguments = scope.arguments
        if let period {
            sql += " AND reference_date BETWEEN ? AND ?"
            arguments += [period.from.description, period.to.description]
        }
        sql += " ORDER BY id"
        let rows = try catalog.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
        var ids: [ProductID] = []
        var restricted = 0
        var last: String?
        for row in rows {
            if (row[1] as String) == AccessLevel.restricted.rawValue { restricted += 1; continue }
            guard case .success(let id) = ProductID.parse(row[0]) else { continue }
            ids.append(id)
            let updated: String = row[2]
            if last.map({ updated > $0 }) ?? true { last = updated }
        }
        return ExportSelection(plan: plan, ids: ids, restrictedLeftOut: restricted, lastChange: last.map(Timestamp.init(iso:)))
    }
}
