// The auditors' dashboard: a unit of the user's scope and a period, the three indicators against
// their target bands, a breakdown with drill-down, the trend and the products still to
// digitize; and the same report as CSV (with a BOM, so Excel shows the diacritics), JSON or a
// printable HTML page. The figures come from `MakeReport`, the code path of `kho report`, so
// the numbers and the fingerprint are the same.
import Foundation
import HTTPTypes
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct ReportRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/reports") { request, context in try await dashboard(request, context) }
    }

    /// Whether `code` (in either unit table) lies inside the scope of a user of `userUnit`.
    static func inScope(_ code: String, userUnit: String?) -> Bool {
        guard let userUnit else { return true }
        let selection = Visibility.of(role: .auditor, unit: userUnit, table: .standard).selection
        let table = UnitTable.standard
        let units = table.units(code)
        return !units.isEmpty && units.allSatisfy { selection.holds($0.code, era: $0.era, table: table) }
    }

    func dashboard(_ request: Request, _ context: KhoContext) async throws -> Response {
        guard let session = context.session else { return Response.redirect(to: "/login", type: .found) }
        guard Permissions.allows(session.user.role, .report) else { throw KhoError(.forbidden, "Vai trò của bạn không xem báo cáo.") }
        let q = Forms.parse(request.uri.query ?? "")
        func text(_ name: String) -> String? { q[name].flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0.trimmingWhitespace() } }
        var problems: [String] = []
        var operation = MakeReport(unitCode: session.user.unit, trend: 6, gaps: .count(50),
                                   showRestricted: Permissions.allows(session.user.role, .readRestricted))
        if let unit = text("unit") {
            if Self.inScope(unit, userUnit: session.user.unit) { operation.unitCode = unit } else {
                problems.append(Lang.pick("Đơn vị \(unit) không có trong phạm vi của bạn; đang hiện phạm vi của bạn.", "Unit \(unit) is outside your scope; showing your scope."))
            }
        }
        let campaigns = state.archive.config.campaigns
        if let period = text("period") {
            switch Period.parse(period, campaigns: campaigns) {
            case .success(let p): operation.period = p
            case .failure(let problem): problems.append(Lang.pick("Kỳ báo cáo '\(period)' không hợp lệ: cần \(problem.expected).", "Report period '\(period)': expected \(problem.expected)."))
            }
        }
        if let by = text("by") {
            if let kind = BreakdownKind(rawValue: by) { operation.breakdown = kind } else { problems.append(Lang.pick("Cách chia '\(by)' không hợp lệ.", "Not a breakdown: '\(by)'.")) }
        }
        let acting = state.acting(session.user)
        // Downloads: the same report rendered by `kho report`'s renderers.
        if let format = text("format").flatMap(ReportFormat.init(rawValue:)), format != .table {
            operation.gaps = .byFormat
            operation.format = format
            let op = operation
            let document = try await state.pool.run { () throws(KhoError) in try op.run(in: acting) }
            let body = (format == .csv ? "\u{FEFF}" : "") + (document.text ?? "")
            let (type, ext) = switch format {
            case .csv: ("text/csv; charset=utf-8", "csv")
            case .json: ("application/json; charset=utf-8", "json")
            default: ("text/html; charset=utf-8", "html")
            }
            var headers: HTTPFields = [.contentType: type, .contentDisposition: "attachment; filename=\"kho-bao-cao.\(ext)\""]
            // The printable page is self-contained: its own styles, no script, nothing fetched.
            if format == .html { headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox" }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let op = operation
        let cache = state.reports
        let report = try await state.pool.run { () throws(KhoError) in try op.report(in: acting, cache: cache) }
        var fields = DashboardView.fields(report, unitCode: operation.unitCode, by: operation.breakdown, userUnit: session.user.unit)
        fields["problems"] = problems
        fields["unit"] = text("unit") ?? operation.unitCode ?? ""
        fields["period"] = text("period") ?? report.scope.period.label
        fields["bys"] = BreakdownKind.allCases.map { ["value": $0.rawValue, "label": ReportText(Lang.current == .en ? .en : .vi).breakdownTitle($0), "selected": $0 == operation.breakdown] }
        var query: [(String, String)] = []
        if let unit = operation.unitCode { query.append(("unit", unit)) }
        query.append(("period", report.scope.period.label))
        if let by = operation.breakdown { query.append(("by", by.rawValue)) }
        let base = "/reports?" + query.map { "\($0.0)=\(ProductRoutes.percent($0.1))" }.joined(separator: "&")
        fields["csv"] = base + "&format=csv"
        fields["json"] = base + "&format=json"
        fields["html"] = base + "&format=html"
        return state.pages.render("dashboard", Pages.fields(context, fields), title: "Báo cáo chỉ tiêu")
    }
}

/// What the dashboard template shows of a report: Vietnamese numbers and labels, meters for
/// the shares against their bands, drill-down links for units inside the user's scope.
enum DashboardView {
    static func fields(_ r: Report, unitCode: String?, by: BreakdownKind?, userUnit: String?) -> [String: Any] {
        let t = ReportText(Lang.current == .en ? .en : .vi)
        func percentValue(_ share: Double?) -> String { String(format: "%.1f", (share ?? 0) * 100) }
        let indicators: [[String: Any]] = r.indicators.map { i in
            ["label": t.indicator(i.key), "count": t.number(i.count), "total": t.number(i.total), "share": t.percent(i.share),
             "value": percentValue(i.share), "low": percentValue(i.target.min), "high": percentValue(i.target.max),
             "band": t.band(i.target), "status": t.status(i.status), "behind": i.status == .behind]
        }
        let period = r.scope.period.label
        let rows: [[String: Any]] = r.breakdown.map { row in
            var out: [String: Any] = ["label": row.label, "total": t.number(row.counts.total),
                                      "digitized": t.percent(row.counts.share(.digitized)), "digital": t.percent(row.counts.share(.digitalPlatform)),
                                      "diversified": t.percent(row.counts.share(.diversified))]
            let code = String(row.key.prefix { $0 != ":" })
            if by == .unit, !code.isEmpty, code != unitCode, ReportRoutes.inScope(code, userUnit: userUnit) {
                out["link"] = "/reports?unit=\(code)&period=\(ProductRoutes.percent(period))&by=unit"
            }
            return out
        }
        let trend: [[String: Any]] = r.trend.map { p in
            ["period": t.shortPeriod(p.period), "total": t.number(p.counts.total), "digitized": t.percent(p.counts.share(.digitized)),
             "digital": t.percent(p.counts.share(.digitalPlatform)), "diversified": t.percent(p.counts.share(.diversified))]
        }
        let gaps: [[String: Any]] = r.gaps.map { g in
            ["id": g.id?.description ?? "", "title": g.title ?? Lang.text("(sản phẩm mật)"), "hidden": g.title == nil, "unit": g.unitName.isEmpty ? g.unit : g.unitName,
             "carrier": t.carrier(g.carrier), "date": g.referenceDate.map { VietnameseFormat.date($0) } ?? "—"]
        }
        return ["scope": t.scopeName(r.scope), "periodName": t.period(r.scope.period), "products": t.number(r.counts.total),
                "empty": r.counts.total == 0, "undated": t.number(r.undated), "hasUndated": r.undated > 0, "notes": r.notes.map { Lang.pick($0.vietnamese, $0.english) },
                "indicators": indicators, "breakdown": rows, "hasBreakdown": !rows.isEmpty,
                "breakdownTitle": by.map { t.breakdownTitle($0) } ?? "", "trend": trend, "gaps": gaps,
                "gapTotal": t.number(r.gapTotal), "moreGaps": r.gapTotal > r.gaps.count, "fingerprint": r.fingerprint,
                "madeAt": t.madeAt(r.generatedAt), "targetsSource": r.targets.source]
    }
}
